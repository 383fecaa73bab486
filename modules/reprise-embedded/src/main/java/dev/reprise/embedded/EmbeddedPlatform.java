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

  /** Written while a platform runs on a data directory, so other processes join it instead of starting another. */
  static final String RUNNING_FILE = "running.properties";

  private final EmbeddedKafkaBroker broker;
  private final ApicurioRegistryProcess registry;
  private final Path dataDirectory;

  private EmbeddedPlatform(EmbeddedKafkaBroker broker, ApicurioRegistryProcess registry, Path dataDirectory) {
    this.broker = broker;
    this.registry = registry;
    this.dataDirectory = dataDirectory;
  }

  /**
   * Where a platform already running on {@code dataDirectory} (in another process, e.g. {@code
   * reprise up}) serves, if one does: its owner is alive and recorded its addresses.
   *
   * @return bootstrap servers and registry URL
   */
  public static java.util.Optional<java.util.Map.Entry<String, String>> running(Path dataDirectory) {
    Path file = dataDirectory.resolve(RUNNING_FILE);
    if (!java.nio.file.Files.isRegularFile(file)) {
      return java.util.Optional.empty();
    }
    java.util.Properties properties = new java.util.Properties();
    try (var in = java.nio.file.Files.newInputStream(file)) {
      properties.load(in);
    } catch (java.io.IOException e) {
      return java.util.Optional.empty();
    }
    long pid = Long.parseLong(properties.getProperty("pid", "-1"));
    boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    if (!alive) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(java.util.Map.entry(properties.getProperty("bootstrapServers"),
        properties.getProperty("schemaRegistryUrl")));
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
      EmbeddedPlatform platform = new EmbeddedPlatform(broker, registry, dataDirectory);
      platform.recordRunning();
      return platform;
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

  private void recordRunning() {
    java.util.Properties properties = new java.util.Properties();
    properties.setProperty("pid", Long.toString(ProcessHandle.current().pid()));
    properties.setProperty("bootstrapServers", bootstrapServers());
    properties.setProperty("schemaRegistryUrl", schemaRegistryUrl());
    try (var out = java.nio.file.Files.newOutputStream(dataDirectory.resolve(RUNNING_FILE))) {
      properties.store(out, "written by the process running the embedded platform; removed when it stops");
    } catch (java.io.IOException e) {
      // Others will not find it and start their own (which the broker's log lock refuses, clearly).
    }
  }

  /** Stops the registry, then the broker; their data stays. */
  @Override
  public void close() {
    try {
      java.nio.file.Files.deleteIfExists(dataDirectory.resolve(RUNNING_FILE));
    } catch (java.io.IOException e) {
      // A stale file names a dead pid: ignored by running().
    }
    try {
      registry.close();
    } finally {
      broker.close();
    }
  }
}
