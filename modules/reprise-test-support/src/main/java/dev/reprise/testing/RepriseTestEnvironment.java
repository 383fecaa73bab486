package dev.reprise.testing;

import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The real Kafka cluster and schema registry an integration test runs against, with a few helpers
 * that keep tests independent of each other on a shared broker (unique topic names).
 *
 * <pre>{@code
 * String topic = env.createTopic(env.uniqueName("submissions"), 3, Map.of("cleanup.policy", "compact"));
 * try (var producer = new KafkaProducer<>(env.producerConfig(), ...)) { ... }
 * }</pre>
 */
public final class RepriseTestEnvironment implements AutoCloseable {

  private final String bootstrapServers;
  private final String schemaRegistryUrl;
  private Admin admin;

  RepriseTestEnvironment(String bootstrapServers, String schemaRegistryUrl) {
    this.bootstrapServers = bootstrapServers;
    this.schemaRegistryUrl = schemaRegistryUrl;
  }

  /**
   * The helpers on a cluster and registry a test runs itself, e.g. a broker it restarts: close it
   * when done.
   */
  public static RepriseTestEnvironment on(String bootstrapServers, String schemaRegistryUrl) {
    return new RepriseTestEnvironment(bootstrapServers, schemaRegistryUrl);
  }

  /** {@code bootstrap.servers} of the cluster. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Base URL of the registry's Confluent-compatible API. */
  public String schemaRegistryUrl() {
    return schemaRegistryUrl;
  }

  /** A shared admin client; do not close it. */
  public synchronized Admin admin() {
    if (admin == null) {
      admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }
    return admin;
  }

  /** {@code prefix} plus a random suffix, so tests sharing a broker never share a topic. */
  public String uniqueName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Creates a topic with replication factor 1 and waits for it; returns its name. */
  public String createTopic(String name, int partitions, Map<String, String> configs) {
    try {
      admin()
          .createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create topic " + name, e);
    }
    return name;
  }

  /** Producer settings for this cluster: acks=all, idempotent. Add serializers. */
  public Map<String, Object> producerConfig() {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return config;
  }

  /** Consumer settings for this cluster: reads from the earliest offset, committed data only. */
  public Map<String, Object> consumerConfig(String groupId) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return config;
  }

  /**
   * Everything {@code topic} holds now, as a downstream consumer sees it ({@code read_committed}),
   * in partition order, each partition in offset order.
   */
  public List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<byte[], byte[]>> records = new java.util.ArrayList<>();
    try (var consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(info -> new TopicPartition(topic, info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  @Override
  public synchronized void close() {
    if (admin != null) {
      admin.close();
      admin = null;
    }
  }
}
