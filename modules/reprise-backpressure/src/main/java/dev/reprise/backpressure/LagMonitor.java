package dev.reprise.backpressure;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Measures consumer-group lag over the Admin API: per topic and partition the committed offset,
 * the last stable offset (read_committed: transactional topics' open transactions are not lag
 * yet), the lag in records, and the lag in time, from the real timestamp of the next record the
 * group has to read (not an interpolation table, which fails for a group that starts at the
 * beginning of a topic). It keeps a short history per group to judge its {@link GroupStatus}.
 *
 * <p>Thread-safe for different groups; one instance serves a coordinator.
 *
 * <pre>{@code
 * try (LagMonitor lag = LagMonitor.create(Map.of("bootstrap.servers", "127.0.0.1:9092"), Clock.systemUTC())) {
 *   GroupLag notify = lag.lag("reprise.workflow.notify", List.of("reprise.backfill.b-1"));
 *   notify.records(); notify.seconds(); notify.status();
 * }
 * }</pre>
 */
public final class LagMonitor implements AutoCloseable {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Admin admin;
  private final KafkaConsumer<byte[], byte[]> peeker;
  private final Clock clock;
  private final Duration window;
  private final Predicate<String> pausedByBackpressure;
  private final Map<String, Deque<Sample>> history = new ConcurrentHashMap<>();

  private record Sample(Instant at, Map<TopicPartition, Long> committed, long records) {}

  private LagMonitor(Map<String, ?> clientConfig, Clock clock, Duration window, Predicate<String> pausedByBackpressure) {
    this.admin = Admin.create(Map.copyOf(clientConfig));
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    this.peeker = new KafkaConsumer<>(config);
    this.clock = clock;
    this.window = window;
    this.pausedByBackpressure = pausedByBackpressure;
  }

  /** A monitor judging status over 10 s, knowing of no paused group. */
  public static LagMonitor create(Map<String, ?> clientConfig, Clock clock) {
    return create(clientConfig, clock, Duration.ofSeconds(10), group -> false);
  }

  /**
   * @param window how long offsets must stand still to call a group stalled, and lag grow to call
   *     it falling behind
   * @param pausedByBackpressure which groups their application says are paused on purpose
   */
  public static LagMonitor create(Map<String, ?> clientConfig, Clock clock, Duration window,
      Predicate<String> pausedByBackpressure) {
    return new LagMonitor(clientConfig, clock, window, pausedByBackpressure);
  }

  /**
   * The lag of {@code group} on every topic it has committed offsets for: how a live group is
   * watched.
   *
   * @throws LagUnavailableException if the cluster does not answer in time
   */
  public GroupLag lag(String group) {
    try {
      Set<String> topics = new java.util.TreeSet<>();
      committed(group).keySet().forEach(p -> topics.add(p.topic()));
      if (topics.isEmpty()) {
        return new GroupLag(group, clock.instant(), List.of(), GroupStatus.NOT_STARTED);
      }
      return lag(group, topics);
    } catch (ExecutionException e) {
      throw new LagUnavailableException("cannot read the offsets of group '" + group + "': " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new LagUnavailableException("the offsets of group '" + group + "' are not known within "
          + TIMEOUT.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LagUnavailableException("interrupted while reading the offsets of group '" + group + "'", e);
    }
  }

  /**
   * The lag of {@code group} on {@code topics} now.
   *
   * @throws LagUnavailableException if the cluster does not answer in time (a missing signal, not
   *     zero lag)
   */
  public GroupLag lag(String group, Collection<String> topics) {
    Instant at = clock.instant();
    try {
      List<TopicPartition> partitions = new ArrayList<>();
      admin.describeTopics(topics).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .forEach((topic, description) -> description.partitions()
              .forEach(p -> partitions.add(new TopicPartition(topic, p.partition()))));
      partitions.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
      Map<TopicPartition, OffsetAndMetadata> committed = committed(group);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
      Map<TopicPartition, Long> end = new HashMap<>();
      admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
          .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).forEach((p, info) -> end.put(p, info.offset()));

      Map<TopicPartition, Long> behind = new HashMap<>();
      for (TopicPartition partition : partitions) {
        OffsetAndMetadata offset = committed.get(partition);
        if (offset != null && offset.offset() < end.get(partition)) {
          behind.put(partition, offset.offset());
        }
      }
      Map<TopicPartition, Long> nextTimestamps = peekTimestamps(behind, end);

      List<PartitionLag> lags = new ArrayList<>();
      Map<TopicPartition, Long> committedNow = new HashMap<>();
      for (TopicPartition partition : partitions) {
        OffsetAndMetadata offset = committed.get(partition);
        long endOffset = end.get(partition);
        if (offset == null) {
          lags.add(new PartitionLag(partition, OptionalLong.empty(), endOffset, 0, OptionalDouble.empty()));
          continue;
        }
        committedNow.put(partition, offset.offset());
        long records = Math.max(0, endOffset - offset.offset());
        OptionalDouble seconds;
        if (records == 0) {
          seconds = OptionalDouble.of(0);
        } else {
          Long timestamp = nextTimestamps.get(partition);
          seconds = timestamp == null ? OptionalDouble.empty()
              : OptionalDouble.of(Math.max(0, at.toEpochMilli() - timestamp) / 1000.0);
        }
        lags.add(new PartitionLag(partition, OptionalLong.of(offset.offset()), endOffset, records, seconds));
      }
      long totalRecords = lags.stream().mapToLong(PartitionLag::records).sum();
      GroupStatus status = status(group, at, lags, committedNow, totalRecords);
      return new GroupLag(group, at, lags, status);
    } catch (ExecutionException e) {
      throw new LagUnavailableException("cannot read the lag of group '" + group + "' on " + topics + ": " + e.getCause(),
          e.getCause());
    } catch (TimeoutException e) {
      throw new LagUnavailableException("the lag of group '" + group + "' on " + topics + " is not known within "
          + TIMEOUT.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LagUnavailableException("interrupted while reading the lag of group '" + group + "'", e);
    }
  }

  private Map<TopicPartition, OffsetAndMetadata> committed(String group)
      throws ExecutionException, InterruptedException, TimeoutException {
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    Map<TopicPartition, OffsetAndMetadata> present = new HashMap<>();
    committed.forEach((p, offset) -> {
      if (offset != null) {
        present.put(p, offset);
      }
    });
    return present;
  }

  /** The timestamp of the first readable record at or after each offset (markers and aborted data skipped). */
  private synchronized Map<TopicPartition, Long> peekTimestamps(Map<TopicPartition, Long> from, Map<TopicPartition, Long> end) {
    Map<TopicPartition, Long> timestamps = new HashMap<>();
    if (from.isEmpty()) {
      return timestamps;
    }
    peeker.assign(from.keySet());
    from.forEach(peeker::seek);
    Set<TopicPartition> open = new HashSet<>(from.keySet());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (!open.isEmpty() && System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> record : peeker.poll(Duration.ofMillis(100))) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        if (open.remove(partition)) {
          timestamps.put(partition, record.timestamp());
        }
      }
      // Nothing readable left before the end (only markers or aborted records): no time lag to read.
      open.removeIf(p -> peeker.position(p) >= end.get(p));
      peeker.pause(peeker.assignment().stream().filter(p -> !open.contains(p)).toList());
    }
    peeker.unsubscribe();
    return timestamps;
  }

  private GroupStatus status(String group, Instant at, List<PartitionLag> lags, Map<TopicPartition, Long> committed,
      long records) throws ExecutionException, InterruptedException, TimeoutException {
    Deque<Sample> samples = history.computeIfAbsent(group, g -> new ArrayDeque<>());
    synchronized (samples) {
      samples.addLast(new Sample(at, Map.copyOf(committed), records));
      // Keep one sample older than the window: it tells whether the window is covered.
      while (samples.size() > 2 && !((ArrayDeque<Sample>) samples).stream().skip(1).findFirst().orElseThrow()
          .at().isAfter(at.minus(window))) {
        samples.removeFirst();
      }
      if (committed.isEmpty()) {
        return GroupStatus.NOT_STARTED;
      }
      if (pausedByBackpressure.test(group)) {
        return GroupStatus.PAUSED_BY_BACKPRESSURE;
      }
      if (lags.stream().allMatch(l -> l.committed().isEmpty() || l.caughtUp())) {
        return GroupStatus.OK;
      }
      if (activeMembers(group) == 0) {
        return GroupStatus.STOPPED;
      }
      Sample oldest = samples.peekFirst();
      boolean covered = !oldest.at().isAfter(at.minus(window));
      if (covered && samples.stream().allMatch(s -> s.committed().equals(committed))) {
        return GroupStatus.STALLED;
      }
      if (covered && samples.size() >= 3) {
        boolean growing = true;
        long previous = -1;
        for (Sample sample : samples) {
          growing &= sample.records() >= previous;
          previous = sample.records();
        }
        if (growing && records > oldest.records()) {
          return GroupStatus.FALLING_BEHIND;
        }
      }
      return GroupStatus.OK;
    }
  }

  private int activeMembers(String group) throws ExecutionException, InterruptedException, TimeoutException {
    try {
      ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
          .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return description.members().size();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return 0;
      }
      throw e;
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      peeker.close(Duration.ofSeconds(5));
    }
    admin.close(Duration.ofSeconds(5));
  }
}
