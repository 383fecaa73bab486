package dev.reprise.cli;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * One timer for every side of a benchmark: the input offsets a consumer group has committed, seen
 * from outside.
 *
 * <p>The coordinator, the bare transactional copy and both Streams apps all commit their input
 * position inside their transactions, so the committed offset of their group is what each has
 * done for good. The window opens at the first commit (client start, group join and planning are
 * before it, for every side alike) and closes when the group has committed the input's end. Its
 * rate counts only the records committed inside it. CPU time of the side's JVM and of the broker's
 * is read at both ends, so it too covers the same window.
 */
final class CommittedWindow {

  private static final long POLL_MILLIS = 20;

  /**
   * What happened inside the window.
   *
   * @param sinceStart from {@code observe}'s call to the first commit (for the coordinator: request
   *     to first committed record)
   * @param brokerCpuSeconds empty when the broker is not a local process
   */
  record Measurement(long records, double seconds, Duration sinceStart, double clientCpuSeconds,
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
    long total = end.values().stream().mapToLong(Long::longValue).sum();
    long called = System.nanoTime();
    long deadline = called + timeout.toNanos();
    long openedAt = 0;
    long committedAtOpen = 0;
    double clientCpuAtOpen = 0;
    double brokerCpuAtOpen = 0;
    double clientCpu = 0;
    double brokerCpu = 0;
    while (true) {
      boolean stillAlive = alive.getAsBoolean();
      long committed = committed(admin, group, end);
      long now = System.nanoTime();
      // The last reading a process gave: one that has just exited gives none.
      clientCpu = Math.max(clientCpu, cpuSeconds(Optional.of(client)));
      brokerCpu = Math.max(brokerCpu, cpuSeconds(broker));
      if (committed > 0 && openedAt == 0) {
        openedAt = now;
        committedAtOpen = committed;
        clientCpuAtOpen = clientCpu;
        brokerCpuAtOpen = brokerCpu;
      }
      if (committed >= total) {
        if (committed == committedAtOpen) {
          throw new IllegalStateException("group " + group + " committed all " + total
              + " records in its first transaction: too few records to measure a rate");
        }
        return new Measurement(committed - committedAtOpen, (now - openedAt) / 1e9,
            Duration.ofNanos(openedAt - called), clientCpu - clientCpuAtOpen,
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
   * whichever side runs next does not pay for them. Returns the seconds waited.
   */
  static double settle(Optional<ProcessHandle> broker, Duration atMost) throws InterruptedException {
    if (broker.isEmpty()) {
      return 0;
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
    return (System.nanoTime() - began) / 1e9;
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
