package dev.reprise.registry;

import dev.reprise.core.RepriseRetriableException;

/**
 * The registry could not be reached, or answered with a server error or 429. Retriable: a record
 * that hit this must be retried, never dead-lettered.
 */
public class SchemaRegistryUnavailableException extends RepriseRetriableException {

  public SchemaRegistryUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
