package dev.reprise.protocol.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Everything a topic holds now, as a downstream consumer sees it ({@code read_committed}), without a group. */
public final class CommittedTopic {

  private CommittedTopic() {}

  /** The topic's records, partition by partition in offset order; empty if the topic does not exist. */
  public static List<ConsumerRecord<byte[], byte[]>> read(Map<String, ?> clientConfig, String topic) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (var consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      var infos = consumer.listTopics(Duration.ofSeconds(30)).get(topic);
      if (infos == null) {
        return List.of();
      }
      List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      ReadToEnd.read(consumer, partitions, Duration.ofSeconds(30), topic, records::add);
      records.sort(java.util.Comparator.comparingInt(ConsumerRecord<byte[], byte[]>::partition)
          .thenComparingLong(ConsumerRecord::offset));
      return records;
    }
  }
}
