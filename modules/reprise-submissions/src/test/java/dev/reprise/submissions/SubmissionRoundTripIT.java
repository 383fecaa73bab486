package dev.reprise.submissions;

import static dev.reprise.submissions.SubmissionFixtures.v1;
import static dev.reprise.submissions.SubmissionFixtures.v2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reprise.registry.serde.RegistryAvroDeserializer;
import dev.reprise.registry.serde.RegistryAvroSerializer;
import dev.reprise.spi.upcast.UpcasterChain;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * v1, v2 and v3 submissions written through the registry serde into Kafka, read back with their
 * writer schemas from the real registry, and all upcast to v3.
 */
@RepriseIntegrationTest
class SubmissionRoundTripIT {

  @Test
  void shouldReadEveryVersionBackAndUpcastItToV3(RepriseTestEnvironment env) {
    String topic = env.createTopic(env.uniqueName("submissions"), 1, Map.of("cleanup.policy", "compact"));

    GenericRecord v3 = new GenericData.Record(SubmissionSchemas.forVersion(3));
    v3.put("submissionId", "s-3");
    v3.put("revision", 0);
    v3.put("tenantId", "tenant-1");
    v3.put("formId", "form-9");
    v3.put("submittedAt", Instant.parse("2025-08-01T12:00:00Z").toEpochMilli());
    v3.put("amountCents", 4_200L);
    v3.put("currency", "EUR");
    v3.put("submitterEmail", null);
    v3.put("status", new GenericData.EnumSymbol(v3.getSchema().getField("status").schema(), "ACCEPTED"));
    v3.put("answers", Map.of());

    // Configured by class name and Confluent's config keys, as a user swapping serdes would.
    Map<String, Object> producerConfig = env.producerConfig();
    producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, RegistryAvroSerializer.class.getName());
    producerConfig.put("schema.registry.url", env.schemaRegistryUrl());
    try (var producer = new KafkaProducer<String, GenericRecord>(producerConfig)) {
      producer.send(new ProducerRecord<>(topic, "s-1", v1("s-1", "2022-02-01T09:00:00", "Asia/Tokyo", "19.99")));
      producer.send(new ProducerRecord<>(topic, "s-2", v2("s-2", Instant.parse("2024-05-05T05:05:05Z").toEpochMilli(),
          "0.5", null, "x@example.org")));
      producer.send(new ProducerRecord<>(topic, "s-3", v3));
    }

    Map<String, Object> consumerConfig = env.consumerConfig(env.uniqueName("reader"));
    consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, RegistryAvroDeserializer.class.getName());
    consumerConfig.put("schema.registry.url", env.schemaRegistryUrl());
    List<GenericRecord> read = new ArrayList<>();
    try (var consumer = new KafkaConsumer<String, GenericRecord>(consumerConfig)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (read.size() < 3 && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(record -> read.add(record.value()));
      }
    }
    assertThat(read).hasSize(3);
    assertThat(read).extracting(r -> SubmissionSchemas.versionOf(r.getSchema()).orElse(0)).containsExactly(1, 2, 3);

    UpcasterChain chain = new SubmissionEventType().newChain();
    List<GenericRecord> upcast = read.stream().map(chain::upcastToLatest).toList();

    assertThat(upcast).allSatisfy(r -> assertThat(r.getSchema()).isEqualTo(SubmissionSchemas.latest()));
    GenericRecord fromV1 = upcast.get(0);
    assertThat(Instant.ofEpochMilli((Long) fromV1.get("submittedAt"))).isEqualTo(Instant.parse("2022-02-01T00:00:00Z"));
    assertThat(fromV1.get("amountCents")).isEqualTo(1_999L);
    assertThat(fromV1.get("formId")).isEqualTo("form-7");
    assertThat(fromV1.get("tenantId")).isEqualTo(SubmissionEventType.DEFAULT_TENANT);
    GenericRecord fromV2 = upcast.get(1);
    assertThat(fromV2.get("amountCents")).isEqualTo(50L);
    assertThat(fromV2.get("submitterEmail")).isEqualTo("x@example.org");
    assertThat(fromV2.get("status").toString()).isEqualTo("RECEIVED");
    GenericRecord unchanged = upcast.get(2);
    assertThat(unchanged.get("status").toString()).isEqualTo("ACCEPTED");
    assertThat(unchanged.get("amountCents")).isEqualTo(4_200L);
    assertThat(unchanged.get("submissionId").toString()).isEqualTo("s-3");
    assertThat(chain.report().snapshot())
        .containsEntry("records.v1", 1L).containsEntry("records.v2", 1L).containsEntry("records.v3", 1L)
        .containsEntry("upcast.v1_to_v2", 1L).containsEntry("upcast.v2_to_v3", 2L);
  }
}
