package dev.reprise.cli;

import dev.reprise.protocol.BackfillCounters;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.workflow.WorkflowDryRun;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reprise preview}: publish a PREVIEW request and show its plan — records per day of event
 * time, the schema-evolution counts, upcast samples (before → after) and the duration estimate of
 * its pilot, which replays about 1% of the plan for real; and, for each {@code --workflow}, its dry
 * run: what EXECUTE would make it do (effects per sink, events it already handled, failures), with
 * nothing performed, stored or published by the workflow.
 */
@Command(name = "preview", mixinStandardHelpOptions = true,
    description = {"Publish a PREVIEW request (the same flags as 'request') and show its plan: records per day, schema"
        + " evolution, samples before -> after, and a duration estimate from a pilot replaying ~1%% for real."})
final class PreviewCommand extends RequestCommand {

  @Option(names = "--dry-run-wait", paramLabel = "SECONDS", defaultValue = "120",
      description = "How long to wait for each --workflow's dry run (what EXECUTE would do: effects, duplicates,"
          + " failures; nothing is performed or stored) once the scan is done (default: ${DEFAULT-VALUE}).")
  long dryRunSeconds;

  @Override
  int run(Session session) throws InterruptedException {
    preview = true;
    int answered = super.run(session);
    if (answered != 0) {
      return answered;
    }
    Clock clock = Clock.systemUTC();
    BackfillStatus done = session.client().awaitStatus(backfillId, s -> s.state().isTerminal(), Duration.ofDays(1), clock)
        .orElseThrow(() -> new IllegalStateException("preview '" + backfillId + "' did not end within a day"));
    if (done.state() != dev.reprise.protocol.BackfillState.COMPLETED) {
      session.out().printf("preview '%s' ended %s: %s%n", backfillId, done.state(), done.reason().orElse("?"));
      return 1;
    }
    describe(done, session.out());
    done.countsPerDay().forEach((day, count) -> session.out().printf("    %s %,8d%n", day, count));
    long matched = done.counter(BackfillCounters.MATCHED);
    for (String workflow : done.request().map(BackfillRequest::workflows).orElse(List.of())) {
      WorkflowDryRun dryRun = awaitDryRun(session, workflow, matched, clock);
      if (dryRun.events() < matched) {
        say(session.out(), "    dry run: %s has handled %,d of %,d events after %d s (is a worker running it?)",
            workflow, dryRun.events(), matched, dryRunSeconds);
      }
      say(session.out(), "    dry run: %s", dryRun.describe());
      dryRun.examples().stream().limit(3).forEach(example -> say(session.out(), "      e.g. %s", abbreviate(example)));
    }
    return 0;
  }

  /** The named workflow's dry run once it has seen every match, or as far as it got in time. */
  private WorkflowDryRun awaitDryRun(Session session, String workflow, long events, Clock clock) {
    var deadline = clock.instant().plusSeconds(dryRunSeconds);
    while (true) {
      WorkflowDryRun dryRun = WorkflowDryRun.of(session.clientConfig(), session.registry(), workflow, backfillId);
      if (dryRun.events() >= events || !clock.instant().isBefore(deadline)) {
        return dryRun;
      }
      LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
    }
  }

  static void describe(BackfillStatus preview, PrintWriter out) {
    say(out, "    scanned %,d: would publish %,d, filtered out %,d, dead-letter %,d, tombstones %,d",
        preview.counter(BackfillCounters.SCANNED), preview.counter(BackfillCounters.MATCHED),
        preview.counter(BackfillCounters.FILTERED_OUT), preview.counter(BackfillCounters.DEAD_LETTERED),
        preview.counter(BackfillCounters.TOMBSTONES));
    if (!preview.countsPerDay().isEmpty()) {
      say(out, "    %d days with records, %s .. %s, busiest %s", preview.countsPerDay().size(),
          preview.countsPerDay().firstKey(), preview.countsPerDay().lastKey(),
          preview.countsPerDay().entrySet().stream().max(Map.Entry.comparingByValue())
              .map(e -> e.getKey() + " (" + e.getValue() + ")").orElse("-"));
    }
    say(out, "    schema evolution: %s", new java.util.TreeMap<>(preview.evolution()));
    preview.samples().stream().filter(s -> s.sourceVersion() == 1).findFirst()
        .or(() -> preview.samples().stream().findFirst())
        .ifPresent(s -> say(out, "    sample (v%d -> v3):%n      before %s%n      after  %s", s.sourceVersion(),
            abbreviate(s.before()), abbreviate(s.after())));
    say(out, "    pilot estimate for EXECUTE: %s", preview.estimatedSeconds().isPresent()
        ? preview.estimatedSeconds().getAsLong() + " s" : "n/a");
  }

  private static String abbreviate(String text) {
    return text.length() <= 160 ? text : text.substring(0, 157) + "...";
  }

  private static void say(PrintWriter out, String format, Object... args) {
    out.printf(Locale.ROOT, format + "%n", args);
    out.flush();
  }
}
