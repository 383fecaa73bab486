package dev.reprise.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprise.embedded.EmbeddedPlatform;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reprise up} killed with SIGKILL and started again, as a user's machine would see it: the
 * killed process could not stop its Apicurio child, so the next {@code up} stops that orphan (one
 * registry per data directory, not two), and serves the registry on the same port, so a client of
 * the old one (a coordinator in its own process) carries on without being restarted.
 */
class EmbeddedRestartIT {

  private static final Schema SCHEMA = SchemaBuilder.record("Restarted").namespace("dev.reprise.it").fields()
      .requiredString("id").endRecord();

  @Test
  void shouldReapTheOrphanedRegistryAndKeepItsPortWhenUpIsKilledAndStartedAgain(@TempDir Path dir) throws Exception {
    Process first = up(dir);
    Map.Entry<String, String> before;
    long orphan;
    try {
      before = awaitRunning(dir, first);
      orphan = registryPid(dir);
      first.destroyForcibly().waitFor();
    } finally {
      first.destroyForcibly();
    }
    assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).as("SIGKILL leaves the registry running")
        .contains(true);

    try (var client = ConfluentSchemaRegistryClient.create(before.getValue())) {
      Process second = up(dir);
      try {
        Map.Entry<String, String> after = awaitRunning(dir, second);
        assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false))
            .as("the orphaned registry was stopped").isFalse();
        assertThat(after.getValue()).as("the registry keeps its address").isEqualTo(before.getValue());
        assertThat(after.getKey()).as("so does the broker").isEqualTo(before.getKey());
        long registry = registryPid(dir);
        assertThat(registry).isNotEqualTo(orphan);
        assertThat(ProcessHandle.of(registry).map(ProcessHandle::isAlive)).contains(true);
        // The client made for the first registry works with the second.
        int id = client.register("restarted-value", SCHEMA);
        assertThat(client.schemaById(id)).isEqualTo(SCHEMA);

        second.destroy();
        assertThat(second.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        await("a normal stop stops the registry").atMost(Duration.ofSeconds(30))
            .until(() -> !ProcessHandle.of(registry).map(ProcessHandle::isAlive).orElse(false));
      } finally {
        second.destroyForcibly();
        ProcessHandle.of(registryPid(dir)).ifPresent(ProcessHandle::destroyForcibly);
      }
    } finally {
      ProcessHandle.of(orphan).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  private static Process up(Path dir) throws Exception {
    return CliProcess.start(List.of("up", "--data-dir", dir.toString(), "--http-port", "-1"),
        dir.resolve("up-" + System.nanoTime() + ".log"));
  }

  private static Map.Entry<String, String> awaitRunning(Path dir, Process owner) {
    return await("up serving on " + dir).atMost(Duration.ofMinutes(3))
        .until(() -> {
          assertThat(owner.isAlive()).as("reprise up exited early").isTrue();
          return EmbeddedPlatform.running(dir).orElse(null);
        }, running -> running != null);
  }

  private static long registryPid(Path dir) throws Exception {
    Properties properties = new Properties();
    try (InputStream in = Files.newInputStream(dir.resolve("registry.properties"))) {
      properties.load(in);
    }
    return Long.parseLong(properties.getProperty("pid"));
  }
}
