package dev.reprise.submissions.upcast;

import dev.reprise.core.RepriseNonRetriableException;

/**
 * A submission could not be converted from one version to the next: the value of one field makes
 * no sense in the newer schema. Not retriable; the record is dead-lettered with this message.
 *
 * <p>Example message: {@code "cannot upcast submission 's-17' (revision 0) from v2 to v3: field
 * 'amount' has value '12,50', which is not a decimal amount like 12.50"}.
 */
public class UpcastException extends RepriseNonRetriableException {

  private final String submissionId;
  private final int fromVersion;
  private final int toVersion;
  private final String field;
  private final String value;

  public UpcastException(
      String submissionId, int revision, int fromVersion, int toVersion, String field, String value,
      String problem, Throwable cause) {
    super("cannot upcast submission '" + submissionId + "' (revision " + revision + ") from v" + fromVersion
        + " to v" + toVersion + ": field '" + field + "' has value " + (value == null ? "null" : "'" + value + "'")
        + ", " + problem, cause);
    this.submissionId = submissionId;
    this.fromVersion = fromVersion;
    this.toVersion = toVersion;
    this.field = field;
    this.value = value;
  }

  /** The submission that failed. */
  public String submissionId() {
    return submissionId;
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
