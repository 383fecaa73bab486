package dev.reprise.spi.upcast;

import org.apache.avro.generic.GenericRecord;

/**
 * One version step of an event type (Axon's single-event upcaster): a pure function from a record
 * of {@link #fromVersion()} to the same event in {@link #toVersion()}. Never returns null; a record
 * it cannot convert fails with {@link UpcastException} naming the field and the value. Write one
 * only for a semantic change: what Avro's own schema resolution covers (a field added with a
 * default, a promotion, an alias) needs no code — {@link #resolving} is that hop.
 *
 * <pre>{@code
 * final class OrderV1ToV2Upcaster implements Upcaster {
 *   public int fromVersion() { return 1; }
 *   public GenericRecord upcast(GenericRecord v1, UpcastReport report) {
 *     GenericRecord v2 = new GenericData.Record(OrderSchemas.forVersion(2));
 *     ...
 *     return v2;
 *   }
 * }
 * }</pre>
 *
 * <p>Implementations are stateless and thread-safe; what they did is counted in the {@link
 * UpcastReport} they are given.
 */
public interface Upcaster {

  /** The version this step reads. */
  int fromVersion();

  /** The version this step writes: always {@code fromVersion() + 1}. */
  default int toVersion() {
    return fromVersion() + 1;
  }

  /**
   * Converts {@code record}, counting defaults applied and normalisations in {@code report}.
   *
   * @throws UpcastException if a field's value cannot be converted
   */
  GenericRecord upcast(GenericRecord record, UpcastReport report);

  /**
   * The hop from {@code fromVersion} that Avro's schema resolution does alone (see {@link
   * ResolvingUpcaster}).
   *
   * @throws IllegalArgumentException if the next version cannot read this one by resolution
   */
  static Upcaster resolving(dev.reprise.spi.SchemaVersions versions, int fromVersion) {
    return new ResolvingUpcaster(versions, fromVersion);
  }
}
