package dev.reprise.protocol;

import dev.reprise.core.RepriseRetriableException;
import dev.reprise.protocol.internal.OneRecord;
import dev.reprise.protocol.internal.Topics;
import dev.reprise.registry.SchemaRegistryClient;
import dev.reprise.registry.serde.AvroWireFormat;
import dev.reprise.registry.serde.RegistryAvroSerdeConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where workflows' {@link WorkflowDeclaration}s are found: the compacted topic {@link #TOPIC}, one
 * record per workflow name, in the registry's Avro wire format.
 *
 * <pre>{@code
 * WorkflowDeclarations.publish(clientConfig, registry, declaration);   // a runtime, at start
 * try (var declarations = WorkflowDeclarations.reader(clientConfig, registry)) {
 *   declarations.declaration("charge").map(WorkflowDeclaration::effectsAllowedInReplay);
 * }
 * }</pre>
 *
 * <p>A workflow that never started has declared nothing; the runtime enforces its own rule anyway
 * (a forbidden effect is never performed for a replayed event), the coordinator's refusal is the
 * early, explicit answer.
 */
@FunctionalInterface
public interface WorkflowDeclarations {

  /** Compacted, one partition, keyed by workflow name. */
  String TOPIC = "reprise.workflows";

  /** Nothing declared. */
  WorkflowDeclarations NONE = workflow -> Optional.empty();

  /** The latest declaration of {@code workflow}. */
  Optional<WorkflowDeclaration> declaration(String workflow);

  /** Publishes {@code declaration} (creating {@link #TOPIC} if missing) and waits for the broker to have it. */
  static void publish(Map<String, Object> clientConfig, SchemaRegistryClient registry, WorkflowDeclaration declaration) {
    Codec.ensureTopic(clientConfig);
    OneRecord.send(clientConfig, TOPIC, declaration.workflow(), new Codec(registry).encode(declaration),
        "the declaration of '" + declaration.workflow() + "'");
  }

  /** A reader that catches up with {@link #TOPIC} on every look-up (requests are rare; declarations change rarely). */
  static Reader reader(Map<String, Object> clientConfig, SchemaRegistryClient registry) {
    return new Reader(clientConfig, registry);
  }

  /** Reads {@link #TOPIC}; thread-safe. */
  final class Reader implements WorkflowDeclarations, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Reader.class);
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

    private final Map<String, Object> clientConfig;
    private final Codec codec;
    private final Map<String, WorkflowDeclaration> latest = new HashMap<>();
    private KafkaConsumer<byte[], byte[]> consumer;

    private Reader(Map<String, Object> clientConfig, SchemaRegistryClient registry) {
      this.clientConfig = Map.copyOf(clientConfig);
      this.codec = new Codec(registry);
    }

    @Override
    public synchronized Optional<WorkflowDeclaration> declaration(String workflow) {
      catchUp(Duration.ofSeconds(10));
      return Optional.ofNullable(latest.get(workflow));
    }

    /** Every workflow's latest declaration, by name: what a person picking workflows chooses from. */
    public synchronized Map<String, WorkflowDeclaration> all() {
      catchUp(Duration.ofSeconds(10));
      return Map.copyOf(latest);
    }

    private void catchUp(Duration timeout) {
      if (consumer == null) {
        Codec.ensureTopic(clientConfig);
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "reprise-workflow-declarations");
        consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.assign(List.of(PARTITION));
        consumer.seekToBeginning(List.of(PARTITION));
      }
      dev.reprise.protocol.internal.ReadToEnd.read(consumer, List.of(PARTITION), timeout, TOPIC, record -> {
        if (record.key() == null) {
          return;
        }
        String workflow = new String(record.key(), StandardCharsets.UTF_8);
        if (record.value() == null) {
          latest.remove(workflow);
          return;
        }
        try {
          latest.put(workflow, codec.decode(record.value()));
        } catch (RepriseRetriableException e) {
          throw e;
        } catch (RuntimeException e) {
          log.warn("ignoring unreadable declaration of '{}' at {}@{}: {}", workflow, TOPIC, record.offset(), e.toString());
        }
      });
    }

    @Override
    public synchronized void close() {
      if (consumer != null) {
        consumer.close();
      }
    }
  }

  /** The Avro side of {@link WorkflowDeclaration}. */
  final class Codec {
    static final Schema SCHEMA = ControlCodec.schema("workflow-declaration-v1.avsc");

    private final SchemaRegistryClient registry;
    private volatile int schemaId = -1;

    Codec(SchemaRegistryClient registry) {
      this.registry = registry;
    }

    byte[] encode(WorkflowDeclaration declaration) {
      if (schemaId < 0) {
        schemaId = registry.register(RegistryAvroSerdeConfig.subject(TOPIC, false), SCHEMA);
      }
      GenericRecord avro = new GenericData.Record(SCHEMA);
      avro.put("workflow", declaration.workflow());
      avro.put("effectsInReplay", new GenericData.EnumSymbol(SCHEMA.getField("effectsInReplay").schema(),
          declaration.effectsAllowedInReplay() ? "ALLOWED" : "FORBIDDEN"));
      avro.put("reason", declaration.reason().orElse(null));
      avro.put("liveTopics", declaration.liveTopics());
      avro.put("declaredAt", declaration.declaredAt().toEpochMilli());
      avro.put("eventType", declaration.eventType().orElse(null));
      return AvroWireFormat.encode(schemaId, avro);
    }

    WorkflowDeclaration decode(byte[] bytes) {
      GenericRecord avro = AvroWireFormat.decode(bytes, registry.schemaById(AvroWireFormat.schemaId(bytes)), SCHEMA);
      Object reason = avro.get("reason");
      return new WorkflowDeclaration(avro.get("workflow").toString(),
          "ALLOWED".equals(avro.get("effectsInReplay").toString()),
          Optional.ofNullable(reason == null ? null : reason.toString()),
          ((java.util.Collection<?>) avro.get("liveTopics")).stream().map(Object::toString).toList(),
          Instant.ofEpochMilli((Long) avro.get("declaredAt")),
          Optional.ofNullable(avro.get("eventType")).map(Object::toString));
    }

    static void ensureTopic(Map<String, Object> clientConfig) {
      try (Admin admin = Admin.create(clientConfig)) {
        dev.reprise.protocol.internal.Topics.ensureCompacted(admin, TOPIC);
      } catch (dev.reprise.protocol.internal.Topics.NotAllowedException e) {
        // A workflow's principal on a secured cluster: the coordinator created it (or an operator).
      }
    }
  }
}
