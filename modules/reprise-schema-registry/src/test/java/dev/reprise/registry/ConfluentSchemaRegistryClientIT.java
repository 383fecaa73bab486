package dev.reprise.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

@RepriseIntegrationTest
class ConfluentSchemaRegistryClientIT {

  private static Schema schema(String name, String field) {
    return SchemaBuilder.record(name).namespace("it").fields().requiredString(field).endRecord();
  }

  @Test
  void shouldRegisterOnceAndResolveTheIdFromAnotherClient(RepriseTestEnvironment env) {
    String subject = env.uniqueName("things") + "-value";
    Schema schema = schema("Thing", "name");

    int id;
    try (var writer = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl())) {
      id = writer.register(subject, schema);
      assertThat(writer.register(subject, schema)).isEqualTo(id);
    }
    try (var reader = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl())) {
      assertThat(reader.schemaById(id)).isEqualTo(schema);
      assertThat(reader.idOf(subject, schema)).isEqualTo(id);
    }
  }

  @Test
  void shouldReportAnIdTheRegistryNeverIssued(RepriseTestEnvironment env) {
    try (var client = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl())) {
      assertThatThrownBy(() -> client.schemaById(987_654))
          .isInstanceOfSatisfying(UnknownSchemaIdException.class, e -> assertThat(e.isRetriable()).isFalse());
    }
  }

  @Test
  void shouldRegisterABreakingChangeOnceCompatibilityIsNone(RepriseTestEnvironment env) {
    String subject = env.uniqueName("evolving") + "-value";
    try (var client = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl())) {
      // Apicurio, unlike Confluent, only configures subjects that exist.
      int first = client.register(subject, schema("Evolving", "a"));
      client.setCompatibility(subject, "NONE");
      int second = client.register(subject, schema("Evolving", "b"));

      assertThat(second).isNotEqualTo(first);
      assertThat(client.schemaById(second).getField("b")).isNotNull();
    }
  }
}
