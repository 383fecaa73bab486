package dev.reprise.embedded;

import java.nio.file.Path;

/**
 * The embedded default: a real Kafka broker and a real Apicurio registry on 127.0.0.1, with their
 * data kept under one directory so that a later run finds the topics and schemas of an earlier one.
 *
 * <pre>{@code
 * try (var platform = EmbeddedPlatform.start(Path.of(System.getProperty("user.home"), ".reprise"))) {
 *   platform.bootstrapServers();
 *   platform.schemaRegistryUrl();
 * }
 * }</pre>
 */
public final class EmbeddedPlatform implements AutoCloseable {

  private final EmbeddedKafkaBroker broker;
  private final ApicurioRegistryProcess registry;

  private EmbeddedPlatform(EmbeddedKafkaBroker broker, ApicurioRegistryProcess registry) {
    this.broker = broker;
    this.registry = registry;
  }

  /** Starts the broker (data in {@code dataDirectory/kafka}) and then the registry on it. */
  public static EmbeddedPlatform start(Path dataDirectory) {
    EmbeddedKafkaBroker broker =
        EmbeddedKafkaBroker.builder().dataDirectory(dataDirectory.resolve("kafka")).build().start();
    try {
      ApicurioRegistryProcess registry =
          ApicurioRegistryProcess.builder()
              .kafkaBootstrapServers(broker.bootstrapServers())
              .logFile(dataDirectory.resolve("apicurio-registry.log"))
              .build()
              .start();
      return new EmbeddedPlatform(broker, registry);
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
  }

  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  public String schemaRegistryUrl() {
    return registry.confluentApiUrl();
  }

  public EmbeddedKafkaBroker broker() {
    return broker;
  }

  public ApicurioRegistryProcess registry() {
    return registry;
  }

  /** Stops the registry, then the broker; their data stays. */
  @Override
  public void close() {
    try {
      registry.close();
    } finally {
      broker.close();
    }
  }
}
