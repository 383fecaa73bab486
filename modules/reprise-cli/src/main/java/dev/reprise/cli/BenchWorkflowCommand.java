package dev.reprise.cli;

import dev.reprise.coordinator.ReplayCoordinator;
import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillCounters;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.ControlTopics;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reprise bench workflow}: a Reprise workflow (decode, upcast, dedup by event id, receipt,
 * effects suppressed) against a bare {@code exactly_once_v2} Kafka Streams app that dedups the same
 * records by key in a persistent store, each in a fresh JVM, on the same backfill topic.
 */
@Command(name = "workflow", mixinStandardHelpOptions = true,
    description = {"Seed N events and replay them into a backfill topic, then measure (a) a bare exactly_once_v2 Kafka"
        + " Streams app deduplicating them by key with a persistent store and (b) a Reprise workflow with effects"
        + " suppressed. Prints records/s of both, their ratio, and a JSON object as the last line."})
final class BenchWorkflowCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ConnectionOptions connection = new ConnectionOptions();

  @Option(names = "--events", paramLabel = "N", defaultValue = "200000", description = "Events (default: ${DEFAULT-VALUE}).")
  long events;

  @Option(names = "--partitions", defaultValue = "3", description = "Partitions (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--heap", defaultValue = "512m", description = "-Xmx of both apps' JVMs (default: ${DEFAULT-VALUE}).")
  String heap;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    String run = UUID.randomUUID().toString().substring(0, 8);
    String source = "bench-workflow-" + run;
    String backfillId = "bench-workflow-" + run;
    try (var platform = connection.connect();
        var registry = platform.registry();
        var client = BackfillClient.create(Map.of("bootstrap.servers", platform.bootstrapServers()), registry)) {
      out.printf("Seeding %,d events into '%s' and replaying them into %s ...%n", events, source,
          ControlTopics.backfillTopic(backfillId));
      out.flush();
      new HistoryWriter(Map.of("bootstrap.servers", platform.bootstrapServers()), registry)
          .write(source, partitions, new HistoryGenerator(HistorySpec.builder().events(events).seed(42).build()));
      BackfillStatus done;
      try (var coordinator = ReplayCoordinator.builder().bootstrapServers(platform.bootstrapServers())
          .schemaRegistry(registry).allowedSourceTopics(Set.of(source)).build().start()) {
        client.submit(BenchSupport.fullHistory(backfillId, source, "reprise bench workflow"));
        done = BenchSupport.awaitFinished(client, backfillId, null, null);
      }
      if (done.state() != BackfillState.COMPLETED) {
        out.printf("the backfill ended %s: %s%n", done.state(), done.reason().orElse("?"));
        return 1;
      }
      long records = done.counter(BackfillCounters.PUBLISHED);
      out.printf("  %,d records in the backfill topic%n", records);

      out.printf("(a) baseline (own JVM, -Xmx%s): bare Kafka Streams exactly_once_v2, dedup by key in RocksDB ...%n", heap);
      out.flush();
      BenchSupport.Result baseline = runApp(platform.bootstrapServers(), platform.schemaRegistryUrl(), "dedup", backfillId, records);
      double baselineRate = baseline.rate();
      out.printf(Locale.ROOT, "    %,d records in %.2f s = %,.0f records/s%n", baseline.handled(), baseline.seconds(), baselineRate);
      out.printf("(b) Reprise workflow (own JVM, -Xmx%s): upcast, dedup by event id, receipt, effects suppressed ...%n", heap);
      out.flush();
      BenchSupport.Result workflow = runApp(platform.bootstrapServers(), platform.schemaRegistryUrl(), "workflow", backfillId, records);
      double workflowRate = workflow.rate();
      out.printf(Locale.ROOT, "    %,d records in %.2f s = %,.0f records/s%n", workflow.handled(), workflow.seconds(), workflowRate);
      double ratio = workflowRate / baselineRate;
      out.printf(Locale.ROOT, "ratio workflow / baseline = %.2f (goal >= 0.90)%n", ratio);
      out.printf(Locale.ROOT, "{\"benchmark\": \"workflow\", \"events\": %d, \"records\": %d, \"partitions\": %d,"
              + " \"baselineRecordsPerSecond\": %.0f, \"workflowRecordsPerSecond\": %.0f, \"ratio\": %.3f}%n",
          events, records, partitions, baselineRate, workflowRate, ratio);
      return 0;
    }
  }

  /** Runs one side in a fresh JVM. */
  private BenchSupport.Result runApp(String bootstrap, String registryUrl, String mode, String backfillId, long records)
      throws Exception {
    Path state = Files.createTempDirectory("reprise-bench-" + mode);
    try {
      return BenchSupport.runChild(mode + " app", BenchSupport.javaCommand(heap, List.of(), "bench", "app",
          "--mode", mode, "--bootstrap-server", bootstrap, "--schema-registry", registryUrl,
          "--topic", ControlTopics.backfillTopic(backfillId), "--backfill", backfillId, "--records", Long.toString(records),
          "--state-dir", state.toString()));
    } finally {
      BenchSupport.deleteQuietly(state);
    }
  }
}
