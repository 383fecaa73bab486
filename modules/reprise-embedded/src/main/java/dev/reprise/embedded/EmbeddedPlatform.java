package dev.reprise.embedded;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.LoggerFactory;

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
  /**
   * The registry's port and pid, kept across runs: a restarted platform serves the registry on the
   * same port (clients that outlived it reconnect, as they do to the broker, whose ports are kept
   * too), and reaps a registry whose owner was killed before it could stop it.
   */
  static final String REGISTRY_FILE = "registry.properties";

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
  public static Optional<Map.Entry<String, String>> running(Path dataDirectory) {
    Optional<Properties> recorded = read(dataDirectory.resolve(RUNNING_FILE));
    if (recorded.isEmpty()) {
      return Optional.empty();
    }
    Properties properties = recorded.get();
    long pid = Long.parseLong(properties.getProperty("pid", "-1"));
    boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    if (!alive) {
      return Optional.empty();
    }
    return Optional.of(Map.entry(properties.getProperty("bootstrapServers"),
        properties.getProperty("schemaRegistryUrl")));
  }

  /**
   * The process running the platform on {@code dataDirectory} (its broker runs in that JVM), if a
   * live one recorded itself there: what a benchmark reads the broker's CPU time from.
   */
  public static Optional<ProcessHandle> runningProcess(Path dataDirectory) {
    return read(dataDirectory.resolve(RUNNING_FILE))
        .map(properties -> Long.parseLong(properties.getProperty("pid", "-1")))
        .flatMap(ProcessHandle::of)
        .filter(ProcessHandle::isAlive);
  }

  /**
   * Starts the broker (data in {@code dataDirectory/kafka}) and then the registry on it, on the
   * ports they had the last time (a first start picks free ones). A registry left running by an
   * owner that was killed (SIGKILL runs no shutdown hook) is stopped first.
   */
  public static EmbeddedPlatform start(Path dataDirectory) {
    reapOrphanedRegistry(dataDirectory);
    EmbeddedKafkaBroker broker =
        EmbeddedKafkaBroker.builder().dataDirectory(dataDirectory.resolve("kafka")).build().start();
    try {
      ApicurioRegistryProcess registry =
          ApicurioRegistryProcess.builder()
              .kafkaBootstrapServers(broker.bootstrapServers())
              .logFile(dataDirectory.resolve("apicurio-registry.log"))
              .port(recorded(dataDirectory, "port").map(Integer::parseInt).filter(EmbeddedPlatform::isFree).orElse(0))
              .build()
              .start();
      record(dataDirectory, registry);
      EmbeddedPlatform platform = new EmbeddedPlatform(broker, registry, dataDirectory);
      platform.recordRunning();
      return platform;
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
  }

  /**
   * Stops a registry this data directory's last platform started and did not stop: its pid is
   * recorded and the process is still an Apicurio registry (a pid reused by anything else is left
   * alone).
   */
  private static void reapOrphanedRegistry(Path dataDirectory) {
    Optional<ProcessHandle> orphan = recorded(dataDirectory, "pid").map(Long::parseLong)
        .flatMap(ProcessHandle::of)
        .filter(ProcessHandle::isAlive)
        .filter(process -> process.info().commandLine().map(line -> line.contains("quarkus")
            || line.contains("apicurio")).orElse(false));
    if (orphan.isEmpty()) {
      return;
    }
    LoggerFactory.getLogger(EmbeddedPlatform.class).warn(
        "stopping the Apicurio registry (pid {}) left running on {} by a platform that was killed",
        orphan.get().pid(), dataDirectory);
    orphan.get().destroy();
    try {
      orphan.get().onExit().get(20, TimeUnit.SECONDS);
    } catch (TimeoutException | ExecutionException e) {
      orphan.get().destroyForcibly();
      orphan.get().onExit().join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping an orphaned registry", e);
    }
  }

  /** Whether {@code port} can be bound on loopback now (else the registry takes a new one). */
  private static boolean isFree(int port) {
    try (var socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static Optional<String> recorded(Path dataDirectory, String key) {
    return read(dataDirectory.resolve(REGISTRY_FILE)).map(properties -> properties.getProperty(key));
  }

  /** A properties file this class wrote; empty if missing or unreadable (as if never written). */
  private static Optional<Properties> read(Path file) {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Properties properties = new Properties();
    try (var in = Files.newInputStream(file)) {
      properties.load(in);
      return Optional.of(properties);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static void record(Path dataDirectory, ApicurioRegistryProcess registry) {
    Properties properties = new Properties();
    properties.setProperty("port", Integer.toString(registry.port()));
    properties.setProperty("pid", Long.toString(registry.pid()));
    try (var out = Files.newOutputStream(dataDirectory.resolve(REGISTRY_FILE))) {
      properties.store(out, "the embedded registry's port (kept across restarts) and its pid (reaped if orphaned)");
    } catch (IOException e) {
      // The next start picks a new port and cannot reap this registry: what happened before.
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
    Properties properties = new Properties();
    properties.setProperty("pid", Long.toString(ProcessHandle.current().pid()));
    properties.setProperty("bootstrapServers", bootstrapServers());
    properties.setProperty("schemaRegistryUrl", schemaRegistryUrl());
    try (var out = Files.newOutputStream(dataDirectory.resolve(RUNNING_FILE))) {
      properties.store(out, "written by the process running the embedded platform; removed when it stops");
    } catch (IOException e) {
      // Others will not find it and start their own (which the broker's log lock refuses, clearly).
    }
  }

  /** Stops the registry, then the broker; their data stays. */
  @Override
  public void close() {
    try {
      Files.deleteIfExists(dataDirectory.resolve(RUNNING_FILE));
    } catch (IOException e) {
      // A stale file names a dead pid: ignored by running().
    }
    try {
      registry.close();
    } finally {
      broker.close();
    }
  }
}
