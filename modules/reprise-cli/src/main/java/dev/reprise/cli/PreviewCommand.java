package dev.reprise.cli;

import dev.reprise.protocol.BackfillCounters;
import dev.reprise.protocol.BackfillStatus;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;

/**
 * {@code reprise preview}: publish a PREVIEW request and show its plan — records per day of event
 * time, the schema-evolution counts, upcast samples (before → after) and the duration estimate of
 * its pilot, which replays about 1% of the plan for real.
 */
@Command(name = "preview", mixinStandardHelpOptions = true,
    description = {"Publish a PREVIEW request (the same flags as 'request') and show its plan: records per day, schema"
        + " evolution, samples before -> after, and a duration estimate from a pilot replaying ~1%% for real."})
final class PreviewCommand extends RequestCommand {

  @Override
  int run(Session session) throws InterruptedException {
    preview = true;
    int answered = super.run(session);
    if (answered != 0) {
      return answered;
    }
    Optional<BackfillStatus> status = Optional.empty();
    while (status.isEmpty() || !status.get().state().isTerminal()) {
      TimeUnit.MILLISECONDS.sleep(250);
      status = session.client().status(backfillId);
    }
    BackfillStatus done = status.get();
    if (done.state() != dev.reprise.protocol.BackfillState.COMPLETED) {
      session.out().printf("preview '%s' ended %s: %s%n", backfillId, done.state(), done.reason().orElse("?"));
      return 1;
    }
    describe(done, session.out());
    done.countsPerDay().forEach((day, count) -> session.out().printf("    %s %,8d%n", day, count));
    return 0;
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
