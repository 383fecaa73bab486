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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reprise bench workflow}: a Reprise workflow (decode, upcast, dedup by event id, receipt,
 * effects suppressed) against a bare {@code exactly_once_v2} Kafka Streams app that dedups the same
 * records by key in a persistent store, each in a fresh JVM, on the same backfill topic, over
 * repeated runs in alternating order. Timed as {@code bench replay} is (see {@link
 * BenchReplayCommand}): by the offsets each commits, the broker in a JVM of its own.
 *
 * <p>Usage: {@code reprise bench workflow --events 1000000 --runs 3}; the last line is JSON.
 */
@Command(name = "workflow", mixinStandardHelpOptions = true,
    description = {"Seed N events and replay them into a backfill topic, then measure, --runs times in alternating"
        + " order, (a) a bare exactly_once_v2 Kafka Streams app deduplicating them by key with a persistent store and"
        + " (b) a Reprise workflow with effects suppressed, each in a fresh JVM, timed by the offsets each commits."
        + " Prints records/s, CPU per million records (own JVM, broker), bytes written per record, the ratio, and a"
        + " JSON object as the last line."})
final class BenchWorkflowCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ConnectionOptions connection = new ConnectionOptions();

  @Option(names = "--events", paramLabel = "N", defaultValue = "200000", description = "Events (default: ${DEFAULT-VALUE}).")
  long events;

  @Option(names = "--partitions", defaultValue = "3", description = "Partitions (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--runs", defaultValue = "3", description = "Runs of each side, in alternating order (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--heap", defaultValue = "512m", description = "-Xmx of both apps' JVMs (default: ${DEFAULT-VALUE}).")
  String heap;

  @Option(names = "--java-option", paramLabel = "OPTION",
      description = "An extra option for both apps' JVMs, e.g. a profiler; repeatable.")
  List<String> javaOptions = List.of();

  @Override
  public Integer call() throws Exception {
    if (runs < 1) {
      throw new UsageException("--runs must be at least 1, was " + runs);
    }
    PrintWriter out = spec.commandLine().getOut();
    String id = UUID.randomUUID().toString().substring(0, 8);
    String source = "bench-workflow-" + id;
    String backfillId = "bench-workflow-" + id;
    String topic = ControlTopics.backfillTopic(backfillId);
    try (BenchPlatform bench = BenchPlatform.open(connection, out);
        var registry = bench.connection().registry();
        var admin = Admin.create(bench.connection().clientConfig());
        var client = BackfillClient.create(bench.connection().clientConfig(), registry)) {
      out.printf("Seeding %,d events into '%s' and replaying them into %s on %s ...%n", events, source, topic,
          bench.describe());
      out.flush();
      new HistoryWriter(bench.connection().clientConfig(), registry)
          .write(source, partitions, new HistoryGenerator(HistorySpec.builder().events(events).seed(42).build()));
      BackfillStatus done;
      try (var coordinator = ReplayCoordinator.builder().bootstrapServers(bench.bootstrapServers())
          .schemaRegistry(registry).allowedSourceTopics(Set.of(source)).build().start()) {
        client.submit(BenchSupport.fullHistory(backfillId, source, "reprise bench workflow"));
        done = BenchSupport.awaitFinished(client, backfillId, null, null);
      }
      if (done.state() != BackfillState.COMPLETED) {
        out.printf("the backfill ended %s: %s%n", done.state(), done.reason().orElse("?"));
        return 1;
      }
      long records = done.counter(BackfillCounters.PUBLISHED);
      Map<TopicPartition, Long> end = BenchSupport.dataEnds(bench.connection().clientConfig(), topic);
      out.printf("  %,d records in the backfill topic; both apps in fresh JVMs (-Xmx%s), timed from their first to"
          + " their last committed offset; %d runs, order alternating%n", records, heap, runs);
      SideFigures baseline = new SideFigures("baseline");
      SideFigures workflow = new SideFigures("workflow");
      List<Double> ratios = new ArrayList<>();
      for (int run = 1; run <= runs; run++) {
        out.printf("run %d of %d%n", run, runs);
        boolean baselineFirst = run % 2 == 1;
        for (int side = 0; side < 2; side++) {
          boolean isBaseline = baselineFirst == (side == 0);
          measure(bench, admin, isBaseline ? "dedup" : "workflow", backfillId, records, end, id + "-" + run,
              isBaseline ? baseline : workflow, out);
        }
        ratios.add(workflow.lastRate() / baseline.lastRate());
        out.printf(Locale.ROOT, "    ratio %.2f%n", ratios.get(ratios.size() - 1));
        out.flush();
      }
      BenchSupport.deleteTopics(admin, List.of(source, topic, ControlTopics.deadLetterTopic(backfillId)));
      out.printf("Summary over %d runs: median (min, max)%n", runs);
      baseline.describe(out);
      workflow.describe(out);
      Spread ratio = Spread.of(ratios);
      out.printf("  ratio workflow / baseline: %s (goal: median >= 0.90)%n", ratio.describe("%.2f"));
      out.printf(Locale.ROOT, "{\"benchmark\": \"workflow\", \"events\": %d, \"records\": %d, \"partitions\": %d,"
              + " \"runs\": %d, \"baseline\": %s, \"workflow\": %s, \"ratio\": %s}%n",
          events, records, partitions, runs, baseline.json(), workflow.json(), ratio.json());
      return 0;
    }
  }

  /** Runs one side in a fresh JVM, times it by its group's commits, then deletes the topics it made. */
  private void measure(BenchPlatform bench, Admin admin, String mode, String backfillId, long records,
      Map<TopicPartition, Long> end, String run, SideFigures figures, PrintWriter out) throws Exception {
    Path state = Files.createTempDirectory("reprise-bench-" + mode);
    try {
      CommittedWindow.settle(bench.broker(), Duration.ofSeconds(60));
      BenchSupport.Side side = BenchSupport.Side.start(mode + " app", BenchSupport.javaCommand(heap, javaOptions,
          "bench", "app", "--mode", mode, "--bootstrap-server", bench.bootstrapServers(), "--schema-registry",
          bench.schemaRegistryUrl(), "--topic", ControlTopics.backfillTopic(backfillId), "--backfill", backfillId,
          "--records", Long.toString(records), "--state-dir", state.toString(), "--run", run, "--linger"));
      CommittedWindow.Measurement measured = CommittedWindow.observe(admin, BenchAppCommand.groupOf(mode, run), end,
          side.handle(), bench.broker(), side::alive, Duration.ofMinutes(15));
      side.finish(false);
      // What the side wrote: its output, receipts, changelogs; every topic it made carries the run's name.
      List<String> made = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
          .filter(name -> name.contains(run)).toList();
      figures.add(measured, (double) BenchSupport.topicBytes(admin, made) / records, out);
      BenchSupport.deleteTopics(admin, made);
    } finally {
      BenchSupport.deleteQuietly(state);
    }
  }
}
