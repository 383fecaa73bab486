package dev.reprise.history;

import dev.reprise.history.GeneratedRecord.Kind;
import dev.reprise.registry.SchemaRegistryClient;
import dev.reprise.registry.serde.AvroWireFormat;
import dev.reprise.submissions.SubmissionEventType;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes generated history into a compacted Kafka topic, keyed by submission id, each value in the
 * Confluent wire format under the schema id of the version it was written with.
 *
 * <pre>{@code
 * var writer = new HistoryWriter(Map.of("bootstrap.servers", bootstrap), registry);
 * HistorySummary summary = writer.write("submissions", 6, new HistoryGenerator(spec));
 * }</pre>
 *
 * <p>The topic is created with {@code cleanup.policy=compact} when missing. The three submission
 * schemas are registered in order under {@code <topic>-value}, whose compatibility is set to {@code
 * NONE}: the history contains breaking changes (a renamed field, a string amount that became a
 * number) — which is exactly why replays upcast.
 *
 * <p>Kafka record timestamps are left to the producer (the time of the import), as they are for
 * real imported history: replays must use the event's own time, never the record timestamp.
 */
public final class HistoryWriter {

  /** The schema id corrupt records of kind {@link Kind#CORRUPT_UNKNOWN_SCHEMA_ID} name. */
  public static final int UNKNOWN_SCHEMA_ID = 2_000_000_001;

  private static final SubmissionEventType SUBMISSIONS = new SubmissionEventType();

  private final Map<String, Object> producerConfig;
  private final SchemaRegistryClient registry;

  /** @param producerConfig Kafka client settings, at least {@code bootstrap.servers} */
  public HistoryWriter(Map<String, Object> producerConfig, SchemaRegistryClient registry) {
    this.producerConfig = Map.copyOf(producerConfig);
    this.registry = registry;
  }

  /** Registers the submission schemas under {@code <topic>-value}; returns the ids by version. */
  public int[] registerSchemas(String topic) {
    return EventHistoryWriter.registerVersions(registry, topic, SUBMISSIONS.versions());
  }

  /** Settings of a producer writing history: acknowledged by all replicas, idempotent, batched. */
  static Map<String, Object> producerSettings(Map<String, Object> producerConfig) {
    Map<String, Object> config = new HashMap<>(producerConfig);
    config.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
    config.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 20);
    config.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    return config;
  }

  /** Creates the topic if needed, writes every record and waits until all are acknowledged. */
  public HistorySummary write(String topic, int partitions, HistoryGenerator generator) {
    return write(topic, partitions, generator, 0, () -> true);
  }

  /**
   * Writes {@code generator}'s records as live traffic: at most {@code recordsPerSecond} (0: as
   * fast as possible), until all are written or {@code keepGoing} says stop; waits until every
   * record sent is acknowledged. The summary counts what was written, the generator's first
   * {@code summary.records()} records.
   */
  public HistorySummary write(String topic, int partitions, HistoryGenerator generator, double recordsPerSecond,
      java.util.function.BooleanSupplier keepGoing) {
    ensureCompactedTopic(producerConfig, topic, partitions);
    int[] schemaIds = registerSchemas(topic);
    HistorySummary.Accumulator summary = new HistorySummary.Accumulator();

    Map<String, Object> config = producerSettings(producerConfig);
    AtomicReference<Exception> failure = new AtomicReference<>();
    try (var producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
      long startNanos = System.nanoTime();
      long sent = 0;
      for (GeneratedRecord record : generator) {
        if (failure.get() != null || !keepGoing.getAsBoolean()) {
          break;
        }
        if (recordsPerSecond > 0) {
          long due = startNanos + (long) (sent * 1e9 / recordsPerSecond);
          if (due > System.nanoTime()) {
            // Ahead of the rate: what is sent goes out now, as live traffic would.
            producer.flush();
          }
          // Pacing, not waiting for a condition: the rate is the point. In slices, so a stop is
          // noticed within 100 ms even at a slow rate.
          for (long wait = due - System.nanoTime(); wait > 0 && keepGoing.getAsBoolean(); wait = due - System.nanoTime()) {
            java.util.concurrent.locks.LockSupport.parkNanos(Math.min(wait, 100_000_000L));
          }
          if (!keepGoing.getAsBoolean()) {
            break;
          }
        }
        sent++;
        byte[] value = bytes(record, schemaIds);
        producer.send(new ProducerRecord<>(topic, record.key(), value), (metadata, e) -> {
          if (e != null) {
            failure.compareAndSet(null, e);
          }
        });
        summary.add(record);
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("writing history to topic '" + topic + "' failed", failure.get());
    }
    return summary.summary();
  }

  /**
   * The partition a record with {@code key} goes to among {@code partitions}: Kafka's default
   * partitioner for a keyed record (murmur2 of the key's UTF-8 bytes), which this writer uses. With
   * the order of writes, it tells where each generated record landed.
   */
  public static int partitionOf(String key, int partitions) {
    return org.apache.kafka.common.utils.Utils.toPositive(
        org.apache.kafka.common.utils.Utils.murmur2(key.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % partitions;
  }

  /**
   * The bytes this writer writes for {@code record}: framed with {@code schemaIds[version]}, and
   * damaged as its kind says for corrupt records; null for a tombstone.
   */
  public static byte[] bytes(GeneratedRecord record, int[] schemaIds) {
    if (record.kind() == Kind.TOMBSTONE) {
      return null;
    }
    byte[] valid = AvroWireFormat.encode(schemaIds[record.schemaVersion()], record.value());
    return switch (record.kind()) {
      case CORRUPT_TRUNCATED -> Arrays.copyOf(valid, AvroWireFormat.HEADER_SIZE + (valid.length - AvroWireFormat.HEADER_SIZE) / 2);
      case CORRUPT_NOT_AVRO -> record.value().toString().getBytes(StandardCharsets.UTF_8);
      case CORRUPT_UNKNOWN_SCHEMA_ID -> AvroWireFormat.encode(UNKNOWN_SCHEMA_ID, record.value());
      default -> valid;
    };
  }

  static void ensureCompactedTopic(Map<String, Object> producerConfig, String topic, int partitions) {
    Map<String, Object> adminConfig = new HashMap<>(producerConfig);
    adminConfig.keySet().retainAll(AdminClientConfig.configNames());
    try (Admin admin = Admin.create(adminConfig)) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      if (!existing.contains(topic)) {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) -1)
                .configs(Map.of("cleanup.policy", "compact"))))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic '" + topic + "'", e);
    } catch (ExecutionException e) {
      // Created meanwhile, or not yet in the metadata listTopics saw: either way it is there.
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create compacted topic '" + topic + "': " + e.getMessage(), e);
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException("cannot create compacted topic '" + topic + "': " + e.getMessage(), e);
    }
  }
}
