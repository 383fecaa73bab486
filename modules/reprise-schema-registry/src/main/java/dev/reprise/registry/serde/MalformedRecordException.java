package dev.reprise.registry.serde;

import dev.reprise.core.RepriseNonRetriableException;

/**
 * The bytes of a record are not a Confluent-framed Avro value that its schema can read: no magic
 * byte, truncated, or garbage. Not retriable: dead-letter the raw bytes.
 */
public class MalformedRecordException extends RepriseNonRetriableException {

  public MalformedRecordException(String message) {
    super(message);
  }

  public MalformedRecordException(String message, Throwable cause) {
    super(message, cause);
  }
}
