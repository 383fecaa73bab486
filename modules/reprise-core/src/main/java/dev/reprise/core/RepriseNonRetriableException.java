package dev.reprise.core;

/**
 * A failure that retrying cannot fix: the input or the configuration is wrong and somebody has to
 * intervene. Per-record instances are dead-lettered with their context; per-request ones reject the
 * request with the message.
 *
 * <p>Messages name the entity and the offending value, e.g. {@code "field 'amount' of submission
 * 's-42' has value '12,50', which is not a decimal amount"}.
 */
public non-sealed class RepriseNonRetriableException extends RepriseException {

  public RepriseNonRetriableException(String message) {
    super(message, null);
  }

  public RepriseNonRetriableException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public final boolean isRetriable() {
    return false;
  }
}
