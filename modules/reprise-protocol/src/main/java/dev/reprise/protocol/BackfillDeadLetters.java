package dev.reprise.protocol;

import dev.reprise.core.RepriseRetriableException;
import dev.reprise.protocol.internal.ReadToEnd;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A backfill's own dead letters: the source records its coordinator could not replay, on {@link
 * ControlTopics#deadLetterTopic}, each with where it came from and why in its headers. What {@code
 * reprise retry --backfill ID --list}, the dashboard's Failed items and a RETRY read.
 *
 * <pre>{@code
 * for (BackfillDeadLetters.Letter letter : BackfillDeadLetters.read(clientConfig, "b-42")) {
 *   letter.item();      // "2@17": its partition and offset on reprise.backfill.b-42.dlq
 *   letter.stage();     // "upcast"
 *   letter.message();   // "cannot upcast submission 's-9' (revision 0) from v2 to v3: ..."
 * }
 * }</pre>
 */
public final class BackfillDeadLetters {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /**
   * @param item its name for a RETRY: {@code partition@offset} on the dead-letter topic
   * @param sourcePartition where the source record was
   * @param sourceOffset where the source record was
   * @param stage where replaying it failed: {@code decode}, {@code schema} or {@code upcast}
   * @param record the dead letter itself: the source record's key and value, unchanged
   */
  public record Letter(String item, int sourcePartition, long sourceOffset, String stage, String errorClass,
      String message, ConsumerRecord<byte[], byte[]> record) {}

  private BackfillDeadLetters() {}

  /**
   * Every committed dead letter of {@code backfillId}, in partition and offset order; empty if the
   * backfill has no dead-letter topic (a PREVIEW).
   *
   * @throws RepriseRetriableException if the topic cannot be read to its end in 30 s
   */
  public static List<Letter> read(Map<String, ?> clientConfig, String backfillId) {
    String topic = ControlTopics.deadLetterTopic(backfillId);
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "reprise-dead-letters-" + backfillId);
    List<Letter> letters = new ArrayList<>();
    try (var consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.listTopics(TIMEOUT).getOrDefault(topic, List.of()).stream()
          .map(p -> new TopicPartition(topic, p.partition())).sorted(java.util.Comparator.comparingInt(
              TopicPartition::partition)).toList();
      if (partitions.isEmpty()) {
        return List.of();
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      ReadToEnd.read(consumer, partitions, TIMEOUT, topic, record -> letters.add(letterOf(record)));
    }
    letters.sort(java.util.Comparator.comparingInt((Letter l) -> l.record().partition())
        .thenComparingLong(l -> l.record().offset()));
    return letters;
  }

  private static Letter letterOf(ConsumerRecord<byte[], byte[]> record) {
    return new Letter(record.partition() + "@" + record.offset(),
        header(record, ReplayHeaders.SOURCE_PARTITION).map(Integer::parseInt).orElse(record.partition()),
        header(record, ReplayHeaders.SOURCE_OFFSET).map(Long::parseLong).orElse(-1L),
        header(record, ReplayHeaders.ERROR_STAGE).orElse(""),
        header(record, ReplayHeaders.ERROR_CLASS).orElse(""),
        header(record, ReplayHeaders.ERROR_MESSAGE).orElse(""),
        record);
  }

  private static Optional<String> header(ConsumerRecord<?, ?> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null || header.value() == null ? Optional.empty()
        : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
  }
}
