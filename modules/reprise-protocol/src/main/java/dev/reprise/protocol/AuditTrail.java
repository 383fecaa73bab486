package dev.reprise.protocol;

import dev.reprise.core.RepriseRetriableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the audit trail ({@link ControlTopics#AUDIT}) as it stands: what {@code reprise audit}
 * prints and the dashboard shows.
 *
 * <pre>{@code
 * List<AuditEntry> trail = AuditTrail.read(clientConfig, codec, Optional.of("b-42"), Duration.ofSeconds(30));
 * }</pre>
 */
public final class AuditTrail {

  private AuditTrail() {}

  /**
   * Every entry written before this call, oldest first (per backfill in the order written; across
   * backfills by time).
   *
   * @param backfillId only this backfill's entries; empty: all, including policy changes
   * @throws RepriseRetriableException if the trail cannot be read within {@code timeout}
   */
  public static List<AuditEntry> read(Map<String, Object> clientConfig, ControlCodec codec,
      Optional<String> backfillId, Duration timeout) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "reprise-audit-reader");
    List<AuditEntry> entries = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(ControlTopics.AUDIT, timeout).stream()
          .map(info -> new TopicPartition(info.topic(), info.partition()))
          .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
      while (ends.entrySet().stream().anyMatch(end -> consumer.position(end.getKey()) < end.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new RepriseRetriableException("could not read " + ControlTopics.AUDIT + " within " + timeout);
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (record.value() != null && (backfillId.isEmpty() || backfillId.get().equals(record.key()))) {
            entries.add(codec.decodeAudit(record.value()));
          }
        }
      }
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new RepriseRetriableException("cannot read " + ControlTopics.AUDIT + ": " + e.getMessage(), e);
    }
    // Stable: one backfill's entries (one partition) keep the order they were written in.
    entries.sort(Comparator.comparing(AuditEntry::at));
    return entries;
  }
}
