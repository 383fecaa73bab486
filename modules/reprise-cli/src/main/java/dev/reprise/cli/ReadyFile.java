package dev.reprise.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * {@code --ready-file FILE} of the long-running commands ({@code up}, {@code coordinator}, {@code
 * worker}): the machine-readable "ready" a script or another client waits for instead of reading a
 * log line. The file appears, whole (written beside and moved into place), only once the command
 * serves: {@code up} once the broker, the registry and the control topics exist; {@code coordinator}
 * once it has joined the coordinators' group (a request written now is read now); {@code worker} once
 * its workflow runs. It is a Java properties file, {@code ready=true}, {@code command}, {@code pid},
 * {@code bootstrapServers}, {@code schemaRegistryUrl} and the command's own keys, and is removed when
 * the command stops.
 *
 * <pre>{@code
 * reprise up --ready-file /tmp/reprise.ready &
 * while [ ! -f /tmp/reprise.ready ]; do sleep 0.2; done
 * grep bootstrapServers /tmp/reprise.ready
 * }</pre>
 */
final class ReadyFile {

  @Option(names = "--ready-file", paramLabel = "FILE",
      description = "Once serving, write FILE (properties: ready=true, command, pid, bootstrapServers,"
          + " schemaRegistryUrl, ...) in one step; removed on stop. What a script waits for.")
  Path file;

  /** Writes the file (if asked for) and removes it when the JVM stops. */
  void announce(String command, String bootstrapServers, String schemaRegistryUrl, Map<String, String> more) {
    if (file == null) {
      return;
    }
    Properties properties = new Properties();
    properties.setProperty("ready", "true");
    properties.setProperty("command", command);
    properties.setProperty("pid", Long.toString(ProcessHandle.current().pid()));
    properties.setProperty("bootstrapServers", bootstrapServers);
    properties.setProperty("schemaRegistryUrl", schemaRegistryUrl);
    more.forEach(properties::setProperty);
    write(file, properties, "reprise " + command + " is serving; removed when it stops");
    Path written = file;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        Files.deleteIfExists(written);
      } catch (IOException e) {
        // A stale file names a dead pid; a reader that checks the pid sees through it.
      }
    }, "reprise-ready-file"));
  }

  /**
   * Writes {@code properties} beside {@code file} and moves it into place, so that a reader never
   * sees half a file.
   */
  static void write(Path file, Properties properties, String comment) {
    Path absolute = file.toAbsolutePath();
    try {
      Files.createDirectories(absolute.getParent());
      Path partial = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName(), ".partial");
      try (var out = Files.newOutputStream(partial)) {
        properties.store(out, comment);
      }
      try {
        Files.move(partial, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(partial, absolute, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the ready file " + file + ": " + e.getMessage(), e);
    }
  }
}
