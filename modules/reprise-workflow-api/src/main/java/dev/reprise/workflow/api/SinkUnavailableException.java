package dev.reprise.workflow.api;

import dev.reprise.core.RepriseRetriableException;

/**
 * The sink's circuit breaker is open: the event is not at fault and is not dead-lettered; the
 * workflow pauses consumption and handles it again once the sink recovers.
 */
public class SinkUnavailableException extends RepriseRetriableException {

  public SinkUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
