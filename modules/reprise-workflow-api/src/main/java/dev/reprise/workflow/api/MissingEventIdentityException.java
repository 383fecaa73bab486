package dev.reprise.workflow.api;

import dev.reprise.core.RepriseNonRetriableException;

/** A record without the identity dedup needs: it is dead-lettered, never guessed. */
public class MissingEventIdentityException extends RepriseNonRetriableException {

  public MissingEventIdentityException(String message) {
    super(message);
  }

  public MissingEventIdentityException(String message, Throwable cause) {
    super(message, cause);
  }
}
