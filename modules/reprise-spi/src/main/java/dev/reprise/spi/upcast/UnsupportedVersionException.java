package dev.reprise.spi.upcast;

import dev.reprise.core.RepriseNonRetriableException;

/**
 * A record's writer schema is none of its event type's versions, or is newer than the target
 * (records are never downcast). Not retriable: the record is dead-lettered.
 */
public class UnsupportedVersionException extends RepriseNonRetriableException {

  public UnsupportedVersionException(String message) {
    super(message);
  }
}
