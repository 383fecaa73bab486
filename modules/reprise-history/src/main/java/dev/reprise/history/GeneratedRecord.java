package dev.reprise.history;

import java.time.Instant;
import org.apache.avro.generic.GenericRecord;

/**
 * One record of generated history, with the truth about it that tests and verification compare
 * against (independently of the upcasters).
 *
 * @param key the Kafka key: the submission id
 * @param kind what sort of record it is
 * @param schemaVersion the schema version in use when it was written (0 for tombstones)
 * @param value the record as its writer produced it; null for tombstones. For corrupt records, the
 *     record whose bytes the writer then damages
 * @param writtenOn when it was written (its write day decides the schema version)
 * @param truth what the record means, in v3 terms; null for tombstones and corrupt records
 */
public record GeneratedRecord(
    String key, Kind kind, int schemaVersion, GenericRecord value, Instant writtenOn, Truth truth) {

  /** What sort of record a {@link GeneratedRecord} is, and so what a replay must do with it. */
  public enum Kind {
    /** Upcasts cleanly. */
    VALID,
    /** A v1 record without zone id: upcasts with the documented fallback zone. */
    MISSING_ZONE,
    /** Its amount is no decimal: upcasting fails, the record is dead-lettered. */
    UNPARSEABLE_AMOUNT,
    /** A v1 record whose zone id does not exist: upcasting fails, the record is dead-lettered. */
    UNKNOWN_ZONE,
    /** A deletion: null value. */
    TOMBSTONE,
    /** Bytes cut short after the header: not readable Avro. */
    CORRUPT_TRUNCATED,
    /** Plain text without the wire-format magic byte. */
    CORRUPT_NOT_AVRO,
    /** A header naming a schema id the registry never issued. */
    CORRUPT_UNKNOWN_SCHEMA_ID;

    /** Whether the record upcasts to a v3 submission. */
    public boolean upcasts() {
      return this == VALID || this == MISSING_ZONE;
    }

    /** Whether its bytes are unreadable before any upcasting. */
    public boolean corrupt() {
      return name().startsWith("CORRUPT_");
    }
  }

  /**
   * The meaning of a submission record, in v3 terms.
   *
   * @param tenantId the tenant, or null where the record has none (upcast gives the default)
   * @param amountCents the amount, or null where the written amount is unparseable
   * @param status the v3 status; RECEIVED for records written before v3
   */
  public record Truth(
      String submissionId, int revision, String formId, String tenantId, Instant submittedAt,
      Long amountCents, String currency, String submitterEmail, String status) {}
}
