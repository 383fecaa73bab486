package dev.reprise.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprise.embedded.EmbeddedKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default keeps its data: a restarted broker on the same directory has the same topics. */
@Timeout(120)
class EmbeddedKafkaBrokerIT {

  @Test
  void shouldKeepTopicsAndPortAcrossARestartOnTheSameDataDirectory(@TempDir Path dir) throws Exception {
    String bootstrap;
    try (var broker = EmbeddedKafkaBroker.builder().dataDirectory(dir).build().start()) {
      bootstrap = broker.bootstrapServers();
      assertThat(bootstrap).startsWith("127.0.0.1:");
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
        admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
      }
      try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", bootstrap),
          new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>("kept", "k", "v")).get(30, TimeUnit.SECONDS);
      }
      broker.close();
      // Kafka's test kit throws on a second close; this one must not.
      assertThatCode(broker::close).doesNotThrowAnyException();
    }

    try (var restarted = EmbeddedKafkaBroker.builder().dataDirectory(dir).build().start();
        Admin admin = Admin.create(Map.of("bootstrap.servers", restarted.bootstrapServers()))) {
      assertThat(restarted.bootstrapServers()).isEqualTo(bootstrap);
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("kept");
      var end = admin.listOffsets(Map.of(new org.apache.kafka.common.TopicPartition("kept", 0),
          org.apache.kafka.clients.admin.OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS);
      assertThat(end.values().iterator().next().offset()).isEqualTo(1);
    }
    assertThat(Files.exists(dir.resolve("kraft-combined-logs/meta.properties"))).isTrue();
  }

  @Test
  void shouldRefuseToOverrideTheListeners() {
    assertThatThrownBy(() -> EmbeddedKafkaBroker.builder().brokerProperty("listeners", "PLAINTEXT://0.0.0.0:9092").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'listeners'");
  }
}
