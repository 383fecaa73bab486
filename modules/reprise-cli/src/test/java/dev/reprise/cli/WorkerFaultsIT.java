package dev.reprise.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprise.coordinator.ReplayCoordinator;
import dev.reprise.embedded.EmbeddedKafkaBroker;
import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillCounters;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillRequest.EffectsPolicy;
import dev.reprise.protocol.BackfillRequest.Mode;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.submissions.workflow.NotifyWorkflow;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import dev.reprise.verify.BackfillVerifier;
import dev.reprise.verify.VerificationReport;
import dev.reprise.workflow.CountingWebhookServer;
import dev.reprise.workflow.HttpWebhookSink;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The workers' side of the faults: a {@code reprise worker} running {@code notify} with effects
 * enabled is killed with SIGKILL twice (once onto a fresh state directory, once onto the stale one
 * it left), and the broker restarts in between; a {@code reprise dashboard} watches throughout.
 * Every submission is posted to the webhook exactly once, verification (effects at the webhook
 * included) passes, and the dashboard, which lived through the broker restart, shows it.
 */
@RepriseIntegrationTest
class WorkerFaultsIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void shouldPerformEveryEffectOnceThroughWorkerKillsAndABrokerRestart(RepriseTestEnvironment shared,
      @TempDir Path dir) throws Exception {
    String source = "submissions";
    String id = "worker-faults";
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(8_000).seed(23).build());
    int httpPort = freePort();
    List<Process> processes = new ArrayList<>();
    try (var broker = EmbeddedKafkaBroker.builder().dataDirectory(dir.resolve("kafka")).build().start();
        var env = RepriseTestEnvironment.on(broker.bootstrapServers(), shared.schemaRegistryUrl());
        var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var webhook = new CountingWebhookServer();
        var client = BackfillClient.create(Map.of("bootstrap.servers", env.bootstrapServers()), registry);
        var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
            .allowedSourceTopics(Set.of(source)).knownWorkflows(Set.of("notify")).build().start()) {
      new HistoryWriter(env.producerConfig(), registry).write(source, 6, history);
      processes.add(cli(env, "dashboard", List.of("--http-port", Integer.toString(httpPort))));
      Process worker = worker(env, dir, webhook, "w1", processes);
      client.submit(new BackfillRequest(id, source, Instant.parse("2020-01-01T00:00:00Z"),
          Instant.parse("2026-01-01T00:00:00Z"), Map.of(), OptionalInt.empty(), Mode.EXECUTE, List.of("notify"),
          OptionalDouble.of(500), EffectsPolicy.ENABLE, Optional.of("worker-faults-it"), Optional.of("test")));
      long matched = await().atMost(Duration.ofMinutes(1)).until(() -> client.status(id).orElse(null),
          s -> s != null && s.state() == BackfillState.RUNNING).counter(BackfillCounters.PLANNED);

      awaitCalls(webhook, matched / 5);
      kill(worker);
      worker = worker(env, dir, webhook, "w2", processes);
      awaitCalls(webhook, matched * 2 / 5);
      broker.close();
      broker.start();
      awaitCalls(webhook, matched * 3 / 5);
      kill(worker);
      worker = worker(env, dir, webhook, "w2", processes);

      BackfillStatus done = await().atMost(Duration.ofMinutes(3)).until(() -> client.status(id).orElse(null),
          s -> s != null && s.state() == BackfillState.COMPLETED);
      long published = done.counter(BackfillCounters.PUBLISHED);
      await("every effect performed").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
          .until(() -> webhook.accepted().size() >= published);
      assertThat(webhook.accepted()).hasSize((int) published)
          .allSatisfy((key, calls) -> assertThat(calls).as("calls for %s", key).isEqualTo(1));

      VerificationReport report = new BackfillVerifier(Map.of("bootstrap.servers", env.bootstrapServers()), registry,
          client).checkingSinks("notify", List.of(HttpWebhookSink.lookupOnly(NotifyWorkflow.SINK, webhook.lookupUrl())))
          .verify(id, Duration.ofMinutes(2));
      assertThat(report.verified()).as(report.failures()).isTrue();
      assertThat(report.sinks().checked()).isEqualTo(published);

      HttpClient http = HttpClient.newHttpClient();
      await("the dashboard shows the outcome").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
          .until(() -> {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPort + "/api/backfills/" + id)).build(),
                HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? JSON.readTree(response.body()).path("state").asText() : "";
          }, state -> state.equals(BackfillState.VERIFIED.name()));
    } finally {
      processes.forEach(Process::destroyForcibly);
    }
  }

  private static void awaitCalls(CountingWebhookServer webhook, long calls) {
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
        .until(() -> webhook.accepted().size() >= calls);
  }

  private static void kill(Process worker) throws InterruptedException {
    worker.destroyForcibly();
    assertThat(worker.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  private static Process worker(RepriseTestEnvironment env, Path dir, CountingWebhookServer webhook, String stateDir,
      List<Process> processes) throws Exception {
    Process worker = cli(env, "worker", List.of("--workflow", "notify", "--webhook", webhook.url().toString(),
        "--webhook-lookup", webhook.lookupUrl().toString(), "--backfill", "worker-faults",
        "--state-dir", dir.resolve(stateDir).toString(), "--http-port", "-1"));
    processes.add(worker);
    return worker;
  }

  private static Process cli(RepriseTestEnvironment env, String command, List<String> options)
      throws Exception {
    List<String> line = new ArrayList<>(List.of(command, "--bootstrap-server", env.bootstrapServers(),
        "--schema-registry", env.schemaRegistryUrl()));
    line.addAll(options);
    return CliProcess.start(line, Path.of("target", "worker-faults-it-" + command + "-" + System.nanoTime() + ".log"));
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
