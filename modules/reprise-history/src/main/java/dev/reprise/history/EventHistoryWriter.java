package dev.reprise.history;

import dev.reprise.registry.SchemaRegistryClient;
import dev.reprise.registry.serde.AvroWireFormat;
import dev.reprise.registry.serde.RegistryAvroSerdeConfig;
import dev.reprise.spi.EventType;
import dev.reprise.spi.SchemaVersions;
import dev.reprise.spi.SampleHistory.Sample;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes the history of any event type (its {@link dev.reprise.spi.SampleHistory}, or records a
 * test builds) into a compacted topic, each record framed with the registry id of the version it
 * was written with, as the team's producers did over the years.
 *
 * <pre>{@code
 * var counts = new EventHistoryWriter(producerConfig, registry)
 *     .write("shipments", 6, type, type.sampleHistory().orElseThrow().generate(42, 10_000));
 * }</pre>
 *
 * <p>Every version is registered under {@code <topic>-value} with compatibility {@code NONE}: a
 * history has semantic changes that no registry rule allows, which is why replays upcast.
 */
public final class EventHistoryWriter {

  private final Map<String, Object> producerConfig;
  private final SchemaRegistryClient registry;

  /** @param producerConfig Kafka client settings, at least {@code bootstrap.servers} */
  public EventHistoryWriter(Map<String, Object> producerConfig, SchemaRegistryClient registry) {
    this.producerConfig = Map.copyOf(producerConfig);
    this.registry = registry;
  }

  /**
   * Registers every version in order under {@code <topic>-value}, with compatibility {@code NONE}
   * after the first (a history has breaking changes); returns the ids by version.
   */
  public static int[] registerVersions(SchemaRegistryClient registry, String topic, SchemaVersions versions) {
    String subject = RegistryAvroSerdeConfig.subject(topic, false);
    int[] ids = new int[versions.latestVersion() + 1];
    ids[1] = registry.register(subject, versions.schema(1));
    registry.setCompatibility(subject, "NONE");
    for (int version = 2; version <= versions.latestVersion(); version++) {
      ids[version] = registry.register(subject, versions.schema(version));
    }
    return ids;
  }

  /**
   * Creates the topic if needed, registers the type's versions, writes every sample and waits
   * until all are acknowledged.
   *
   * @return records written per version
   */
  public Map<Integer, Long> write(String topic, int partitions, EventType type, Iterator<Sample> samples) {
    HistoryWriter.ensureCompactedTopic(producerConfig, topic, partitions);
    int latest = type.versions().latestVersion();
    int[] ids = registerVersions(registry, topic, type.versions());
    Map<Integer, Long> perVersion = new TreeMap<>();
    AtomicReference<Exception> failure = new AtomicReference<>();
    try (var producer = new KafkaProducer<>(HistoryWriter.producerSettings(producerConfig), new StringSerializer(),
        new ByteArraySerializer())) {
      while (samples.hasNext() && failure.get() == null) {
        Sample sample = samples.next();
        if (sample.version() < 1 || sample.version() > latest) {
          throw new IllegalArgumentException("sample '" + sample.key() + "' of '" + type.name() + "' is v"
              + sample.version() + "; the type has versions 1.." + latest);
        }
        producer.send(new ProducerRecord<>(topic, sample.key(), AvroWireFormat.encode(ids[sample.version()],
            sample.record())), (metadata, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e);
              }
            });
        perVersion.merge(sample.version(), 1L, Long::sum);
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("writing history to topic '" + topic + "' failed", failure.get());
    }
    return perVersion;
  }
}
