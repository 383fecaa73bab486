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
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ReplicaInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reprise bench replay}: the coordinator's replay throughput against the bare
 * transactional copy of the same topic on the same broker, and the coordinator's peak heap.
 *
 * <p>The baseline and the coordinator each run in a fresh JVM with the same {@code -Xmx}: both
 * start equally cold (JIT compilation is a real share of a short replay on a small machine), and
 * the coordinator's heap is measured apart from the embedded broker's. Both throughputs are end to
 * end: from starting the copy (or publishing the request) to the last commit (or the COMPLETED
 * status).
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Seed N events, then measure (a) a bare transactional consume->produce copy of the topic and (b) the"
        + " coordinator replaying the same records (decode, upcast to v3, filter, encode, exactly once). Prints"
        + " records/s of both, their ratio, the coordinator's peak heap, and a JSON object as the last line."})
final class BenchReplayCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ConnectionOptions connection = new ConnectionOptions();

  @Option(names = "--events", paramLabel = "N", defaultValue = "200000", description = "Events to seed and replay (default: ${DEFAULT-VALUE}).")
  long events;

  @Option(names = "--partitions", defaultValue = "3", description = "Partitions of the source topic (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--seed", defaultValue = "42", description = "History seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--coordinator-heap", defaultValue = "256m", description = "-Xmx of the JVMs of the baseline and the coordinator (default: ${DEFAULT-VALUE}).")
  String coordinatorHeap;

  @Option(names = "--coordinator-java-option", paramLabel = "OPTION",
      description = "An extra option for the JVMs of the baseline and the coordinator, e.g. a profiler; repeatable.")
  List<String> coordinatorJavaOptions = List.of();

  @Option(names = "--keep-topics", description = "Keep the benchmark's topics (default: deleted at the end).")
  boolean keepTopics;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    String run = UUID.randomUUID().toString().substring(0, 8);
    String source = "bench-replay-" + run;
    String copyTopic = "bench-copy-" + run;
    String backfillId = "bench-" + run;
    try (var platform = connection.connect();
        var registry = platform.registry();
        var admin = Admin.create(Map.of("bootstrap.servers", platform.bootstrapServers()))) {
      out.printf("Seeding %,d events into '%s' (%d partitions) on %s%s%n", events, source, partitions,
          platform.bootstrapServers(), platform.isEmbedded() ? " (embedded)" : "");
      out.flush();
      HistorySummary summary = new HistoryWriter(Map.of("bootstrap.servers", platform.bootstrapServers()), registry)
          .write(source, partitions, new HistoryGenerator(HistorySpec.builder().events(events).seed(seed).build()));
      double avgBytes = (double) topicBytes(admin, source) / summary.records();
      out.printf("  %,d records, %.0f bytes each on average (on disk, with batch overhead)%n", summary.records(), avgBytes);

      admin.createTopics(List.of(new NewTopic(copyTopic, Optional.of(partitions), Optional.empty()))).all().get(30, TimeUnit.SECONDS);
      out.printf("(a) baseline (own JVM, -Xmx%s): bare transactional copy, consume -> produce, no decoding ...%n",
          coordinatorHeap);
      out.flush();
      BenchSupport.Result copy = BenchSupport.runChild("baseline copy", BenchSupport.javaCommand(coordinatorHeap,
          coordinatorJavaOptions, "bench", "copy", "--bootstrap-server", platform.bootstrapServers(), "--source", source,
          "--target", copyTopic));
      long copied = copy.handled();
      double baselineSeconds = copy.seconds();
      double baselineRate = copy.rate();
      out.printf(Locale.ROOT, "    %,d records in %.2f s = %,.0f records/s%n", copied, baselineSeconds, baselineRate);

      out.printf("(b) coordinator (own JVM, -Xmx%s): replay to v3, exactly once ...%n", coordinatorHeap);
      out.flush();
      Path childOut = Files.createTempFile("reprise-bench-coordinator", ".out");
      Path childLog = Files.createTempFile("reprise-bench-coordinator", ".log");
      Process child = new ProcessBuilder(BenchSupport.javaCommand(coordinatorHeap, coordinatorJavaOptions,
          "coordinator", "--bootstrap-server", platform.bootstrapServers(), "--schema-registry",
          platform.schemaRegistryUrl(), "--allow-topic", source, "--instance-id", "bench-" + run, "--report-heap"))
          .redirectOutput(childOut.toFile())
          .redirectError(childLog.toFile())
          .start();
      final BackfillStatus done;
      double coordinatorSeconds;
      String heapJson;
      try (var client = BackfillClient.create(Map.of("bootstrap.servers", platform.bootstrapServers()), registry)) {
        awaitLine(childOut, "serving", child, Duration.ofSeconds(120));
        long began = System.nanoTime();
        client.submit(BenchSupport.fullHistory(backfillId, source, "reprise bench replay"));
        done = BenchSupport.awaitFinished(client, backfillId, child, out);
        // From the first RUNNING commit to the COMPLETED one, both stamped by the coordinator: the
        // replay itself, without the group join and planning that precede it.
        coordinatorSeconds = done.startedAt()
            .map(started -> Duration.between(started, done.updatedAt()).toNanos() / 1e9)
            .orElse((System.nanoTime() - began) / 1e9);
      } finally {
        child.destroy();
        if (!child.waitFor(60, TimeUnit.SECONDS)) {
          child.destroyForcibly();
        }
      }
      heapJson = Files.readAllLines(childOut).stream().filter(l -> l.startsWith("{\"peakLiveHeapMb\"")).findFirst()
          .orElse("{}");
      if (done.state() != BackfillState.COMPLETED) {
        out.printf("coordinator ended %s: %s (log: %s)%n", done.state(), done.reason().orElse("?"), childLog);
        return 1;
      }
      long scanned = done.counter(BackfillCounters.SCANNED);
      double coordinatorRate = scanned / coordinatorSeconds;
      out.printf(Locale.ROOT, "    %,d records in %.2f s = %,.0f records/s (published %,d, filtered %,d, tombstones %,d,"
              + " dead-lettered %,d)%n", scanned, coordinatorSeconds, coordinatorRate,
          done.counter(BackfillCounters.PUBLISHED), done.counter(BackfillCounters.FILTERED_OUT),
          done.counter(BackfillCounters.TOMBSTONES), done.counter(BackfillCounters.DEAD_LETTERED));
      double ratio = coordinatorRate / baselineRate;
      out.printf(Locale.ROOT, "ratio coordinator / baseline = %.2f (goal >= 0.70)%n", ratio);
      out.printf("coordinator heap: %s%n", heapJson);
      if (!keepTopics) {
        admin.deleteTopics(List.of(source, copyTopic, ControlTopics.backfillTopic(backfillId),
            ControlTopics.deadLetterTopic(backfillId))).all().get(60, TimeUnit.SECONDS);
      }
      out.printf(Locale.ROOT, "{\"benchmark\": \"replay\", \"events\": %d, \"partitions\": %d, \"avgRecordBytes\": %.0f,"
              + " \"baselineRecordsPerSecond\": %.0f, \"coordinatorRecordsPerSecond\": %.0f, \"ratio\": %.3f,"
              + " \"published\": %d, \"deadLettered\": %d, \"coordinatorHeap\": %s}%n",
          events, partitions, avgBytes, baselineRate, coordinatorRate, ratio, done.counter(BackfillCounters.PUBLISHED),
          done.counter(BackfillCounters.DEAD_LETTERED), heapJson);
      return 0;
    }
  }

  private static void awaitLine(Path file, String marker, Process child, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (Files.readString(file).indexOf(marker) < 0) {
      if (!child.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("the coordinator process did not start (alive: " + child.isAlive() + ")");
      }
      Thread.sleep(100);
    }
  }

  private static long topicBytes(Admin admin, String topic) throws Exception {
    var brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream().map(n -> n.id()).toList();
    long bytes = 0;
    for (var perBroker : admin.describeLogDirs(brokers).allDescriptions().get(30, TimeUnit.SECONDS).values()) {
      for (var dir : perBroker.values()) {
        for (Map.Entry<org.apache.kafka.common.TopicPartition, ReplicaInfo> replica : dir.replicaInfos().entrySet()) {
          if (replica.getKey().topic().equals(topic)) {
            bytes += replica.getValue().size();
          }
        }
      }
    }
    return bytes;
  }
}
