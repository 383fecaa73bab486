package dev.reprise.cli;

import dev.reprise.backpressure.GroupLag;
import dev.reprise.backpressure.LagMonitor;
import dev.reprise.backpressure.PartitionLag;
import dev.reprise.backpressure.WorkflowHealth;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code reprise lag GROUP...}: consumer lag per topic and partition, in records and seconds, and the group's status. */
@Command(name = "lag", mixinStandardHelpOptions = true,
    description = {"Consumer-group lag against the last stable offset: per topic and partition, in records and in"
        + " seconds (from real record timestamps), and the group status. Workflows are groups"
        + " 'reprise.workflow.<name>'."})
final class LagCommand extends ClientCommand {

  @Parameters(arity = "1..*", paramLabel = "GROUP")
  List<String> groups;

  @Option(names = "--topic", description = "Only these topics (default: every topic the group committed on).")
  List<String> topics = List.of();

  @Override
  int run(Session session) {
    try (var health = WorkflowHealth.view(session.clientConfig());
        var monitor = LagMonitor.create(session.clientConfig(), Clock.systemUTC(), Duration.ofSeconds(10), health)) {
      for (String group : groups) {
        GroupLag lag = topics.isEmpty() ? monitor.lag(group) : monitor.lag(group, topics);
        session.out().printf(Locale.ROOT, "%s  %s  %,d records behind%s%n", group, lag.status(), lag.records(),
            lag.seconds().isPresent() ? String.format(Locale.ROOT, ", %.1f s", lag.seconds().getAsDouble()) : "");
        for (PartitionLag p : lag.partitions()) {
          session.out().printf(Locale.ROOT, "  %-50s committed %-10s end %-10d lag %,d%s%n", p.partition(),
              p.committed().isPresent() ? Long.toString(p.committed().getAsLong()) : "-", p.endOffset(), p.records(),
              p.seconds().isPresent() ? String.format(Locale.ROOT, " (%.1f s)", p.seconds().getAsDouble()) : "");
        }
      }
      return 0;
    }
  }
}
