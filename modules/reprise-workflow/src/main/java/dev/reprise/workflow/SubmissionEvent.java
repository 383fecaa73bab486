package dev.reprise.workflow;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;
import org.apache.avro.generic.GenericRecord;

/**
 * One submission event as a workflow sees it: the latest schema version, whatever it was written
 * with.
 *
 * @param submission the event, upcast to the latest submission schema (v3)
 * @param backfillId the backfill it came through; empty for live traffic
 */
public record SubmissionEvent(EventId id, GenericRecord submission, Optional<String> backfillId) {

  /** The event's own time: when it was submitted (UTC). */
  public Instant submittedAt() {
    return Instant.ofEpochMilli((Long) submission.get("submittedAt"));
  }

  /** The event's logical date (UTC): what "today" means while handling it. */
  public LocalDate logicalDate() {
    return LocalDate.ofInstant(submittedAt(), ZoneOffset.UTC);
  }

  /** A field of the submission as a string, null if absent. */
  public String string(String field) {
    Object value = submission.get(field);
    return value == null ? null : value.toString();
  }
}
