package dev.reprise.workflow;

import java.util.Objects;
import org.apache.avro.generic.GenericRecord;

/**
 * What makes two records the same event: submission id plus revision. A correction of a
 * submission has a new revision and is a new event; the same revision arriving live, then
 * through one or several backfills (in any schema version), is the same event.
 *
 * <p>Why not a hash of the content: a replayed record is the upcast of an old one, so its bytes
 * differ from the live record's even when it is the same event.
 *
 * <pre>{@code
 * EventId id = EventId.of(submission);   // s-00000042#1
 * }</pre>
 */
public record EventId(String submissionId, int revision) {

  public EventId {
    if (submissionId == null || submissionId.isBlank()) {
      throw new MissingEventIdentityException("submissionId is missing or blank");
    }
    if (revision < 0) {
      throw new MissingEventIdentityException("revision of '" + submissionId + "' is negative: " + revision);
    }
  }

  /**
   * The identity of a submission record of any version.
   *
   * @throws MissingEventIdentityException if it has no submission id or revision
   */
  public static EventId of(GenericRecord submission) {
    Object id = submission.getSchema().getField("submissionId") == null ? null : submission.get("submissionId");
    Object revision = submission.getSchema().getField("revision") == null ? null : submission.get("revision");
    if (!(revision instanceof Integer number)) {
      throw new MissingEventIdentityException("record " + submission.getSchema().getFullName() + " has no int revision");
    }
    return new EventId(Objects.toString(id, null), number);
  }

  /** {@code submissionId#revision}: the key of receipts and of the dedup store. */
  public String asKey() {
    return submissionId + "#" + revision;
  }

  @Override
  public String toString() {
    return asKey();
  }
}
