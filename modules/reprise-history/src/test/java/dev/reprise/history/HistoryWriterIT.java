package dev.reprise.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.reprise.core.RepriseNonRetriableException;
import dev.reprise.history.GeneratedRecord.Kind;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.registry.UnknownSchemaIdException;
import dev.reprise.registry.serde.MalformedRecordException;
import dev.reprise.registry.serde.RegistryAvroDeserializer;
import dev.reprise.submissions.SubmissionSchemas;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

@RepriseIntegrationTest
class HistoryWriterIT {

  @Test
  void shouldWriteMixedVersionHistoryIntoACompactedTopic(RepriseTestEnvironment env) throws Exception {
    String topic = env.uniqueName("submissions");
    HistorySpec spec = HistorySpec.builder().events(20_000).seed(11).build();
    HistorySummary summary;
    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl())) {
      summary = new HistoryWriter(env.producerConfig(), registry).write(topic, 3, new HistoryGenerator(spec));
    }

    var resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    var config = env.admin().describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
    assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");

    // Read everything back through the registry, as a replay would, and classify it.
    Map<Integer, Long> perVersion = new TreeMap<>();
    Map<Kind, Long> failures = new EnumMap<>(Kind.class);
    Set<String> keys = new HashSet<>();
    long records = 0;
    long tombstones = 0;
    long unknownIds = 0;
    long malformed = 0;
    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var consumer = new KafkaConsumer<>(env.consumerConfig(env.uniqueName("check")),
            new StringDeserializer(), new ByteArrayDeserializer())) {
      var deserializer = new RegistryAvroDeserializer(registry);
      List<TopicPartition> partitions = List.of(0, 1, 2).stream().map(p -> new TopicPartition(topic, p)).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          records++;
          keys.add(record.key());
          if (record.value() == null) {
            tombstones++;
            continue;
          }
          try {
            var submission = deserializer.deserialize(topic, record.value());
            perVersion.merge(SubmissionSchemas.versionOf(submission.getSchema()).orElseThrow(), 1L, Long::sum);
          } catch (UnknownSchemaIdException e) {
            unknownIds++;
          } catch (MalformedRecordException e) {
            malformed++;
          }
        }
      }
    }

    assertThat(records).isEqualTo(summary.records()).isEqualTo(20_000);
    assertThat(keys).hasSize((int) summary.distinctKeys());
    assertThat(summary.distinctKeys()).isLessThan(summary.records());
    assertThat(tombstones).isEqualTo(summary.count(Kind.TOMBSTONE));
    assertThat(unknownIds).isEqualTo(summary.count(Kind.CORRUPT_UNKNOWN_SCHEMA_ID)).isPositive();
    assertThat(malformed).isEqualTo(summary.count(Kind.CORRUPT_TRUNCATED) + summary.count(Kind.CORRUPT_NOT_AVRO))
        .isPositive();
    // Readable records per version = written per version minus the corrupt ones of that version.
    Map<Integer, Long> expected = new TreeMap<>(summary.recordsPerVersion());
    for (GeneratedRecord record : new HistoryGenerator(spec)) {
      if (record.kind().corrupt()) {
        expected.merge(record.schemaVersion(), -1L, Long::sum);
      }
    }
    assertThat(perVersion).isEqualTo(expected);
    assertThat(summary.recordsPerVersion()).containsOnlyKeys(1, 2, 3);
  }

  @Test
  void shouldRefuseToWriteIntoAClusterItCannotReach(RepriseTestEnvironment env) {
    Map<String, Object> config = Map.of("bootstrap.servers", "127.0.0.1:1", "default.api.timeout.ms", 2000,
        "request.timeout.ms", 1000);
    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl())) {
      Throwable thrown = catchThrowable(() -> new HistoryWriter(config, registry)
          .write("unreachable", 1, new HistoryGenerator(HistorySpec.builder().events(10).build())));
      assertThat(thrown).isInstanceOf(IllegalStateException.class).hasMessageContaining("'unreachable'");
      assertThat(thrown).isNotInstanceOf(RepriseNonRetriableException.class);
    }
  }
}
