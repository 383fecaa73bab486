package dev.reprise.protocol;

import dev.reprise.core.RepriseRetriableException;
import dev.reprise.protocol.internal.ReadToEnd;
import dev.reprise.registry.SchemaRegistryClient;
import dev.reprise.registry.serde.AvroWireFormat;
import dev.reprise.registry.serde.RegistryAvroSerdeConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What each running coordinator serves ({@link Announcement}: its allowlist, event types and known
 * workflows), on the compacted topic {@link #TOPIC} keyed by instance id: published at its start,
 * removed at its stop. A dashboard offers these to a person filling in a new backfill, instead of
 * making them guess topic names; the coordinator still decides every request.
 *
 * <pre>{@code
 * CoordinatorAnnouncements.publish(clientConfig, registry, announcement);   // a coordinator, at start
 * CoordinatorAnnouncements.read(clientConfig, registry).values();            // a dashboard
 * }</pre>
 *
 * <p>A coordinator killed without a stop leaves its announcement behind; the allowlists of one
 * deployment's instances are normally the same, so the offer stays right, and {@code announcedAt}
 * says how old it is.
 */
public final class CoordinatorAnnouncements {

  /** Compacted, one partition, keyed by instance id. */
  public static final String TOPIC = "reprise.coordinators";

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final Schema SCHEMA;

  static {
    try (InputStream in = ControlCodec.class.getResourceAsStream("schemas/coordinator-announcement-v1.avsc")) {
      if (in == null) {
        throw new IllegalStateException("schema resource coordinator-announcement-v1.avsc is missing from the classpath");
      }
      SCHEMA = new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read schema coordinator-announcement-v1.avsc", e);
    }
  }

  /**
   * @param allowedSourceTopics what requests may replay (an access policy may narrow it per team)
   * @param eventTypes the event types it has plugins for
   * @param knownWorkflows workflows requests may name besides the declared ones
   */
  public record Announcement(String instanceId, List<String> allowedSourceTopics, List<String> eventTypes,
      Optional<String> defaultEventType, List<String> knownWorkflows, Instant announcedAt) {
    public Announcement {
      allowedSourceTopics = List.copyOf(allowedSourceTopics);
      eventTypes = List.copyOf(eventTypes);
      defaultEventType = defaultEventType == null ? Optional.empty() : defaultEventType;
      knownWorkflows = List.copyOf(knownWorkflows);
    }
  }

  private CoordinatorAnnouncements() {}

  /** Publishes {@code announcement} and waits for the broker to have it. */
  public static void publish(Map<String, Object> clientConfig, SchemaRegistryClient registry, Announcement announcement) {
    int schemaId = registry.register(RegistryAvroSerdeConfig.subject(TOPIC, false), SCHEMA);
    GenericRecord avro = new GenericData.Record(SCHEMA);
    avro.put("instanceId", announcement.instanceId());
    avro.put("allowedSourceTopics", announcement.allowedSourceTopics());
    avro.put("eventTypes", announcement.eventTypes());
    avro.put("defaultEventType", announcement.defaultEventType().orElse(null));
    avro.put("knownWorkflows", announcement.knownWorkflows());
    avro.put("announcedAt", announcement.announcedAt().toEpochMilli());
    send(clientConfig, announcement.instanceId(), AvroWireFormat.encode(schemaId, avro));
  }

  /** Removes the announcement of {@code instanceId} (a tombstone): it serves no more. */
  public static void withdraw(Map<String, Object> clientConfig, String instanceId) {
    send(clientConfig, instanceId, null);
  }

  /**
   * Every announcement still standing, by instance id.
   *
   * @throws RepriseRetriableException if the topic cannot be read to its end in 30 s
   */
  public static Map<String, Announcement> read(Map<String, Object> clientConfig, SchemaRegistryClient registry) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "reprise-coordinator-announcements");
    TopicPartition partition = new TopicPartition(TOPIC, 0);
    Map<String, Announcement> latest = new TreeMap<>();
    try (var consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      if (!consumer.listTopics(TIMEOUT).containsKey(TOPIC)) {
        return Map.of();
      }
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      ReadToEnd.read(consumer, List.of(partition), TIMEOUT, TOPIC, record -> {
        if (record.key() == null) {
          return;
        }
        String instance = new String(record.key(), StandardCharsets.UTF_8);
        if (record.value() == null) {
          latest.remove(instance);
        } else {
          latest.put(instance, decode(registry, record.value()));
        }
      });
    }
    return latest;
  }

  private static Announcement decode(SchemaRegistryClient registry, byte[] bytes) {
    GenericRecord avro = AvroWireFormat.decode(bytes, registry.schemaById(AvroWireFormat.schemaId(bytes)), SCHEMA);
    return new Announcement(avro.get("instanceId").toString(), strings(avro.get("allowedSourceTopics")),
        strings(avro.get("eventTypes")), Optional.ofNullable(avro.get("defaultEventType")).map(Object::toString),
        strings(avro.get("knownWorkflows")), Instant.ofEpochMilli((Long) avro.get("announcedAt")));
  }

  private static List<String> strings(Object values) {
    return ((Collection<?>) values).stream().map(Object::toString).toList();
  }

  private static void send(Map<String, Object> clientConfig, String instanceId, byte[] value) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (var producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(TOPIC, instanceId.getBytes(StandardCharsets.UTF_8), value))
          .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RepriseRetriableException("interrupted while announcing coordinator '" + instanceId + "'", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new RepriseRetriableException("cannot announce coordinator '" + instanceId + "' on " + TOPIC + ": " + e, e);
    }
  }
}
