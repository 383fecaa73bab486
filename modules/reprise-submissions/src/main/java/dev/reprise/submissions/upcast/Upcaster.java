package dev.reprise.submissions.upcast;

import dev.reprise.submissions.SubmissionSchemas;
import org.apache.avro.generic.GenericRecord;

/**
 * One version step of a submission: a pure function from a record of {@link #fromVersion()} to
 * the same submission in {@link #toVersion()}. Never returns null; a record it cannot convert
 * fails with {@link UpcastException} naming the field and the value.
 *
 * <pre>{@code
 * Upcaster step = new SubmissionV1ToV2Upcaster(ZoneOffset.UTC);
 * if (step.canUpcast(record)) {
 *   GenericRecord v2 = step.upcast(record, report);
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

  /** Whether {@code record} was written with this step's {@link #fromVersion()} schema. */
  default boolean canUpcast(GenericRecord record) {
    return SubmissionSchemas.versionOf(record.getSchema()).orElse(-1) == fromVersion();
  }

  /**
   * Converts {@code record}, counting defaults applied and normalisations in {@code report}.
   *
   * @throws UpcastException if a field's value cannot be converted
   */
  GenericRecord upcast(GenericRecord record, UpcastReport report);
}
