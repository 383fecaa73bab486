package dev.reprise.cli;

import dev.reprise.embedded.EmbeddedPlatform;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.registry.RegistrySecurity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * Where Reprise connects: an existing cluster and registry, given by flags or by {@code
 * REPRISE_BOOTSTRAP_SERVERS} / {@code REPRISE_SCHEMA_REGISTRY_URL}; with neither, the embedded
 * default under {@code --data-dir}: the one another process runs there (e.g. {@code reprise up}),
 * or one started for this command and stopped after it.
 */
final class ConnectionOptions {

  @Option(names = "--bootstrap-server", paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers (env REPRISE_BOOTSTRAP_SERVERS). Without it: the embedded default.")
  String bootstrapServers;

  @Option(names = "--schema-registry", paramLabel = "URL",
      description = "Confluent-compatible schema registry base URL (env REPRISE_SCHEMA_REGISTRY_URL).")
  String schemaRegistryUrl;

  @Option(names = "--command-config", paramLabel = "FILE",
      description = "Kafka client properties (security: SASL, SSL), as Kafka's own tools take them.")
  Path commandConfig;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Data directory of the embedded default (default: ${DEFAULT-VALUE}).",
      defaultValue = "${sys:user.home}/.reprise/embedded")
  Path dataDirectory;

  /** Whether no cluster is given (flags or environment): {@link #connect()} uses the embedded default. */
  boolean embeddedDefault() {
    String bootstrap = bootstrap();
    return bootstrap == null || bootstrap.isBlank();
  }

  private String bootstrap() {
    return Optional.ofNullable(bootstrapServers).orElse(System.getenv("REPRISE_BOOTSTRAP_SERVERS"));
  }

  /** The platform to run against; the caller closes it (which stops an embedded one). */
  Connection connect() {
    String bootstrap = bootstrap();
    String registry = Optional.ofNullable(schemaRegistryUrl).orElse(System.getenv("REPRISE_SCHEMA_REGISTRY_URL"));
    boolean hasBootstrap = bootstrap != null && !bootstrap.isBlank();
    boolean hasRegistry = registry != null && !registry.isBlank();
    if (hasBootstrap != hasRegistry) {
      throw new IllegalArgumentException(hasBootstrap
          ? "--bootstrap-server is set but --schema-registry is not: give both, or neither for the embedded default"
          : "--schema-registry is set but --bootstrap-server is not: give both, or neither for the embedded default");
    }
    Map<String, Object> properties = properties();
    if (hasBootstrap) {
      return new Connection(bootstrap, registry, null, properties);
    }
    if (!properties.isEmpty()) {
      throw new IllegalArgumentException("--command-config applies to an existing cluster: give --bootstrap-server and"
          + " --schema-registry too");
    }
    var running = EmbeddedPlatform.running(dataDirectory);
    if (running.isPresent()) {
      // Another process (reprise up, a coordinator, a worker) runs the embedded default: join it.
      return new Connection(running.get().getKey(), running.get().getValue(), null, Map.of());
    }
    EmbeddedPlatform platform = EmbeddedPlatform.start(dataDirectory);
    return new Connection(platform.bootstrapServers(), platform.schemaRegistryUrl(), platform, Map.of());
  }

  private Map<String, Object> properties() {
    if (commandConfig == null) {
      return Map.of();
    }
    Properties loaded = new Properties();
    try (var in = Files.newInputStream(commandConfig)) {
      loaded.load(in);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read --command-config " + commandConfig + ": " + e.getMessage(), e);
    }
    Map<String, Object> properties = new HashMap<>();
    loaded.forEach((key, value) -> properties.put(key.toString(), value));
    return properties;
  }

  /** @param properties Kafka client properties from {@code --command-config} (security) */
  record Connection(String bootstrapServers, String schemaRegistryUrl, EmbeddedPlatform embedded,
      Map<String, Object> properties) implements AutoCloseable {

    /**
     * Settings for every Kafka client: bootstrap servers plus the command config, without the
     * schema registry's settings (which Kafka's clients would log as unknown).
     */
    Map<String, Object> clientConfig() {
      Map<String, Object> config = new HashMap<>(properties);
      RegistrySecurity.PROPERTIES.forEach(config::remove);
      config.put("bootstrap.servers", bootstrapServers);
      return config;
    }

    /**
     * Kafka client properties of the command config (security), without the registry's: what a
     * builder's {@code kafkaProperties} takes.
     */
    Map<String, Object> kafkaProperties() {
      Map<String, Object> config = new HashMap<>(properties);
      RegistrySecurity.PROPERTIES.forEach(config::remove);
      return config;
    }

    /**
     * A registry client for {@link #schemaRegistryUrl}, authenticated and trusting TLS as the
     * command config says, with Confluent's property names ({@code basic.auth.user.info}, {@code
     * bearer.auth.token}, {@code schema.registry.ssl.*}).
     *
     * @throws IllegalArgumentException naming a registry setting that cannot work
     */
    ConfluentSchemaRegistryClient registry() {
      return ConfluentSchemaRegistryClient.create(schemaRegistryUrl, RegistrySecurity.from(properties));
    }

    boolean isEmbedded() {
      return embedded != null;
    }

    @Override
    public void close() {
      if (embedded != null) {
        embedded.close();
      }
    }
  }
}
