package dev.reprise.backpressure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Whether a workflow paused itself on purpose, on the compacted topic {@link #TOPIC} keyed by its
 * consumer group: a group paused by backpressure keeps committing the same offsets, and without
 * this a lag monitor would call it stalled. Workflow runtimes {@link Publisher#publish publish}
 * every change; a {@link View} follows the topic for a {@link LagMonitor}.
 *
 * <p>Values are UTF-8: {@code paused-by-backpressure: <why>} or {@code running}.
 *
 * <pre>{@code
 * try (var health = WorkflowHealth.view(clientConfig)) {
 *   LagMonitor monitor = LagMonitor.create(clientConfig, clock, Duration.ofSeconds(10), health);
 * }
 * }</pre>
 */
public final class WorkflowHealth {

  /** The topic: compacted, one partition (a handful of small records). */
  public static final String TOPIC = "reprise.workflow.health";
  private static final String PAUSED = "paused-by-backpressure";

  private WorkflowHealth() {}

  /** Creates {@link #TOPIC} if it is missing. */
  static void ensureTopic(Map<String, ?> clientConfig) {
    try (Admin admin = Admin.create(Map.copyOf(clientConfig))) {
      admin.createTopics(List.of(new NewTopic(TOPIC, Optional.of(1), Optional.empty())
          .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
          .all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      // Not allowed to create it (a workflow's principal on a secured cluster): the coordinator
      // creates it at its start, or an operator does; a missing topic then shows where it is used.
      if (!(e.getCause() instanceof TopicExistsException)
          && !(e.getCause() instanceof org.apache.kafka.common.errors.TopicAuthorizationException)) {
        throw new IllegalStateException("cannot create '" + TOPIC + "': " + e.getCause(), e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating '" + TOPIC + "'", e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot create '" + TOPIC + "' within 30 s", e);
    }
  }

  /** A publisher for workflow runtimes. */
  public static Publisher publisher(Map<String, ?> clientConfig) {
    ensureTopic(clientConfig);
    return new Publisher(clientConfig);
  }

  /** A view that follows the topic from its beginning, on its own thread. */
  public static View view(Map<String, ?> clientConfig) {
    ensureTopic(clientConfig);
    return new View(clientConfig);
  }

  /** Publishes one group's health. */
  public static final class Publisher implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;

    private Publisher(Map<String, ?> clientConfig) {
      Map<String, Object> config = new HashMap<>(clientConfig);
      config.put(ProducerConfig.ACKS_CONFIG, "all");
      config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
      config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
      this.producer = new KafkaProducer<>(config);
    }

    /** @param why what paused it (e.g. "effect sink webhook is OPEN"); ignored when running */
    public void publish(String group, boolean pausedByBackpressure, String why) {
      String value = pausedByBackpressure ? PAUSED + ": " + why : "running";
      producer.send(new ProducerRecord<>(TOPIC, group.getBytes(StandardCharsets.UTF_8),
          value.getBytes(StandardCharsets.UTF_8)));
      producer.flush();
    }

    @Override
    public void close() {
      producer.close(Duration.ofSeconds(5));
    }
  }

  /** Which groups are paused by backpressure now, and why. */
  public static final class View implements Predicate<String>, AutoCloseable {
    private final Map<String, String> paused = new ConcurrentHashMap<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean closed;

    private View(Map<String, ?> clientConfig) {
      Map<String, Object> config = new HashMap<>(clientConfig);
      config.remove(ConsumerConfig.GROUP_ID_CONFIG);
      config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
      config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
      this.consumer = new KafkaConsumer<>(config);
      TopicPartition partition = new TopicPartition(TOPIC, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      this.thread = new Thread(this::follow, "reprise-workflow-health");
      thread.setDaemon(true);
      thread.start();
    }

    private void follow() {
      try {
        while (!closed) {
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            String group = new String(record.key(), StandardCharsets.UTF_8);
            String value = record.value() == null ? "running" : new String(record.value(), StandardCharsets.UTF_8);
            if (value.startsWith(PAUSED)) {
              paused.put(group, value.substring(Math.min(value.length(), PAUSED.length() + 2)));
            } else {
              paused.remove(group);
            }
          }
        }
      } catch (WakeupException e) {
        // Closing.
      } finally {
        consumer.close(Duration.ofSeconds(5));
      }
    }

    /** Whether {@code group} says it is paused by backpressure. */
    @Override
    public boolean test(String group) {
      return paused.containsKey(group);
    }

    /** Why {@code group} is paused, if it is. */
    public Optional<String> why(String group) {
      return Optional.ofNullable(paused.get(group));
    }

    @Override
    public void close() {
      closed = true;
      consumer.wakeup();
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
