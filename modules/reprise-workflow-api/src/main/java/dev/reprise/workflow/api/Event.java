package dev.reprise.workflow.api;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;
import org.apache.avro.generic.GenericRecord;

/**
 * One event as a workflow sees it, of whatever event type: upcast to its type's latest schema
 * version, whatever version it was written with, with the identity and event time its type's
 * plugin read from it. The runtime builds it; a workflow never has to know how old the record was.
 *
 * <pre>{@code
 * public void handle(Event event, WorkflowContext context) {
 *   String region = event.string("region");              // a field of the upcast record
 *   context.perform(Effect.of("webhook", event.id(), "POST shipment " + event.id()));
 * }
 * }</pre>
 *
 * @param id what makes two records the same event (the dedup and receipt key)
 * @param type the event type's name (the plugin's {@code EventType.name()})
 * @param record the event, upcast to its type's latest schema version
 * @param eventTime when the event happened (its type's event time), not when it was read
 * @param backfillId the backfill it came through; empty for live traffic
 */
public record Event(EventId id, String type, GenericRecord record, Instant eventTime, Optional<String> backfillId) {

  public Event {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(eventTime, "eventTime");
    Objects.requireNonNull(backfillId, "backfillId");
  }

  /** The event's logical date (UTC): what "today" means while handling it. */
  public LocalDate logicalDate() {
    return LocalDate.ofInstant(eventTime, ZoneOffset.UTC);
  }

  /** A field of the record as a string, null if absent or not in the schema. */
  public String string(String field) {
    Object value = get(field);
    return value == null ? null : value.toString();
  }

  /** A field of the record, null if absent or not in the schema. */
  public Object get(String field) {
    return record.getSchema().getField(field) == null ? null : record.get(field);
  }
}
