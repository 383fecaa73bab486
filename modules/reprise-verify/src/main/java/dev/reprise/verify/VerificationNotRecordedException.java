package dev.reprise.verify;

import dev.reprise.core.RepriseNonRetriableException;

/**
 * A verification ran, but its outcome is not the backfill's status: the coordinator refused to
 * record it (the access policy does not let this team verify, or the backfill is not completed),
 * or no coordinator answered. The report the verifier computed is still right; what is missing is
 * the record of it.
 */
public final class VerificationNotRecordedException extends RepriseNonRetriableException {

  private final transient VerificationReport report;

  public VerificationNotRecordedException(VerificationReport report, String why) {
    super("the verification of '" + report.backfillId() + "' was not recorded: " + why);
    this.report = report;
  }

  /** What the verifier found, recorded or not. */
  public VerificationReport report() {
    return report;
  }
}
