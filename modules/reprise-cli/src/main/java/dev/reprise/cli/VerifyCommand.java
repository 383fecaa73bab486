package dev.reprise.cli;

import dev.reprise.protocol.EventTypeChoice;
import dev.reprise.spi.EventTypes;
import dev.reprise.verify.BackfillVerifier;
import dev.reprise.verify.VerificationNotRecordedException;
import dev.reprise.verify.VerificationReport;
import java.time.Clock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code reprise verify BACKFILL}: verify a completed backfill now and record VERIFIED or VERIFICATION_FAILED. */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Verify a completed backfill: per day of event time, count and checksum of the source vs the"
        + " backfill topic vs each named workflow's receipts, and a sample compared field by field. Exit 0 only if"
        + " verified."})
final class VerifyCommand extends ClientCommand {

  @Parameters(index = "0", paramLabel = "BACKFILL")
  String backfillId;

  @Option(names = "--sample", defaultValue = "1000", description = "Records compared field by field (default: ${DEFAULT-VALUE}).")
  int sample;

  @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "300",
      description = "How long to wait for the workflows the backfill names to catch up before checking; if they have"
          + " not, nothing is recorded (default: ${DEFAULT-VALUE}).")
  long waitSeconds;

  @Override
  int run(Session session) {
    var verifier = new BackfillVerifier(session.clientConfig(), session.registry(), session.client(),
        new EventTypeChoice(EventTypes.all(), null), Clock.systemUTC(), sample);
    VerificationReport report;
    try {
      report = verifier.verify(backfillId, java.time.Duration.ofSeconds(waitSeconds));
    } catch (VerificationNotRecordedException e) {
      // What was found still counts for the person reading it; that it is not the status does too.
      print(session, e.report());
      spec.commandLine().getErr().println(e.getMessage());
      return 1;
    }
    return print(session, report) ? 0 : 1;
  }

  private boolean print(Session session, VerificationReport report) {
    long records = report.days().stream().mapToLong(d -> d.expected().count()).sum();
    if (report.verified()) {
      session.out().printf("VERIFIED '%s': %,d records over %d days match on every side; %,d sampled records identical%n",
          backfillId, records, report.days().size(), report.sampled());
      return true;
    }
    session.out().printf("VERIFICATION_FAILED '%s': %s%n", backfillId, report.failures());
    return false;
  }
}
