package dev.reprise.cli;

import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistorySummary;
import dev.reprise.history.HistoryWriter;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillCounters;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.ControlTopics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reprise bench replay}: the coordinator's replay throughput against the bare
 * transactional copy of the same topic on the same broker, over repeated runs.
 *
 * <p>What makes the comparison fair:
 * <ul>
 *   <li>One timer for both: {@link CommittedWindow}, the input offsets each side commits in its
 *       transactions, read from outside. Client start, group join and planning fall before its
 *       first commit for both sides alike.
 *   <li>Each side runs in a fresh JVM with the same {@code -Xmx}, the broker in a JVM of its own
 *       ({@link BenchPlatform}); the driver's own clients (status reads) run outside both windows.
 *   <li>Before each side the broker settles (the previous side's deletions and flushes done), and
 *       the order alternates between runs, so neither side always comes first on a broker that
 *       gets faster as it warms up.
 *   <li>Per side: records/s, CPU-seconds of its JVM and of the broker per million records, bytes
 *       written per input record; min, median and max over the runs; the ratio per run (paired).
 * </ul>
 *
 * <p>Usage: {@code reprise bench replay --events 1000000 --runs 3}; the last line is JSON.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Seed N events, then measure, --runs times in alternating order, (a) a bare transactional"
        + " consume->produce copy of the topic and (b) the coordinator replaying the same records (decode, upcast to"
        + " v3, filter, encode, exactly once), each in a fresh JVM, timed by the offsets each commits. Prints"
        + " records/s, CPU per million records (own JVM, broker), bytes written per record, the ratio, request to"
        + " first record, the coordinator's heap, and a JSON object as the last line."})
final class BenchReplayCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ConnectionOptions connection = new ConnectionOptions();

  @Option(names = "--events", paramLabel = "N", defaultValue = "200000", description = "Events to seed and replay (default: ${DEFAULT-VALUE}).")
  long events;

  @Option(names = "--partitions", defaultValue = "3", description = "Partitions of the source topic (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--runs", defaultValue = "3", description = "Runs of each side, in alternating order (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--seed", defaultValue = "42", description = "History seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--coordinator-heap", defaultValue = "256m", description = "-Xmx of the JVMs of the baseline and the coordinator (default: ${DEFAULT-VALUE}).")
  String coordinatorHeap;

  @Option(names = "--coordinator-java-option", paramLabel = "OPTION",
      description = "An extra option for the JVMs of the baseline and the coordinator, e.g. a profiler; repeatable.")
  List<String> coordinatorJavaOptions = List.of();

  @Option(names = "--commit-interval-ms", defaultValue = "500",
      description = "Transaction length of both sides: the coordinator's --commit-interval-ms and the copy's (default:"
          + " ${DEFAULT-VALUE}, the coordinator's default).")
  long commitIntervalMillis;

  @Option(names = "--keep-topics", description = "Keep the benchmark's topics (default: deleted at the end).")
  boolean keepTopics;

  private static final Duration SIDE_TIMEOUT = Duration.ofMinutes(15);
  private static final Duration SETTLE = Duration.ofSeconds(60);

  @Override
  public Integer call() throws Exception {
    if (runs < 1) {
      throw new UsageException("--runs must be at least 1, was " + runs);
    }
    PrintWriter out = spec.commandLine().getOut();
    String id = UUID.randomUUID().toString().substring(0, 8);
    String source = "bench-replay-" + id;
    try (BenchPlatform bench = BenchPlatform.open(connection, out);
        var registry = bench.connection().registry();
        var admin = Admin.create(bench.connection().clientConfig());
        var client = BackfillClient.create(bench.connection().clientConfig(), registry)) {
      out.printf("Seeding %,d events into '%s' (%d partitions) on %s%n", events, source, partitions, bench.describe());
      out.flush();
      HistorySummary summary = new HistoryWriter(bench.connection().clientConfig(), registry)
          .write(source, partitions, new HistoryGenerator(HistorySpec.builder().events(events).seed(seed).build()));
      double avgBytes = (double) BenchSupport.topicBytes(admin, List.of(source)) / summary.records();
      out.printf("  %,d records, %.0f bytes each on average (on disk, with batch overhead)%n", summary.records(), avgBytes);
      Map<TopicPartition, Long> end = BenchSupport.dataEnds(bench.connection().clientConfig(), source);
      long total = end.values().stream().mapToLong(Long::longValue).sum();
      out.printf("Both sides in fresh JVMs (-Xmx%s), transactions of %d ms, timed from their first record written to"
          + " their last offset committed; %d runs, order alternating%n", coordinatorHeap, commitIntervalMillis, runs);
      SideFigures baseline = new SideFigures("baseline");
      SideFigures coordinator = new SideFigures("coordinator");
      List<Double> ratios = new ArrayList<>();
      List<Double> firstRecord = new ArrayList<>();
      List<Double> heap = new ArrayList<>();
      BackfillStatus last = null;
      for (int run = 1; run <= runs; run++) {
        out.printf("run %d of %d%n", run, runs);
        boolean baselineFirst = run % 2 == 1;
        for (int side = 0; side < 2; side++) {
          if (baselineFirst == (side == 0)) {
            copy(bench, admin, source, id + "-" + run, end, total, baseline, out);
          } else {
            last = replay(bench, admin, client, source, id + "-" + run, end, coordinator, firstRecord, heap, out);
            if (last == null) {
              return 1;
            }
          }
        }
        ratios.add(coordinator.lastRate() / baseline.lastRate());
        out.printf(Locale.ROOT, "    ratio %.2f%n", ratios.get(ratios.size() - 1));
        out.flush();
      }
      if (!keepTopics) {
        BenchSupport.deleteTopics(admin, List.of(source));
      }
      out.printf("Summary over %d runs: median (min, max)%n", runs);
      baseline.describe(out);
      coordinator.describe(out);
      Spread ratio = Spread.of(ratios);
      out.printf("  ratio coordinator / baseline: %s (goal: median >= 0.70)%n", ratio.describe("%.2f"));
      out.printf("  request -> first committed record on the backfill topic (fresh coordinator): %s s (goal <= 2 s)%n",
          Spread.of(firstRecord).describe("%.2f"));
      out.printf("  coordinator peak live heap: %s MB%n", Spread.of(heap).describe("%.1f"));
      out.printf(Locale.ROOT, "{\"benchmark\": \"replay\", \"events\": %d, \"records\": %d, \"partitions\": %d,"
              + " \"runs\": %d, \"commitIntervalMs\": %d, \"avgRecordBytes\": %.0f, \"baseline\": %s, \"coordinator\": %s, \"ratio\": %s,"
              + " \"firstRecordSeconds\": %s, \"peakLiveHeapMb\": %s, \"published\": %d, \"deadLettered\": %d}%n",
          events, total, partitions, runs, commitIntervalMillis, avgBytes, baseline.json(), coordinator.json(), ratio.json(),
          Spread.of(firstRecord).json(), Spread.of(heap).json(), last.counter(BackfillCounters.PUBLISHED),
          last.counter(BackfillCounters.DEAD_LETTERED));
      return 0;
    }
  }

  private void copy(BenchPlatform bench, Admin admin, String source, String run, Map<TopicPartition, Long> end,
      long total, SideFigures figures, PrintWriter out) throws Exception {
    String target = "bench-copy-" + run;
    String group = "reprise.bench.copy." + run;
    admin.createTopics(List.of(new NewTopic(target, Optional.of(partitions), Optional.empty())))
        .all().get(30, TimeUnit.SECONDS);
    CommittedWindow.settle(bench.broker(), SETTLE);
    BenchSupport.Side side = BenchSupport.Side.start("baseline copy", BenchSupport.javaCommand(coordinatorHeap,
        coordinatorJavaOptions, "bench", "copy", "--bootstrap-server", bench.bootstrapServers(), "--source", source,
        "--target", target, "--group", group, "--commit-interval-ms", Long.toString(commitIntervalMillis), "--linger"));
    CommittedWindow.Measurement measured = CommittedWindow.observe(admin, group, end, List.of(target), side.handle(),
        bench.broker(), side::alive, SIDE_TIMEOUT);
    side.finish(false);
    figures.add(measured, (double) BenchSupport.topicBytes(admin, List.of(target)) / total, out);
    if (!keepTopics) {
      BenchSupport.deleteTopics(admin, List.of(target));
    }
  }

  /** One coordinator run; null (after saying why) if the backfill did not complete. */
  private BackfillStatus replay(BenchPlatform bench, Admin admin, BackfillClient client, String source, String run,
      Map<TopicPartition, Long> end, SideFigures figures, List<Double> firstRecord, List<Double> heap,
      PrintWriter out) throws Exception {
    String backfillId = "bench-" + run;
    BenchSupport.Side side = BenchSupport.Side.start("coordinator", BenchSupport.javaCommand(coordinatorHeap,
        coordinatorJavaOptions, "coordinator", "--bootstrap-server", bench.bootstrapServers(), "--schema-registry",
        bench.schemaRegistryUrl(), "--allow-topic", source, "--instance-id", backfillId, "--report-heap",
        "--http-port", "0", "--commit-interval-ms", Long.toString(commitIntervalMillis)));
    BackfillStatus done;
    CommittedWindow.Measurement measured;
    List<String> printed;
    try {
      side.awaitLine("serving", Duration.ofSeconds(120));
      CommittedWindow.settle(bench.broker(), SETTLE);
      client.submit(BenchSupport.fullHistory(backfillId, source, "reprise bench replay"));
      measured = CommittedWindow.observe(admin, ControlTopics.replayGroup(backfillId), end,
          List.of(ControlTopics.backfillTopic(backfillId), ControlTopics.deadLetterTopic(backfillId)), side.handle(),
          bench.broker(), side::alive, SIDE_TIMEOUT);
      done = BenchSupport.awaitFinished(client, backfillId, null, null);
    } finally {
      printed = side.finish(true);
    }
    if (done.state() != BackfillState.COMPLETED) {
      out.printf("coordinator ended %s: %s%n", done.state(), done.reason().orElse("?"));
      return null;
    }
    List<String> written = List.of(ControlTopics.backfillTopic(backfillId), ControlTopics.deadLetterTopic(backfillId));
    long total = end.values().stream().mapToLong(Long::longValue).sum();
    figures.add(measured, (double) BenchSupport.topicBytes(admin, written) / total, out);
    firstRecord.add(measured.toFirstCommit().toNanos() / 1e9);
    printed.stream().filter(l -> l.startsWith("{\"peakLiveHeapMb\"")).findFirst()
        .map(l -> Double.parseDouble(l.replaceAll(".*\"peakLiveHeapMb\": ([0-9.]+).*", "$1")))
        .ifPresent(heap::add);
    if (!keepTopics) {
      BenchSupport.deleteTopics(admin, written);
    }
    return done;
  }
}
