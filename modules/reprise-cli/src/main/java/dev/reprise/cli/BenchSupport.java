package dev.reprise.cli;

import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** What the benchmarks share: child JVMs that report one result line, full-history replays, scratch space. */
final class BenchSupport {

  private BenchSupport() {}

  /** A JVM like this one (same classpath) with {@code -Xmx heap} and {@code options}, running {@code reprise args}. */
  static List<String> javaCommand(String heap, List<String> options, String... args) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + heap));
    command.addAll(options);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), RepriseCli.class.getName()));
    command.addAll(List.of(args));
    return command;
  }

  /**
   * One side of a benchmark running in a JVM of its own: its output goes to a file the driver
   * reads, its log to another that is kept when it fails.
   */
  static final class Side {
    private final String what;
    private final Process process;
    private final Path output;
    private final Path log;

    private Side(String what, Process process, Path output, Path log) {
      this.what = what;
      this.process = process;
      this.output = output;
      this.log = log;
    }

    static Side start(String what, List<String> command) throws IOException {
      Path output = Files.createTempFile("reprise-bench-" + what.replace(' ', '-'), ".out");
      Path log = Files.createTempFile("reprise-bench-" + what.replace(' ', '-'), ".log");
      Process process = new ProcessBuilder(command).redirectOutput(output.toFile()).redirectError(log.toFile()).start();
      return new Side(what, process, output, log);
    }

    ProcessHandle handle() {
      return process.toHandle();
    }

    boolean alive() {
      return process.isAlive();
    }

    /** Waits until the side prints a line containing {@code marker}. */
    void awaitLine(String marker, Duration timeout) throws IOException, InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (Files.readString(output).indexOf(marker) < 0) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException("the " + what + " did not print '" + marker + "' (alive: "
              + process.isAlive() + "; log: " + log + ")");
        }
        Thread.sleep(50);
      }
    }

    /**
     * Ends a side started with {@code --linger} by closing its standard input, or any other by
     * SIGTERM ({@code terminate}); returns what it printed. Fails if it exits with an error.
     */
    List<String> finish(boolean terminate) throws IOException, InterruptedException {
      process.getOutputStream().close();
      if (terminate) {
        process.destroy();
      }
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("the " + what + " did not stop within 60 s (log: " + log + ")");
      }
      // 143: the SIGTERM asked for.
      if (process.exitValue() != 0 && !(terminate && process.exitValue() == 143)) {
        throw new IllegalStateException("the " + what + " failed (exit " + process.exitValue() + "; log: " + log + ")");
      }
      List<String> lines = Files.readAllLines(output);
      Files.deleteIfExists(output);
      Files.deleteIfExists(log);
      return lines;
    }
  }

  /**
   * For a side's JVM run with {@code --linger}: stay alive, so that the driver reads this JVM's CPU
   * time after its last commit, until the driver closes standard input.
   */
  static void lingerUntilStdinCloses() throws IOException {
    while (System.in.read() >= 0) {
      // Nothing is sent; end of input is the signal.
    }
  }

  /** Bytes that {@code topics}' replicas take on the brokers' disks now. */
  static long topicBytes(Admin admin, Collection<String> topics) throws Exception {
    var brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream().map(n -> n.id()).toList();
    long bytes = 0;
    for (var perBroker : admin.describeLogDirs(brokers).allDescriptions().get(30, TimeUnit.SECONDS).values()) {
      for (var dir : perBroker.values()) {
        for (Map.Entry<TopicPartition, ReplicaInfo> replica : dir.replicaInfos().entrySet()) {
          if (topics.contains(replica.getKey().topic())) {
            bytes += replica.getValue().size();
          }
        }
      }
    }
    return bytes;
  }

  /**
   * Per partition of {@code topic}, the offset after its last data record: what a group that has
   * handled everything commits. On a transactional topic the log end is one past the last commit
   * marker, which a Streams app may never commit past.
   */
  static Map<TopicPartition, Long> dataEnds(Map<String, Object> clientConfig, String topic) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put("isolation.level", "read_committed");
    config.put("enable.auto.commit", false);
    Map<TopicPartition, Long> ends = new HashMap<>();
    try (var consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(info -> new TopicPartition(topic, info.partition())).toList();
      Map<TopicPartition, Long> logEnds = consumer.endOffsets(partitions);
      for (TopicPartition partition : partitions) {
        ends.put(partition, lastRecordEnd(consumer, partition, logEnds.get(partition)));
      }
    }
    return ends;
  }

  private static long lastRecordEnd(KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition, long logEnd) {
    consumer.assign(List.of(partition));
    for (long back = 16; ; back *= 4) {
      long from = Math.max(0, logEnd - back);
      consumer.seek(partition, from);
      long last = -1;
      while (consumer.position(partition) < logEnd) {
        for (var record : consumer.poll(Duration.ofMillis(200))) {
          last = Math.max(last, record.offset());
        }
      }
      if (last >= 0 || from == 0) {
        return last + 1;
      }
    }
  }

  /** Deletes {@code topics} that exist, waiting for the deletion. */
  static void deleteTopics(Admin admin, Collection<String> topics) throws Exception {
    Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
    List<String> present = topics.stream().filter(existing::contains).toList();
    if (!present.isEmpty()) {
      admin.deleteTopics(present).all().get(60, TimeUnit.SECONDS);
    }
  }

  /** An EXECUTE request for all of {@code source}'s history, effects suppressed. */
  static BackfillRequest fullHistory(String backfillId, String source, String reason) {
    // The one wall-clock read: 'to' must not be in the future, and everything seeded is before now.
    return new BackfillRequest(backfillId, source, Instant.parse("2000-01-01T00:00:00Z"),
        Instant.now().truncatedTo(ChronoUnit.SECONDS), Map.of(), OptionalInt.empty(),
        BackfillRequest.Mode.EXECUTE, List.of(), OptionalDouble.empty(), BackfillRequest.EffectsPolicy.SUPPRESS,
        Optional.of("bench"), Optional.of(reason));
  }

  /**
   * Polls the status of {@code backfillId} until it is terminal, printing progress every 2 s to
   * {@code progress} if given; fails if {@code coordinator} (if given) exits first.
   */
  static BackfillStatus awaitFinished(BackfillClient client, String backfillId, Process coordinator, PrintWriter progress)
      throws InterruptedException {
    long began = System.nanoTime();
    long nextReport = began + Duration.ofSeconds(2).toNanos();
    while (true) {
      Optional<BackfillStatus> status = client.status(backfillId);
      if (status.isPresent() && status.get().state().isTerminal()) {
        return status.get();
      }
      if (progress != null && status.isPresent() && System.nanoTime() > nextReport) {
        nextReport += Duration.ofSeconds(2).toNanos();
        progress.printf(Locale.ROOT, "    %4.0f s: %5.1f%% scanned, %,.0f records/s now%n",
            (System.nanoTime() - began) / 1e9, status.get().progress() * 100, status.get().recordsPerSecond());
        progress.flush();
      }
      if (coordinator != null && !coordinator.isAlive()) {
        throw new IllegalStateException("the coordinator process exited with " + coordinator.exitValue());
      }
      Thread.sleep(50);
    }
  }

  static void deleteQuietly(Path directory) {
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // Scratch space under the temp directory; the OS cleans it eventually.
    }
  }
}
