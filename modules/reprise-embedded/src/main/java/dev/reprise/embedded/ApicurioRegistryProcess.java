package dev.reprise.embedded;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apicurio Registry 3.0.9, run as a child JVM on 127.0.0.1 with its storage in Kafka
 * ({@code kafkasql}), serving the Confluent Schema Registry API at {@link #confluentApiUrl()}.
 *
 * <pre>{@code
 * try (var registry = ApicurioRegistryProcess.builder()
 *     .kafkaBootstrapServers(broker.bootstrapServers())
 *     .build()
 *     .start()) {
 *   var client = ConfluentSchemaRegistryClient.create(registry.confluentApiUrl());
 * }
 * }</pre>
 *
 * <p>The distribution ({@code apicurio-registry-app-3.0.9-all.tar.gz}) is fetched by the Maven
 * build into the local repository; it is unpacked once into a cache directory and reused. Because
 * schemas live in a Kafka topic with infinite retention, they survive a restart of the registry,
 * and every registry started on the same broker sees the same schemas.
 *
 * <p>The child is stopped by its PID on {@link #close()}, and by a shutdown hook if this JVM exits
 * first.
 */
public final class ApicurioRegistryProcess implements AutoCloseable {

  /** The Apicurio Registry version this class runs. */
  public static final String VERSION = "3.0.9";
  /** System property naming the distribution archive, if not in the local Maven repository. */
  public static final String ARCHIVE_PROPERTY = "reprise.apicurio.archive";

  private static final Logger log = LoggerFactory.getLogger(ApicurioRegistryProcess.class);
  private static final String RUNNER_JAR = "apicurio-registry-app-" + VERSION + "-runner.jar";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);

  private final String kafkaBootstrapServers;
  private final Path archive;
  private final Path installDirectory;
  private final Path logFile;
  private final List<String> jvmOptions;
  private final int port;
  private Process process;
  private Thread shutdownHook;
  private Duration startupTime = Duration.ZERO;

  private ApicurioRegistryProcess(Builder builder, int port) {
    this.kafkaBootstrapServers = builder.kafkaBootstrapServers;
    this.archive = builder.archive;
    this.installDirectory = builder.installDirectory;
    this.logFile = builder.logFile;
    this.jvmOptions = List.copyOf(builder.jvmOptions);
    this.port = port;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts the registry and waits until its Confluent API answers. */
  public synchronized ApicurioRegistryProcess start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("Apicurio Registry on port " + port + " is already running (pid " + process.pid() + ")");
    }
    long began = System.nanoTime();
    Path runner = ensureInstalled(archive, installDirectory).resolve(RUNNER_JAR);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-Dquarkus.http.host=127.0.0.1");
    command.add("-Dquarkus.http.port=" + port);
    // Quarkus opens a management interface on 0.0.0.0 when enabled; keep it off.
    command.add("-Dquarkus.management.enabled=false");
    command.add("-jar");
    command.add(runner.toString());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("APICURIO_STORAGE_KIND", "kafkasql");
    builder.environment().put("APICURIO_KAFKASQL_BOOTSTRAP_SERVERS", kafkaBootstrapServers);
    // Without this the storage topic gets the broker's 7-day retention and schemas vanish later.
    builder.environment().put("APICURIO_KAFKASQL_TOPIC_RETENTION_MS", "-1");
    // Restarts replay the storage topic; a short poll timeout halves the time that takes.
    builder.environment().put("APICURIO_KAFKASQL_CONSUMER_POLL_TIMEOUT", "500");
    try {
      Files.createDirectories(logFile.getParent());
      builder.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Apicurio Registry with " + command, e);
    }
    Process started = process;
    shutdownHook = new Thread(() -> started.destroyForcibly(), "apicurio-registry-" + port + "-reaper");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    awaitReady();
    startupTime = Duration.ofNanos(System.nanoTime() - began);
    log.info("Apicurio Registry {} ready at {} (pid {}, log {}), started in {} ms",
        VERSION, confluentApiUrl(), process.pid(), logFile, startupTime.toMillis());
    return this;
  }

  /** Stops the registry (SIGTERM, then SIGKILL after 20 s) and waits for it to exit. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running or will run; nothing to remove.
    }
    process = null;
  }

  @Override
  public void close() {
    stop();
  }

  /** Base URL of the Confluent-compatible API, e.g. {@code http://127.0.0.1:PORT/apis/ccompat/v7}. */
  public String confluentApiUrl() {
    return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
  }

  /** The HTTP port, on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** The child's PID, or -1 when it is not running. */
  public synchronized long pid() {
    return process == null ? -1 : process.pid();
  }

  /** Where the child's output goes. */
  public Path logFile() {
    return logFile;
  }

  /** How long the last {@link #start()} took until the API answered. */
  public Duration startupTime() {
    return startupTime;
  }

  private void awaitReady() {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest probe =
        HttpRequest.newBuilder(URI.create(confluentApiUrl() + "/subjects"))
            .timeout(Duration.ofSeconds(5))
            .GET()
            .build();
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "Apicurio Registry exited with code " + process.exitValue() + " before it was ready; see " + logFile
                + ":\n" + tail(logFile, 30));
      }
      try {
        HttpResponse<Void> response = http.send(probe, HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // Not listening yet.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for Apicurio Registry", e);
      }
      try {
        process.waitFor(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for Apicurio Registry", e);
      }
    }
    stop();
    throw new IllegalStateException(
        "Apicurio Registry did not answer on " + confluentApiUrl() + " within " + READY_TIMEOUT.toSeconds()
            + " s; see " + logFile + ":\n" + tail(logFile, 30));
  }

  private static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /**
   * Unpacks {@code archive} into {@code target} unless that was done before. Safe when several
   * JVMs race: each unpacks into its own temporary sibling and one atomic rename wins.
   */
  static Path ensureInstalled(Path archive, Path target) {
    if (Files.isRegularFile(target.resolve(RUNNER_JAR))) {
      return target;
    }
    if (!Files.isRegularFile(archive)) {
      throw new IllegalStateException(
          "Apicurio Registry distribution not found at " + archive + ". Build once with the Maven wrapper"
              + " (./mvnw -pl modules/reprise-embedded generate-resources) to fetch it, or set -D"
              + ARCHIVE_PROPERTY + "=PATH.");
    }
    try {
      Files.createDirectories(target.getParent());
      Path staging = Files.createTempDirectory(target.getParent(), target.getFileName() + ".unpacking-");
      try (InputStream in = new BufferedInputStream(Files.newInputStream(archive));
          TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
          Path out = staging.resolve(entry.getName()).normalize();
          if (!out.startsWith(staging)) {
            throw new IOException("archive entry escapes the install directory: " + entry.getName());
          }
          if (entry.isDirectory()) {
            Files.createDirectories(out);
          } else {
            Files.createDirectories(out.getParent());
            Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      try {
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException | AtomicMoveNotSupportedException lost) {
        EmbeddedKafkaBroker.deleteRecursively(staging);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack " + archive + " into " + target, e);
    }
    if (!Files.isRegularFile(target.resolve(RUNNER_JAR))) {
      throw new IllegalStateException(archive + " does not contain " + RUNNER_JAR);
    }
    return target;
  }

  /** The distribution archive: the system property if set, else the local Maven repository. */
  static Path defaultArchive() {
    String configured = System.getProperty(ARCHIVE_PROPERTY, System.getenv("REPRISE_APICURIO_ARCHIVE"));
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    String repo = System.getProperty("maven.repo.local");
    Path repository = repo != null ? Path.of(repo) : Path.of(System.getProperty("user.home"), ".m2", "repository");
    return repository.resolve(
        Path.of("io", "apicurio", "apicurio-registry-app", VERSION, "apicurio-registry-app-" + VERSION + "-all.tar.gz"));
  }

  /** Builds an {@link ApicurioRegistryProcess}; nothing starts until {@link #start()}. */
  public static final class Builder {
    private String kafkaBootstrapServers;
    private Path archive;
    private Path installDirectory;
    private Path logFile;
    private int port;
    private final List<String> jvmOptions = new ArrayList<>(List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));

    private Builder() {}

    /** The Kafka cluster that stores the schemas. Required. */
    public Builder kafkaBootstrapServers(String bootstrapServers) {
      this.kafkaBootstrapServers = bootstrapServers;
      return this;
    }

    /** The HTTP port on 127.0.0.1; 0 (the default) picks a free one. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** The {@code -all.tar.gz} distribution; defaults to the one the Maven build fetched. */
    public Builder archive(Path archive) {
      this.archive = archive;
      return this;
    }

    /** Where the distribution is unpacked; defaults to {@code ~/.cache/reprise/apicurio-registry-3.0.9}. */
    public Builder installDirectory(Path installDirectory) {
      this.installDirectory = installDirectory;
      return this;
    }

    /** Where the child's output goes; defaults to a file in the temporary directory. */
    public Builder logFile(Path logFile) {
      this.logFile = logFile;
      return this;
    }

    /** Replaces the child JVM's options (default: 384 MiB heap, serial GC, C1 only for a fast start). */
    public Builder jvmOptions(List<String> options) {
      jvmOptions.clear();
      jvmOptions.addAll(options);
      return this;
    }

    public ApicurioRegistryProcess build() {
      if (kafkaBootstrapServers == null || kafkaBootstrapServers.isBlank()) {
        throw new IllegalArgumentException("kafkaBootstrapServers is required: the registry stores schemas in Kafka");
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, was " + port);
      }
      archive = Objects.requireNonNullElseGet(archive, ApicurioRegistryProcess::defaultArchive);
      installDirectory = Objects.requireNonNullElseGet(installDirectory,
          () -> Path.of(System.getProperty("user.home"), ".cache", "reprise", "apicurio-registry-" + VERSION));
      int chosenPort;
      try {
        chosenPort = port != 0 ? port : EmbeddedKafkaBroker.freeLoopbackPort();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot find a free port for Apicurio Registry", e);
      }
      logFile = Objects.requireNonNullElseGet(logFile,
          () -> Path.of(System.getProperty("java.io.tmpdir"), "reprise-apicurio-" + chosenPort + ".log"));
      return new ApicurioRegistryProcess(this, chosenPort);
    }
  }
}
