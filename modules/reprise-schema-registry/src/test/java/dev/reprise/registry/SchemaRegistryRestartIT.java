package dev.reprise.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprise.embedded.ApicurioRegistryProcess;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Schemas live in Kafka (kafkasql storage), so a restarted registry still knows every id. */
@RepriseIntegrationTest
class SchemaRegistryRestartIT {

  private static final Logger log = LoggerFactory.getLogger(SchemaRegistryRestartIT.class);

  @Test
  void shouldKeepSchemasAcrossARestart(RepriseTestEnvironment env) throws Exception {
    Schema schema = SchemaBuilder.record("Survivor").namespace("it").fields().requiredLong("n").endRecord();
    String subject = env.uniqueName("survivor") + "-value";

    try (var registry = ApicurioRegistryProcess.builder()
        .kafkaBootstrapServers(env.bootstrapServers())
        .logFile(Path.of("target", "apicurio-restart.log"))
        .build()
        .start()) {
      int id;
      try (var client = ConfluentSchemaRegistryClient.create(registry.confluentApiUrl())) {
        id = client.register(subject, schema);
      }
      long firstPid = registry.pid();

      registry.stop();
      registry.start();
      log.info("Apicurio Registry restarted in {} ms", registry.startupTime().toMillis());

      assertThat(registry.pid()).isNotEqualTo(firstPid);
      try (var client = ConfluentSchemaRegistryClient.create(registry.confluentApiUrl())) {
        assertThat(client.schemaById(id)).isEqualTo(schema);
        assertThat(client.idOf(subject, schema)).isEqualTo(id);
      }
    }
  }

  @Test
  void shouldKeepTheStorageTopicForever(RepriseTestEnvironment env) throws Exception {
    List<String> storageTopics = env.admin().listTopics().names().get(30, TimeUnit.SECONDS).stream()
        .filter(name -> name.startsWith("kafkasql-journal"))
        .toList();
    assertThat(storageTopics).isNotEmpty();

    for (String topic : storageTopics) {
      var resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      var config = env.admin().describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
      assertThat(config.get("retention.ms").value()).as(topic).isEqualTo("-1");
    }
  }
}
