package dev.reprise.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code reprise} command in its own JVM, as a user's shell runs it, with its output in a file:
 * what a fault test kills with SIGKILL ({@code destroyForcibly}).
 *
 * <pre>{@code
 * Process coordinator = CliProcess.start(List.of("coordinator", "--instance-id", "c1"), log);
 * }</pre>
 */
final class CliProcess {

  private CliProcess() {}

  /** Starts {@code reprise <arguments>} with this JVM's class path and a 512 MiB heap. */
  static Process start(List<String> arguments, Path log) throws IOException {
    List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-cp", System.getProperty("java.class.path"), RepriseCli.class.getName()));
    line.addAll(arguments);
    return new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }
}
