package dev.reprise.cli;

import dev.reprise.protocol.EventTypeChoice;
import dev.reprise.spi.EventTypes;
import dev.reprise.verify.BackfillVerifier;
import dev.reprise.verify.VerificationNotRecordedException;
import dev.reprise.verify.VerificationReport;
import dev.reprise.workflow.HttpWebhookSink;
import java.net.URI;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  @Option(names = "--sink-lookup", paramLabel = "WORKFLOW/SINK=URL",
      description = "Also check at this HTTP sink that every effect the workflow performed for the backfill happened"
          + " there exactly once: GET URL/KEY answers 404, or 200 with header Reprise-Calls: N (reprise webhook's /keys"
          + " does) or a JSON body {\"calls\": N};"
          + " repeat for each sink.")
  Map<String, URI> sinkLookups = new LinkedHashMap<>();

  @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "300",
      description = "How long to wait for the workflows the backfill names to catch up before checking; if they have"
          + " not, nothing is recorded (default: ${DEFAULT-VALUE}).")
  long waitSeconds;

  @Override
  int run(Session session) {
    var verifier = new BackfillVerifier(session.clientConfig(), session.registry(), session.client(),
        new EventTypeChoice(EventTypes.all(), null), Clock.systemUTC(), sample);
    for (var lookup : sinkLookups.entrySet()) {
      String[] names = lookup.getKey().split("/", -1);
      if (names.length != 2 || names[0].isBlank() || names[1].isBlank()) {
        throw new UsageException("--sink-lookup wants WORKFLOW/SINK=URL, e.g. notify/webhook=http://127.0.0.1:9555/keys;"
            + " got '" + lookup.getKey() + "'");
      }
      verifier = verifier.checkingSinks(names[0], List.of(HttpWebhookSink.lookupOnly(names[1], lookup.getValue())));
    }
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
      if (report.sinks().checked() > 0 || report.sinks().uncountable() > 0) {
        session.out().printf("  %,d effects seen exactly once at their sinks%s%n", report.sinks().checked(),
            report.sinks().uncountable() == 0 ? "" : String.format(java.util.Locale.ROOT,
                "; %,d not checked (the sink cannot count)", report.sinks().uncountable()));
      }
      if (report.goneFromSource() > 0) {
        session.out().printf("  %,d of them have since left the compacted source (%,d superseded by a later revision of"
            + " their key, %,d deleted with it): checked against the backfill topic only%n", report.goneFromSource(),
            report.compacted(), report.deleted());
      }
      return true;
    }
    session.out().printf("VERIFICATION_FAILED '%s': %s%n", backfillId, report.failures());
    return false;
  }
}
