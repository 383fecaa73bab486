package dev.reprise.cli;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * One timer for every side of a benchmark, read from outside: from the side's first write to the
 * moment its consumer group has committed the input's end.
 *
 * <p>The coordinator, the bare transactional copy and both Streams apps all commit their input
 * position inside their transactions, so the committed offset of their group is what each has
 * done for good: the window closes when it reaches the input's end. It opens at the first record
 * written to the side's output topics when they are given (the replay benchmark: both sides write
 * one topic, and their transactions may differ in length, so a window opening at the first commit
 * would leave out a different share of each), else at the group's first commit (the Streams apps,
 * which commit every 100 ms); the rate then counts only the records committed inside it. Client
 * start, group join and planning are before it for every side alike. CPU time of the side's JVM
 * and of the broker's is read at both ends, so it covers the same window.
 */
final class CommittedWindow {

  private static final long POLL_MILLIS = 20;

  /**
   * What happened inside the window.
   *
   * @param sinceStart from {@code observe}'s call to the window's opening
   * @param toFirstCommit from {@code observe}'s call to the group's first commit (for the
   *     coordinator: request to the first record a read_committed consumer sees)
   * @param brokerCpuSeconds empty when the broker is not a local process
   */
  record Measurement(long records, double seconds, Duration sinceStart, Duration toFirstCommit, double clientCpuSeconds,
      OptionalDouble brokerCpuSeconds) {

    double rate() {
      return records / seconds;
    }

    double clientCpuPerMillion() {
      return clientCpuSeconds * 1e6 / records;
    }

    OptionalDouble brokerCpuPerMillion() {
      return brokerCpuSeconds.isPresent() ? OptionalDouble.of(brokerCpuSeconds.getAsDouble() * 1e6 / records)
          : OptionalDouble.empty();
    }
  }

  private CommittedWindow() {}

  /**
   * Watches {@code group}'s committed offsets on {@code end}'s partitions until they reach {@code
   * end}.
   *
   * @param alive whether the side is still running; once it is not, one last look decides
   * @throws IllegalStateException if the side ends, or {@code timeout} passes, first
   */
  static Measurement observe(Admin admin, String group, Map<TopicPartition, Long> end, ProcessHandle client,
      Optional<ProcessHandle> broker, BooleanSupplier alive, Duration timeout) throws Exception {
    return observe(admin, group, end, List.of(), client, broker, alive, timeout);
  }

  /**
   * As {@link #observe(Admin, String, Map, ProcessHandle, Optional, BooleanSupplier, Duration)},
   * the window opening at the first record written to {@code written} (partitioned as the input),
   * counting every input record.
   */
  static Measurement observe(Admin admin, String group, Map<TopicPartition, Long> end, List<String> written,
      ProcessHandle client, Optional<ProcessHandle> broker, BooleanSupplier alive, Duration timeout)
      throws Exception {
    long total = end.values().stream().mapToLong(Long::longValue).sum();
    long called = System.nanoTime();
    long deadline = called + timeout.toNanos();
    long openedAt = 0;
    long committedAtOpen = 0;
    double clientCpuAtOpen = 0;
    double brokerCpuAtOpen = 0;
    double clientCpu = 0;
    double brokerCpu = 0;
    long firstCommitAt = 0;
    while (true) {
      boolean stillAlive = alive.getAsBoolean();
      long committed = committed(admin, group, end);
      long now = System.nanoTime();
      // The last reading a process gave: one that has just exited gives none.
      clientCpu = Math.max(clientCpu, cpuSeconds(Optional.of(client)));
      brokerCpu = Math.max(brokerCpu, cpuSeconds(broker));
      if (committed > 0 && firstCommitAt == 0) {
        firstCommitAt = now;
      }
      if (openedAt == 0 && (written.isEmpty() ? committed > 0 : writtenRecords(admin, written, end.size()) > 0)) {
        openedAt = now;
        committedAtOpen = written.isEmpty() ? committed : 0;
        clientCpuAtOpen = clientCpu;
        brokerCpuAtOpen = brokerCpu;
      }
      if (committed >= total) {
        if (committed == committedAtOpen) {
          throw new IllegalStateException("group " + group + " committed all " + total
              + " records in its first transaction: too few records to measure a rate");
        }
        return new Measurement(committed - committedAtOpen, (now - openedAt) / 1e9,
            Duration.ofNanos(openedAt - called), Duration.ofNanos(firstCommitAt - called), clientCpu - clientCpuAtOpen,
            broker.isPresent() ? OptionalDouble.of(brokerCpu - brokerCpuAtOpen) : OptionalDouble.empty());
      }
      if (!stillAlive) {
        throw new IllegalStateException("the side committing as " + group + " ended after " + committed + " of "
            + total + " records");
      }
      if (now > deadline) {
        throw new IllegalStateException("group " + group + " committed " + committed + " of " + total
            + " records in " + timeout.toSeconds() + " s");
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  /**
   * Waits until the broker uses less than a quarter of a core over a second, at most {@code
   * atMost}: the previous side's topic deletions, log flushes and compaction are then behind it, so
   * whichever side runs next does not pay for them. Sampling the broker's CPU over a second is
   * the measurement itself, so this sleeps rather than waits on an event.
   */
  static void settle(Optional<ProcessHandle> broker, Duration atMost) throws InterruptedException {
    if (broker.isEmpty()) {
      return;
    }
    long began = System.nanoTime();
    double before = cpuSeconds(broker);
    while (System.nanoTime() - began < atMost.toNanos()) {
      Thread.sleep(1000);
      double after = cpuSeconds(broker);
      if (after - before < 0.25) {
        break;
      }
      before = after;
    }
  }

  /** Records written (committed or not) to {@code topics}; 0 for a topic not made yet. */
  private static long writtenRecords(Admin admin, List<String> topics, int partitions) {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (String topic : topics) {
      for (int p = 0; p < partitions; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
    }
    try {
      return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
          .mapToLong(info -> info.offset()).sum();
    } catch (Exception e) {
      return 0;   // not created yet, or its metadata not everywhere yet
    }
  }

  private static long committed(Admin admin, String group, Map<TopicPartition, Long> end) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
    long committed = 0;
    for (Map.Entry<TopicPartition, Long> partition : end.entrySet()) {
      OffsetAndMetadata offset = offsets.get(partition.getKey());
      if (offset != null) {
        committed += Math.min(offset.offset(), partition.getValue());
      }
    }
    return committed;
  }

  static double cpuSeconds(Optional<ProcessHandle> process) {
    return process.flatMap(p -> p.info().totalCpuDuration()).map(d -> d.toNanos() / 1e9).orElse(0.0);
  }
}
