package dev.reprise.protocol;

import dev.reprise.core.RepriseRetriableException;
import dev.reprise.protocol.internal.CommittedTopic;
import dev.reprise.protocol.internal.OneRecord;
import dev.reprise.registry.SchemaRegistryClient;
import dev.reprise.registry.serde.AvroWireFormat;
import dev.reprise.registry.serde.RegistryAvroSerdeConfig;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

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

  static final Schema SCHEMA = ControlCodec.schema("coordinator-announcement-v1.avsc");

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
    OneRecord.send(clientConfig, TOPIC, announcement.instanceId(), AvroWireFormat.encode(schemaId, avro),
        "the announcement of coordinator '" + announcement.instanceId() + "'");
  }

  /** Removes the announcement of {@code instanceId} (a tombstone): it serves no more. */
  public static void withdraw(Map<String, Object> clientConfig, String instanceId) {
    OneRecord.send(clientConfig, TOPIC, instanceId, null, "the withdrawal of coordinator '" + instanceId + "'");
  }

  /**
   * Every announcement still standing, by instance id.
   *
   * @throws RepriseRetriableException if the topic cannot be read to its end in 30 s
   */
  public static Map<String, Announcement> read(Map<String, Object> clientConfig, SchemaRegistryClient registry) {
    Map<String, Announcement> latest = new TreeMap<>();
    for (ConsumerRecord<byte[], byte[]> record : CommittedTopic.read(clientConfig, TOPIC)) {
      if (record.key() == null) {
        continue;
      }
      String instance = new String(record.key(), StandardCharsets.UTF_8);
      if (record.value() == null) {
        latest.remove(instance);
      } else {
        latest.put(instance, decode(registry, record.value()));
      }
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
}
