package dev.reprise.protocol;

/**
 * Header names of the readable provenance on records a backfill publishes, and of its dead
 * letters. Values are UTF-8 strings, so any tool (kcat, the console consumer) can read them.
 *
 * <p>A replayed record always carries the compact binary {@link Provenance} header; the readable
 * set of this class only when its coordinator is configured with {@code readableProvenance} (they
 * cost about 170 bytes per record). Dead letters, which are few, always carry the readable set and
 * the {@code reprise.error.*} headers.
 *
 * <pre>{@code
 * Header stage = deadLetter.headers().lastHeader(ReplayHeaders.ERROR_STAGE);   // "upcast"
 * }</pre>
 */
public final class ReplayHeaders {

  /** The backfill that published the record. */
  public static final String BACKFILL_ID = "reprise.backfill.id";
  /** The source topic the record was read from. */
  public static final String SOURCE_TOPIC = "reprise.source.topic";
  /** The source partition. */
  public static final String SOURCE_PARTITION = "reprise.source.partition";
  /** The source offset: with the topic and partition, the record's identity in the source. */
  public static final String SOURCE_OFFSET = "reprise.source.offset";
  /** The submission schema version the record was written with. */
  public static final String SOURCE_SCHEMA_VERSION = "reprise.source.schema.version";
  /** The event's logical date, ISO date in UTC. */
  public static final String EVENT_DATE = "reprise.event.date";

  /** Dead letters: what failed ({@code decode}, {@code schema}, {@code upcast}). */
  public static final String ERROR_STAGE = "reprise.error.stage";
  /** Dead letters: the exception class. */
  public static final String ERROR_CLASS = "reprise.error.class";
  /** Dead letters: the exception message. */
  public static final String ERROR_MESSAGE = "reprise.error.message";

  private ReplayHeaders() {}
}
