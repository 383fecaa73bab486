package dev.reprise.cli;

import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;

/** What the benchmarks share: child JVMs that report one result line, full-history replays, scratch space. */
final class BenchSupport {

  /** What a benchmark side run in its own JVM reports: {@code {"handled": N, "seconds": S}}. */
  record Result(long handled, double seconds) {
    double rate() {
      return handled / seconds;
    }

    String json() {
      return String.format(Locale.ROOT, "{\"handled\": %d, \"seconds\": %.3f}", handled, seconds);
    }

    static Result parse(String line) {
      return new Result(Long.parseLong(line.replaceAll(".*\"handled\": (\\d+).*", "$1")),
          Double.parseDouble(line.replaceAll(".*\"seconds\": ([0-9.]+).*", "$1")));
    }
  }

  private BenchSupport() {}

  /** A JVM like this one (same classpath) with {@code -Xmx heap} and {@code options}, running {@code reprise args}. */
  static List<String> javaCommand(String heap, List<String> options, String... args) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + heap));
    command.addAll(options);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), RepriseCli.class.getName()));
    command.addAll(List.of(args));
    return command;
  }

  /** Runs {@code command} to its end and returns the {@link Result} it printed; its log is kept on failure. */
  static Result runChild(String what, List<String> command) throws IOException, InterruptedException {
    Path output = Files.createTempFile("reprise-bench-" + what, ".out");
    Path log = Files.createTempFile("reprise-bench-" + what, ".log");
    Process child = new ProcessBuilder(command).redirectOutput(output.toFile()).redirectError(log.toFile()).start();
    if (child.waitFor() != 0) {
      throw new IllegalStateException("the " + what + " failed (exit " + child.exitValue() + "; log: " + log + ")");
    }
    String line = Files.readAllLines(output).stream().filter(l -> l.startsWith("{\"handled\"")).findFirst()
        .orElseThrow(() -> new IllegalStateException("the " + what + " printed no result (log: " + log + ")"));
    Files.deleteIfExists(output);
    Files.deleteIfExists(log);
    return Result.parse(line);
  }

  /** An EXECUTE request for all of {@code source}'s history, effects suppressed. */
  static BackfillRequest fullHistory(String backfillId, String source, String reason) {
    // The one wall-clock read: 'to' must not be in the future, and everything seeded is before now.
    return new BackfillRequest(backfillId, source, Instant.parse("2000-01-01T00:00:00Z"),
        Instant.now().truncatedTo(ChronoUnit.SECONDS), Map.of(), OptionalInt.empty(),
        BackfillRequest.Mode.EXECUTE, List.of(), OptionalDouble.empty(), BackfillRequest.EffectsPolicy.SUPPRESS,
        Optional.of("bench"), Optional.of(reason));
  }

  /**
   * Polls the status of {@code backfillId} until it is terminal, printing progress every 2 s to
   * {@code progress} if given; fails if {@code coordinator} (if given) exits first.
   */
  static BackfillStatus awaitFinished(BackfillClient client, String backfillId, Process coordinator, PrintWriter progress)
      throws InterruptedException {
    long began = System.nanoTime();
    long nextReport = began + Duration.ofSeconds(2).toNanos();
    while (true) {
      Optional<BackfillStatus> status = client.status(backfillId);
      if (status.isPresent() && status.get().state().isTerminal()) {
        return status.get();
      }
      if (progress != null && status.isPresent() && System.nanoTime() > nextReport) {
        nextReport += Duration.ofSeconds(2).toNanos();
        progress.printf(Locale.ROOT, "    %4.0f s: %5.1f%% scanned, %,.0f records/s now%n",
            (System.nanoTime() - began) / 1e9, status.get().progress() * 100, status.get().recordsPerSecond());
        progress.flush();
      }
      if (coordinator != null && !coordinator.isAlive()) {
        throw new IllegalStateException("the coordinator process exited with " + coordinator.exitValue());
      }
      Thread.sleep(50);
    }
  }

  static void deleteQuietly(Path directory) {
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // Scratch space under the temp directory; the OS cleans it eventually.
    }
  }
}
