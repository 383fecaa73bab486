package dev.reprise.core;

/**
 * Root of every exception Reprise throws on purpose.
 *
 * <p>The hierarchy is split by what the caller should do, not by where the error arose:
 *
 * <ul>
 *   <li>{@link RepriseRetriableException}: the same call may succeed later without anyone
 *       changing anything (a schema registry outage, a broker that is not reachable yet). Retry
 *       with backoff; never dead-letter a record for this.
 *   <li>{@link RepriseNonRetriableException}: retrying the same input gives the same answer (bytes
 *       that are not Avro, a schema id the registry never issued, an amount that does not parse).
 *       Somebody has to intervene: dead-letter the record, or reject the request.
 * </ul>
 *
 * <pre>{@code
 * try {
 *   record = deserializer.deserialize(topic, bytes);
 * } catch (RepriseException e) {
 *   if (e.isRetriable()) retryLater(); else deadLetter(bytes, e);
 * }
 * }</pre>
 */
public abstract sealed class RepriseException extends RuntimeException
    permits RepriseRetriableException, RepriseNonRetriableException {

  protected RepriseException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Whether the same operation may succeed when simply tried again later. */
  public abstract boolean isRetriable();
}
