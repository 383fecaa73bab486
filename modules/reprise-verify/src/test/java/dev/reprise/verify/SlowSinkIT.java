package dev.reprise.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprise.coordinator.ReplayCoordinator;
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
import dev.reprise.workflow.CountingWebhookServer;
import dev.reprise.workflow.HttpWebhookSink;
import dev.reprise.workflow.WorkflowRuntime;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A webhook that acts on every call but answers some only after the caller's timeout: each of those
 * calls is in doubt, and looked up before any retry, so every key is accepted exactly once; the verifier then
 * checks that at the webhook itself, and fails the backfill once the webhook has seen a key twice.
 */
@RepriseIntegrationTest
class SlowSinkIT {

  @TempDir Path state;

  @Test
  void shouldPerformEachEffectOnceAtASinkSlowerThanItsTimeoutAndFailVerificationOnADuplicateAtTheSink(
      RepriseTestEnvironment env) throws Exception {
    String source = env.uniqueName("submissions");
    String workflow = env.uniqueName("notify");
    String id = env.uniqueName("slow-sink");
    Map<String, Object> clientConfig = Map.of("bootstrap.servers", env.bootstrapServers());
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(120).seed(17).build());

    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var client = BackfillClient.create(clientConfig, registry);
        var webhook = new CountingWebhookServer();
        var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
            .allowedSourceTopics(Set.of(source)).knownWorkflows(Set.of(workflow)).build().start()) {
      new HistoryWriter(env.producerConfig(), registry).write(source, 3, history);
      // Every 5th call is answered after 800 ms; the sink gives up after 300 ms, and the webhook has
      // acted by then. (Rarely enough for the sink's circuit breaker to stay closed.)
      webhook.answerAfter(Duration.ofMillis(800), 5);
      client.submit(new BackfillRequest(id, source, Instant.parse("2020-01-01T00:00:00Z"),
          Instant.parse("2026-01-01T00:00:00Z"), Map.of(), OptionalInt.empty(), Mode.EXECUTE, List.of(workflow),
          OptionalDouble.empty(), EffectsPolicy.ENABLE, Optional.of("it"), Optional.of("slow sink")));
      await().atMost(Duration.ofSeconds(60)).until(() -> client.status(id).map(s -> s.state() != BackfillState.ACCEPTED)
          .orElse(false));

      BackfillStatus done;
      BackfillVerifier verifier = new BackfillVerifier(clientConfig, registry, client).checkingSinks(workflow,
          List.of(HttpWebhookSink.lookupOnly(NotifyWorkflow.SINK, webhook.lookupUrl())));
      try (var runtime = WorkflowRuntime.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
          .workflow(new NotifyWorkflow(workflow))
          .sink(new HttpWebhookSink(NotifyWorkflow.SINK, webhook.url(), webhook.lookupUrl(), Duration.ofMillis(300)))
          .backfills(Set.of(id)).stateDirectory(state).build().start()) {
        done = await().atMost(Duration.ofSeconds(60)).until(() -> client.status(id).orElse(null),
            s -> s != null && s.state() == BackfillState.COMPLETED);
        long published = done.counter(BackfillCounters.PUBLISHED);
        await().atMost(Duration.ofMinutes(2)).until(() -> webhook.accepted().size() >= published);

        VerificationReport report = verifier.verify(id, Duration.ofMinutes(2));
        assertThat(report.verified()).as(report.failures()).isTrue();
        assertThat(report.sinks().checked()).isEqualTo(published);
        assertThat(report.sinks().uncountable()).isZero();
      }
      assertThat(webhook.accepted()).hasSize((int) done.counter(BackfillCounters.PUBLISHED))
          .allSatisfy((key, calls) -> assertThat(calls).as("calls for %s", key).isEqualTo(1));
      assertThat(webhook.lookups()).as("timed-out calls were looked up, not posted again").isPositive();

      // Someone else posts one key again: the workflow's records cannot see it, the sink can.
      String twice = webhook.accepted().keySet().iterator().next();
      webhook.answerAfter(Duration.ZERO);
      HttpClient.newHttpClient().send(HttpRequest.newBuilder(webhook.url()).header("Idempotency-Key", twice)
          .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.discarding());
      VerificationReport duplicated = verifier.check(client.status(id).orElseThrow());
      assertThat(duplicated.verified()).isFalse();
      assertThat(duplicated.failedDays()).isEmpty();
      assertThat(duplicated.sinks().notOnce()).isEqualTo(1);
      assertThat(duplicated.failures()).contains(twice + " performed 2 times");
    }
  }
}
