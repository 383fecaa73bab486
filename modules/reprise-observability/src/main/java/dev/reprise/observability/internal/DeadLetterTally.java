package dev.reprise.observability.internal;

import dev.reprise.protocol.ReplayHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the records of dead-letter topics, per topic and per backfill (the {@code
 * reprise.backfill.id} header), by reading them read_committed from the start and then only what
 * is new: offsets would count transaction markers and aborted writes, a committed read counts the
 * dead letters themselves. Not thread-safe: one sampler thread calls {@link #refresh}.
 */
public final class DeadLetterTally implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DeadLetterTally.class);
  /** Records without a backfill id header: dead letters of live traffic. */
  public static final String LIVE = "";

  private final Admin admin;
  private final Predicate<String> topics;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<String, Map<String, Long>> counts = new ConcurrentHashMap<>();
  private Set<TopicPartition> assigned = Set.of();
  private long lastListing;

  /** @param topics which topics are dead-letter topics to count (checked against the cluster's topic names) */
  public DeadLetterTally(Map<String, Object> clientConfig, Admin admin, Predicate<String> topics) {
    this.admin = admin;
    this.topics = topics;
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "reprise-dead-letter-tally-" + ProcessHandle.current().pid());
    this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Picks up new dead-letter topics (every 10 s) and counts what arrived since the last call. */
  public void refresh() {
    long now = System.nanoTime();
    if (assigned.isEmpty() || now - lastListing > Duration.ofSeconds(10).toNanos()) {
      lastListing = now;
      reassign();
    }
    if (assigned.isEmpty()) {
      return;
    }
    for (int round = 0; round < 20; round++) {
      ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(round == 0 ? 200 : 20));
      if (records.isEmpty()) {
        return;
      }
      for (ConsumerRecord<byte[], byte[]> record : records) {
        Header header = record.headers().lastHeader(ReplayHeaders.BACKFILL_ID);
        String backfill = header == null ? LIVE : new String(header.value(), StandardCharsets.UTF_8);
        counts.computeIfAbsent(record.topic(), t -> new ConcurrentHashMap<>()).merge(backfill, 1L, Long::sum);
      }
    }
  }

  private void reassign() {
    try {
      Set<String> names = new HashSet<>();
      for (String name : admin.listTopics().names().get(10, java.util.concurrent.TimeUnit.SECONDS)) {
        if (topics.test(name)) {
          names.add(name);
        }
      }
      if (names.isEmpty()) {
        return;
      }
      List<TopicPartition> partitions = new ArrayList<>();
      admin.describeTopics(names).allTopicNames().get(10, java.util.concurrent.TimeUnit.SECONDS)
          .forEach((topic, description) -> description.partitions()
              .forEach(p -> partitions.add(new TopicPartition(topic, p.partition()))));
      Set<TopicPartition> wanted = Set.copyOf(partitions);
      if (!wanted.equals(assigned)) {
        // Assigning keeps the position of partitions already assigned; new ones start at the beginning.
        consumer.assign(wanted);
        assigned = wanted;
        names.forEach(name -> counts.computeIfAbsent(name, t -> new ConcurrentHashMap<>()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.debug("cannot list dead-letter topics: {}", e.toString());
    }
  }

  /** Dead letters in {@code topic} (0 if unknown). */
  public long total(String topic) {
    return counts.getOrDefault(topic, Map.of()).values().stream().mapToLong(Long::longValue).sum();
  }

  /** Dead letters in {@code topic} that came from {@code backfillId}. */
  public long ofBackfill(String topic, String backfillId) {
    return counts.getOrDefault(topic, Map.of()).getOrDefault(backfillId, 0L);
  }

  /** The dead-letter topics seen so far. */
  public Set<String> topics() {
    return Set.copyOf(counts.keySet());
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
