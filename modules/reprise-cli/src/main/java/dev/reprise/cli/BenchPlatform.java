package dev.reprise.cli;

import dev.reprise.embedded.EmbeddedPlatform;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The cluster a benchmark measures on, with the broker in a JVM of its own.
 *
 * <p>A broker inside the benchmark's JVM shares its CPU and heap with the benchmark's own clients
 * (a status poller took 23% of that JVM's samples), and its CPU cannot be told apart. So on the
 * embedded default the broker runs in a {@code reprise up} process: the one already running on the
 * data directory, or one started here and stopped at {@link #close()}. Its CPU time is then read
 * from that process. On a cluster given by flags the broker's CPU is unknown and reported as such.
 */
final class BenchPlatform implements AutoCloseable {

  private final ConnectionOptions.Connection connection;
  private final Optional<ProcessHandle> broker;
  private final Process started;

  private BenchPlatform(ConnectionOptions.Connection connection, Optional<ProcessHandle> broker, Process started) {
    this.connection = connection;
    this.broker = broker;
    this.started = started;
  }

  static BenchPlatform open(ConnectionOptions options, PrintWriter out) throws IOException, InterruptedException {
    if (!options.embeddedDefault()) {
      return new BenchPlatform(options.connect(), Optional.empty(), null);
    }
    Path dataDirectory = options.dataDirectory;
    Optional<ProcessHandle> running = EmbeddedPlatform.runningProcess(dataDirectory);
    Process started = null;
    if (running.isEmpty()) {
      out.printf("Starting the embedded platform in its own JVM (reprise up --data-dir %s) ...%n", dataDirectory);
      out.flush();
      Files.createDirectories(dataDirectory);
      Path log = Files.createTempFile("reprise-bench-platform", ".log");
      started = new ProcessBuilder(BenchSupport.javaCommand("1g", List.of(), "up", "--http-port", "-1",
          "--data-dir", dataDirectory.toString()))
          .redirectOutput(log.toFile()).redirectErrorStream(true).start();
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while ((running = EmbeddedPlatform.runningProcess(dataDirectory)).isEmpty()) {
        if (!started.isAlive() || System.nanoTime() > deadline) {
          started.destroyForcibly();
          throw new IllegalStateException("the embedded platform did not start (log: " + log + ")");
        }
        Thread.sleep(100);
      }
    }
    return new BenchPlatform(options.connect(), running, started);
  }

  ConnectionOptions.Connection connection() {
    return connection;
  }

  String bootstrapServers() {
    return connection.bootstrapServers();
  }

  String schemaRegistryUrl() {
    return connection.schemaRegistryUrl();
  }

  /** The broker's process, when it runs on this machine in a JVM of its own. */
  Optional<ProcessHandle> broker() {
    return broker;
  }

  /** "embedded, broker pid N" or the bootstrap servers. */
  String describe() {
    return broker.map(b -> bootstrapServers() + " (embedded, broker in its own JVM, pid " + b.pid() + ")")
        .orElse(bootstrapServers() + " (broker CPU not measured: not a local process)");
  }

  @Override
  public void close() throws InterruptedException {
    connection.close();
    if (started != null) {
      started.destroy();
      if (!started.waitFor(60, TimeUnit.SECONDS)) {
        started.destroyForcibly();
      }
    }
  }
}
