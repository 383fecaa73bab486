package dev.reprise.registry.serde;

import dev.reprise.registry.ConfluentSchemaRegistryClient;
import java.util.Map;
import java.util.Optional;

/**
 * Configuration keys of {@link RegistryAvroSerializer} and {@link RegistryAvroDeserializer}. The
 * keys are Confluent's own, so a producer or consumer configured for Confluent's {@code
 * KafkaAvroSerializer} works with Reprise's serde unchanged, and the other way round.
 */
public final class RegistryAvroSerdeConfig {

  /** Comma-separated base URLs of the registry's Confluent-compatible REST API. Required. */
  public static final String SCHEMA_REGISTRY_URL_CONFIG = "schema.registry.url";

  /** {@code user:password} for HTTP basic authentication. Optional. */
  public static final String BASIC_AUTH_USER_INFO_CONFIG = "basic.auth.user.info";

  /**
   * Whether the serializer registers a record's schema under its subject when it is missing
   * (default {@code true}); when {@code false} it only looks the schema up and fails if absent.
   */
  public static final String AUTO_REGISTER_SCHEMAS_CONFIG = "auto.register.schemas";

  private RegistryAvroSerdeConfig() {}

  /** A registry client from the configs, as Kafka hands them to {@code configure}. */
  static ConfluentSchemaRegistryClient client(Map<String, ?> configs) {
    return ConfluentSchemaRegistryClient.create(requiredUrl(configs), basicAuth(configs));
  }

  static String requiredUrl(Map<String, ?> configs) {
    Object url = configs.get(SCHEMA_REGISTRY_URL_CONFIG);
    if (url == null || url.toString().isBlank()) {
      throw new IllegalArgumentException(
          "missing required config '" + SCHEMA_REGISTRY_URL_CONFIG
              + "' (base URL of the schema registry's Confluent-compatible API)");
    }
    return url.toString();
  }

  static Optional<String> basicAuth(Map<String, ?> configs) {
    return Optional.ofNullable(configs.get(BASIC_AUTH_USER_INFO_CONFIG)).map(Object::toString);
  }

  static boolean autoRegister(Map<String, ?> configs) {
    Object value = configs.get(AUTO_REGISTER_SCHEMAS_CONFIG);
    return value == null || Boolean.parseBoolean(value.toString());
  }

  /** The subject of a topic's keys or values under Confluent's default TopicNameStrategy. */
  public static String subject(String topic, boolean isKey) {
    return topic + (isKey ? "-key" : "-value");
  }
}
