package dev.reprise.registry;

import dev.reprise.core.RepriseNonRetriableException;

/**
 * The registry answered and refused: an invalid or incompatible schema, an unknown subject. Asking
 * again gives the same answer. Carries the HTTP status and the registry's error code.
 */
public class SchemaRegistryException extends RepriseNonRetriableException {

  private final int httpStatus;
  private final int errorCode;

  public SchemaRegistryException(String message, int httpStatus, int errorCode) {
    super(message);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  /** The HTTP status of the refusal. */
  public int httpStatus() {
    return httpStatus;
  }

  /** The registry's {@code error_code} (e.g. 40401 subject not found), or -1 if it sent none. */
  public int errorCode() {
    return errorCode;
  }
}
