package dev.reprise.backpressure;

import dev.reprise.core.RepriseRetriableException;

/** The lag could not be read now (the cluster did not answer in time): a missing signal, not zero lag. */
public class LagUnavailableException extends RepriseRetriableException {

  public LagUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
