package dev.reprise.coordinator.internal;

import dev.reprise.core.KafkaClientObserver;
import dev.reprise.protocol.ControlTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntToLongFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a backfill's source partitions ({@code read_committed}, assigned, not subscribed), from
 * the run state's positions up to a limit per partition (the plan's end, or the pilot's), and
 * pauses a partition once it reached it, so nothing past the plan is fetched.
 */
final class SourceReader implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SourceReader.class);
  private static final Duration POLL = Duration.ofMillis(100);

  /**
   * One poll, split at the limits.
   *
   * @param records the records below their partition's limit, in order
   * @param pastLimit per partition, the first offset read at or past its limit (live writes after
   *     the plan): the position moves there only once every record before it is replayed
   */
  record Batch(List<ConsumerRecord<byte[], byte[]>> records, Map<Integer, Long> pastLimit) {}

  private final String backfillId;
  private final String topic;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final AutoCloseable metrics;

  /**
   * @param group the replay group whose committed offsets an EXECUTE resumes from; null for a
   *     PREVIEW, which holds none
   */
  SourceReader(RunContext ctx, String backfillId, String topic, int partitions, String group) {
    this.backfillId = backfillId;
    this.topic = topic;
    Map<String, Object> config = new HashMap<>(ctx.clientConfig());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, ctx.maxPollRecords());
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "reprise-replay-" + backfillId);
    if (group != null) {
      config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    } else {
      config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    }
    this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.metrics = ctx.clients().opened(consumer);
    List<TopicPartition> assigned = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      assigned.add(new TopicPartition(topic, p));
    }
    consumer.assign(assigned);
  }

  /** An EXECUTE's committed positions in the replay group ({@link ControlTopics#replayGroup}); {@code start} where none. */
  long[] committedPositions(long[] start, Duration timeout) {
    Set<TopicPartition> partitions = new HashSet<>(consumer.assignment());
    Map<TopicPartition, OffsetAndMetadata> offsets = consumer.committed(partitions, timeout);
    long[] positions = new long[start.length];
    for (int p = 0; p < start.length; p++) {
      OffsetAndMetadata offset = offsets.get(new TopicPartition(topic, p));
      positions[p] = offset == null ? start[p] : offset.offset();
    }
    return positions;
  }

  /** Polls once; a partition's records stop at its limit. */
  Batch poll(IntToLongFunction limit, long[] planEnd) {
    ConsumerRecords<byte[], byte[]> polled = consumer.poll(POLL);
    List<ConsumerRecord<byte[], byte[]>> todo = new ArrayList<>(polled.count());
    Map<Integer, Long> pastLimit = new HashMap<>();
    for (TopicPartition tp : polled.partitions()) {
      int p = tp.partition();
      for (ConsumerRecord<byte[], byte[]> record : polled.records(tp)) {
        if (record.offset() >= limit.applyAsLong(p)) {
          if (record.offset() < planEnd[p]) {
            // Past a pilot's limit but within the plan: read again after the pilot.
            consumer.seek(tp, record.offset());
          } else {
            pastLimit.put(p, record.offset());
          }
          break;
        }
        todo.add(record);
      }
    }
    return new Batch(todo, pastLimit);
  }

  /**
   * Seeks every partition back to its first record at or after {@code from} that was not
   * published; returns those partitions.
   */
  Set<Integer> seekBack(List<ConsumerRecord<byte[], byte[]>> todo, int from) {
    Set<Integer> seen = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> record : todo.subList(from, todo.size())) {
      if (seen.add(record.partition())) {
        consumer.seek(new TopicPartition(record.topic(), record.partition()), record.offset());
      }
    }
    return seen;
  }

  /**
   * Moves each partition still read past what no record shows (transaction markers, compaction
   * gaps): its position is the consumer's.
   */
  void advancePastGaps(long[] positions) {
    for (TopicPartition tp : consumer.assignment()) {
      if (!consumer.paused().contains(tp)) {
        positions[tp.partition()] = Math.max(positions[tp.partition()], consumer.position(tp));
      }
    }
  }

  /** Pauses the partitions whose position reached their limit. */
  void pauseDone(long[] positions, IntToLongFunction limit) {
    List<TopicPartition> done = new ArrayList<>();
    for (TopicPartition tp : consumer.assignment()) {
      if (positions[tp.partition()] >= limit.applyAsLong(tp.partition()) && !consumer.paused().contains(tp)) {
        done.add(tp);
      }
    }
    // Paused, the consumer fetches nothing past the plan's end.
    consumer.pause(done);
  }

  /** Seeks every partition to {@code positions} and pauses those already at their limit. */
  void seekAll(long[] positions, IntToLongFunction limit) {
    consumer.resume(consumer.paused());
    for (int p = 0; p < positions.length; p++) {
      consumer.seek(new TopicPartition(topic, p), positions[p]);
    }
    pauseDone(positions, limit);
  }

  @Override
  public void close() {
    KafkaClientObserver.closeQuietly(metrics);
    try {
      consumer.close();
    } catch (RuntimeException e) {
      log.debug("closing the consumer of '{}': {}", backfillId, e.toString());
    }
  }
}
