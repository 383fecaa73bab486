package dev.reprise.workflow.api;

import dev.reprise.core.RepriseNonRetriableException;

/**
 * The sink refused this effect for good (e.g. HTTP 400): retrying cannot help. The event gets a
 * FAILED receipt and goes to the workflow's dead-letter topic.
 */
public class SinkRejectedException extends RepriseNonRetriableException {

  public SinkRejectedException(String message) {
    super(message);
  }
}
