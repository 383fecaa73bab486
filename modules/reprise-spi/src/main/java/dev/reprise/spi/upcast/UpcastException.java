package dev.reprise.spi.upcast;

import dev.reprise.core.RepriseNonRetriableException;

/**
 * An event could not be converted from one version to the next: the value of one field makes no
 * sense in the newer schema. Not retriable; the record is dead-lettered with this message.
 *
 * <p>Example message: {@code "cannot upcast submission 's-17' (revision 0) from v2 to v3: field
 * 'amount' has value '12,50', which is not a decimal amount like 12.50"}.
 */
public class UpcastException extends RepriseNonRetriableException {

  private final String event;
  private final int fromVersion;
  private final int toVersion;
  private final String field;
  private final String value;

  /**
   * @param event names the event for a person, e.g. {@code submission 's-17' (revision 0)}
   * @param problem why the value does not convert, e.g. {@code which is not a decimal amount like 12.50}
   */
  public UpcastException(String event, int fromVersion, int toVersion, String field, String value, String problem,
      Throwable cause) {
    super("cannot upcast " + event + " from v" + fromVersion + " to v" + toVersion + ": field '" + field + "' has value "
        + (value == null ? "null" : "'" + value + "'") + ", " + problem, cause);
    this.event = event;
    this.fromVersion = fromVersion;
    this.toVersion = toVersion;
    this.field = field;
    this.value = value;
  }

  /** The event that failed, as named in the message. */
  public String event() {
    return event;
  }

  /** The version it was being converted from. */
  public int fromVersion() {
    return fromVersion;
  }

  /** The version it was being converted to. */
  public int toVersion() {
    return toVersion;
  }

  /** The field whose value could not be converted. */
  public String field() {
    return field;
  }

  /** The offending value, as written, or null. */
  public String value() {
    return value;
  }
}
