package dev.reprise.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprise.backpressure.GroupStatus;
import dev.reprise.backpressure.LagMonitor;
import dev.reprise.backpressure.WorkflowHealth;
import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import dev.reprise.workflow.CountingWebhookServer;
import dev.reprise.workflow.api.Workflow;
import dev.reprise.workflow.internal.ReceiptCodec;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sink outage opens the breaker and pauses the workflow; nothing is dead-lettered; it resumes. */
@RepriseIntegrationTest
class WorkflowBackpressureIT {

  @TempDir Path state;

  @Test
  void shouldPauseWhileTheSinkIsDownAndResumeWithoutLosingOrRepeatingEffects(RepriseTestEnvironment env) throws Exception {
    String source = env.uniqueName("submissions");
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(200).seed(47).corruptShare(0)
        .dirtyShare(0).tombstoneShare(0).build());
    Set<String> valid = new HashSet<>(GeneratedEvents.ids(history));
    String name = env.uniqueName("fragile");
    Workflow workflow = new WebhookWorkflow(name);

    Map<String, Object> client = Map.of("bootstrap.servers", env.bootstrapServers());
    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var server = new CountingWebhookServer();
        var health = WorkflowHealth.view(client);
        var monitor = LagMonitor.create(client, Clock.systemUTC(), Duration.ofSeconds(5), health)) {
      server.down(true);
      LiveTopics.subscribedBeforeWriting(env, name, source, 2);
      new HistoryWriter(env.producerConfig(), registry).write(source, 2, history);
      SinkResilience resilience = SinkResilience.builder().maxAttempts(3).minimumCalls(3)
          .initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(100))
          .openDuration(Duration.ofSeconds(2)).build();
      try (var runtime = WorkflowRuntime.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
          .workflow(workflow).sink(new HttpWebhookSink("webhook", server.url()), resilience)
          .liveTopics(Set.of(source)).allBackfills(false).stateDirectory(state).build().start()) {
        await().atMost(Duration.ofSeconds(60)).until(runtime::isPausedByBackpressure);
        assertThat(runtime.unavailableSinks()).containsExactly("webhook");
        // Seen from outside, as the coordinator and dashboards see it: paused on purpose, not stalled.
        String group = WorkflowTopics.applicationId(name);
        await().atMost(Duration.ofSeconds(10)).until(() -> health.test(group));
        assertThat(health.why(group)).hasValueSatisfying(why -> assertThat(why).contains("webhook"));
        assertThat(monitor.lag(group, Set.of(source)).status()).isEqualTo(GroupStatus.PAUSED_BY_BACKPRESSURE);
        int refusedWhenPaused = server.refused();
        // Paused, not spinning: at most the breaker's trial calls reach the sink while it is down.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
            .until(() -> server.refused() <= refusedWhenPaused + 2 * 3 * 2);

        server.down(false);
        await().atMost(Duration.ofSeconds(60)).until(() -> server.accepted().size() == valid.size());
        await().atMost(Duration.ofSeconds(30)).until(() -> !runtime.isPausedByBackpressure());
        await().atMost(Duration.ofSeconds(10)).until(() -> !health.test(group));
      }
      assertThat(server.accepted().keySet()).isEqualTo(valid);
      assertThat(server.accepted()).allSatisfy((key, calls) -> assertThat(calls).as(key).isEqualTo(1));
      assertThat(outcomes(env, registry, name)).doesNotContain(ReceiptOutcome.FAILED);
    }
  }

  private static Set<ReceiptOutcome> outcomes(RepriseTestEnvironment env, ConfluentSchemaRegistryClient registry, String workflow) {
    ReceiptCodec codec = new ReceiptCodec(registry, workflow);
    return env.readCommitted(WorkflowTopics.receipts(workflow)).stream().map(r -> codec.decode(r.value()).outcome())
        .collect(java.util.stream.Collectors.toSet());
  }
}
