package dev.reprise.core;

/**
 * A failure that may go away by itself: retry the same operation later, with backoff.
 *
 * <p>Subclass it for each such condition so that handlers can report what happened, e.g. {@code
 * SchemaRegistryUnavailableException}.
 */
public non-sealed class RepriseRetriableException extends RepriseException {

  public RepriseRetriableException(String message) {
    super(message, null);
  }

  public RepriseRetriableException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public final boolean isRetriable() {
    return true;
  }
}
