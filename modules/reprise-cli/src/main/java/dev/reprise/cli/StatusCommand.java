package dev.reprise.cli;

import dev.reprise.protocol.BackfillCounters;
import dev.reprise.protocol.BackfillStatus.PartitionProgress;
import dev.reprise.protocol.BackfillStatus;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code reprise status [BACKFILL] [--follow]}: every backfill in one line each, or one in detail;
 * with {@code --follow}, progress bars (overall and per partition, rate, ETA, throttle) until it
 * ends, or plain lines when the output is not a terminal.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show backfills (all, or one in detail); --follow shows progress until it finishes.")
final class StatusCommand extends ClientCommand {

  @Parameters(index = "0", arity = "0..1", paramLabel = "BACKFILL", description = "One backfill (default: all).")
  String backfillId;

  @Option(names = "--follow", description = "Keep showing progress until the backfill is finished.")
  boolean follow;

  @Option(names = "--interval-ms", defaultValue = "1000", description = "Refresh interval with --follow (default: ${DEFAULT-VALUE}).")
  long intervalMillis;

  @Override
  int run(Session session) throws InterruptedException {
    if (backfillId == null) {
      if (follow) {
        throw new IllegalArgumentException("--follow needs a BACKFILL");
      }
      var all = session.client().statuses();
      if (all.isEmpty()) {
        session.out().println("no backfills yet ('reprise request --help' starts one)");
      }
      all.values().stream().sorted(Comparator.comparing(BackfillStatus::updatedAt))
          .forEach(s -> session.out().println(summary(s)));
      return 0;
    }
    Optional<BackfillStatus> status = session.client().status(backfillId);
    if (status.isEmpty()) {
      session.out().printf("reprise: there is no backfill '%s'%n", backfillId);
      return 1;
    }
    if (!follow) {
      session.out().print(detail(status.get()));
      session.out().print(HandoverView.lines(session.clientConfig(), status.get()));
      return 0;
    }
    boolean terminal = System.console() != null;
    int lines = 0;
    while (true) {
      BackfillStatus current = session.client().status(backfillId).orElseThrow();
      String text = terminal ? detail(current) : summary(current) + System.lineSeparator();
      if (terminal && lines > 0) {
        // Redraw in place: move up over the previous frame.
        session.out().print("\033[" + lines + "A\033[J");
      }
      session.out().print(text);
      session.out().flush();
      lines = (int) text.lines().count();
      if (current.state().isTerminal()) {
        // A failed, rejected or cancelled backfill is not success.
        return switch (current.state()) {
          case COMPLETED, VERIFIED -> 0;
          default -> 1;
        };
      }
      TimeUnit.MILLISECONDS.sleep(intervalMillis);
    }
  }

  static String summary(BackfillStatus s) {
    return String.format(Locale.ROOT, "%-28s %-20s %5.1f%% %,12d published %,9.0f rec/s%s%s", s.backfillId(), s.state(),
        s.progress() * 100, s.counter(BackfillCounters.PUBLISHED), s.recordsPerSecond(),
        s.etaSeconds().isPresent() && !s.state().isTerminal() ? " ETA " + s.etaSeconds().getAsLong() + " s" : "",
        s.throttle().map(t -> " " + t).orElse("") + s.reason().map(r -> " (" + r + ")").orElse(""));
  }

  static String detail(BackfillStatus s) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%s  %s%s%n", s.backfillId(), s.state(), s.reason().map(r -> ": " + r).orElse("")));
    out.append(String.format(Locale.ROOT, "  %s %5.1f%%  %,.0f records/s%s%n", bar(s.progress(), 40), s.progress() * 100,
        s.recordsPerSecond(), s.etaSeconds().isPresent() ? "  ETA " + s.etaSeconds().getAsLong() + " s" : ""));
    for (PartitionProgress p : s.partitions()) {
      long planned = p.endOffset() - p.startOffset();
      double done = planned == 0 ? 1 : (double) p.consumed() / planned;
      out.append(String.format(Locale.ROOT, "  p%-3d %s %5.1f%%  %,d / %,d%n", p.partition(), bar(done, 30), done * 100,
          p.consumed(), planned));
    }
    out.append("  ").append(new java.util.TreeMap<>(s.counters())).append(System.lineSeparator());
    s.throttle().ifPresent(t -> out.append("  ").append(t).append(System.lineSeparator()));
    s.rejectedCommand().ifPresent(r -> out.append("  last refused command: ").append(r).append(System.lineSeparator()));
    return out.toString();
  }

  static String bar(double share, int width) {
    int filled = (int) Math.round(Math.max(0, Math.min(1, share)) * width);
    return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "]";
  }
}
