package dev.reprise.workflow.api;

import dev.reprise.core.RepriseRetriableException;
import java.time.Duration;
import java.util.Optional;

/**
 * The sink asked to be left alone for a while (HTTP 429 or 503, maybe with {@code Retry-After}):
 * the next attempt waits at least that long.
 */
public class SinkBackoffException extends RepriseRetriableException {

  private final Duration retryAfter;

  public SinkBackoffException(String message, Duration retryAfter) {
    super(message);
    this.retryAfter = retryAfter;
  }

  /** How long the sink asked to wait, if it said. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
