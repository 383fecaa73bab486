package dev.reprise.protocol.internal;

import dev.reprise.core.RepriseRetriableException;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.ControlCodec;
import dev.reprise.protocol.ControlTopics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest committed status of every backfill, read from the compacted {@link
 * ControlTopics#STATUS} topic: the coordinator's memory of which ids exist, what they asked for,
 * and where each stopped. Thread-safe; reads only on demand.
 *
 * <p>{@link #catchUp} reads up to the <em>high watermark</em> taken when it is called, with {@code
 * read_committed}: it waits for transactions open at that moment to end. Reading only to the last
 * stable offset would return at once, but could miss a committed status that sits behind another
 * backfill's open transaction, and a coordinator that misses an ACCEPTED status would start the
 * same backfill twice.
 */
public final class StatusStore implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StatusStore.class);

  private final KafkaConsumer<String, byte[]> consumer;
  private final Admin admin;
  private final ControlCodec codec;
  private final Map<String, BackfillStatus> latest = new HashMap<>();
  private List<TopicPartition> partitions;

  /**
   * @param clientConfig connection settings (bootstrap servers, security); group and
   *     deserializers are set here
   */
  public StatusStore(Map<String, Object> clientConfig, Admin admin, ControlCodec codec) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "reprise-status-store");
    this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    this.admin = admin;
    this.codec = codec;
  }

  /**
   * Reads every status committed before this call.
   *
   * @throws RepriseRetriableException if the broker does not answer within {@code timeout}
   */
  public synchronized void catchUp(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    if (partitions == null) {
      partitions = consumer.partitionsFor(ControlTopics.STATUS, timeout).stream()
          .map(info -> new TopicPartition(info.topic(), info.partition()))
          .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
    }
    Map<TopicPartition, Long> highWatermarks = highWatermarks(timeout);
    while (!reached(highWatermarks)) {
      if (System.nanoTime() > deadline) {
        throw new RepriseRetriableException("could not read " + ControlTopics.STATUS + " up to " + highWatermarks
            + " within " + timeout + "; is a transaction stuck open?");
      }
      for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
        apply(record);
      }
    }
  }

  /** The latest status of {@code backfillId} read so far. */
  public synchronized Optional<BackfillStatus> latest(String backfillId) {
    return Optional.ofNullable(latest.get(backfillId));
  }

  /** Every status read so far. */
  public synchronized Map<String, BackfillStatus> all() {
    return Map.copyOf(latest);
  }

  private void apply(ConsumerRecord<String, byte[]> record) {
    if (record.key() == null) {
      return;
    }
    if (record.value() == null) {
      latest.remove(record.key());
      return;
    }
    try {
      latest.put(record.key(), codec.decodeStatus(record.value()));
    } catch (RepriseRetriableException e) {
      throw e;
    } catch (RuntimeException e) {
      // One unreadable status must not blind the coordinator to all others.
      log.warn("ignoring unreadable status for '{}' at {}-{}@{}: {}", record.key(), record.topic(),
          record.partition(), record.offset(), e.toString());
    }
  }

  private boolean reached(Map<TopicPartition, Long> targets) {
    for (Map.Entry<TopicPartition, Long> target : targets.entrySet()) {
      if (consumer.position(target.getKey()) < target.getValue()) {
        return false;
      }
    }
    return true;
  }

  private Map<TopicPartition, Long> highWatermarks(Duration timeout) {
    try {
      return admin.listOffsets(partitions.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())))
          .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RepriseRetriableException("interrupted while reading " + ControlTopics.STATUS, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new RepriseRetriableException("cannot list offsets of " + ControlTopics.STATUS + ": " + e, e);
    }
  }

  @Override
  public synchronized void close() {
    consumer.close();
  }
}
