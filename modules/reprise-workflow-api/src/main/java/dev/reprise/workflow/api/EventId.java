package dev.reprise.workflow.api;

/**
 * What makes two records the same event, as its event type's plugin says ({@code
 * EventType.eventId}): e.g. an id plus a revision, so that a correction is a new event while the
 * same revision arriving live, then through one or several backfills (in any schema version), is
 * the same event.
 *
 * <p>Why not a hash of the content: a replayed record is the upcast of an old one, so its bytes
 * differ from the live record's even when it is the same event.
 *
 * <pre>{@code
 * EventId id = EventId.of("s-00000042#1");
 * }</pre>
 *
 * @param value the key of receipts and of the dedup store
 */
public record EventId(String value) {

  public EventId {
    if (value == null || value.isBlank()) {
      throw new MissingEventIdentityException("the event id is missing or blank");
    }
  }

  /**
   * @throws MissingEventIdentityException if {@code value} is null or blank
   */
  public static EventId of(String value) {
    return new EventId(value);
  }

  /** The id as a key: of receipts and of the dedup store. */
  public String asKey() {
    return value;
  }

  @Override
  public String toString() {
    return value;
  }
}
