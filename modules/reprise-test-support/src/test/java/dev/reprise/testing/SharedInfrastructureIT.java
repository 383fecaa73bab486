package dev.reprise.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.server.common.MetadataVersion;
import org.junit.jupiter.api.Test;

@RepriseIntegrationTest
class SharedInfrastructureIT {

  @Test
  void shouldRunTheLatestProductionMetadataVersion(RepriseTestEnvironment env) throws Exception {
    var features = env.admin().describeFeatures().featureMetadata().get(30, TimeUnit.SECONDS);

    short level = features.finalizedFeatures().get(MetadataVersion.FEATURE_NAME).maxVersionLevel();
    assertThat(MetadataVersion.fromFeatureLevel(level)).isEqualTo(MetadataVersion.latestProduction());
    assertThat(features.finalizedFeatures()).containsKeys("transaction.version", "group.version");
  }

  @Test
  void shouldCommitTransactionsAndServeConsumerGroups(RepriseTestEnvironment env) {
    String topic = env.createTopic(env.uniqueName("tx"), 2, Map.of());
    Map<String, Object> producerConfig = env.producerConfig();
    producerConfig.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, env.uniqueName("tx-producer"));
    try (var producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k1", "committed"));
      producer.commitTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k2", "aborted"));
      producer.abortTransaction();
    }

    List<String> values = new ArrayList<>();
    try (var consumer = new KafkaConsumer<>(env.consumerConfig(env.uniqueName("group")),
        new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
      }
      consumer.commitSync();
    }
    assertThat(values).containsExactly("committed");
  }

  @Test
  void shouldServeTheConfluentRegistryApi(RepriseTestEnvironment env) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(env.schemaRegistryUrl() + "/subjects")).GET().build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).startsWith("[");
  }
}
