package dev.reprise.submissions.upcast;

import dev.reprise.core.RepriseNonRetriableException;

/**
 * A record's writer schema is none of the known submission versions, or is newer than the target
 * (records are never downcast). Not retriable.
 */
public class UnsupportedSubmissionVersionException extends RepriseNonRetriableException {

  public UnsupportedSubmissionVersionException(String message) {
    super(message);
  }
}
