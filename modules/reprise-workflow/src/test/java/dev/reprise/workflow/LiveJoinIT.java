package dev.reprise.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.submissions.workflow.NotifyWorkflow;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import dev.reprise.workflow.CountingWebhookServer;
import dev.reprise.workflow.internal.ReceiptCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A workflow attached to a live topic that already holds history: history is never live. */
@RepriseIntegrationTest
class LiveJoinIT {

  @TempDir Path state;

  @Test
  void shouldFireNoEffectForHistoryWhenANewWorkflowJoinsALiveTopicAndExactlyOneForEachNewRecord(
      RepriseTestEnvironment env) throws Exception {
    String source = env.uniqueName("submissions");
    String name = env.uniqueName("notify");
    HistoryGenerator old = new HistoryGenerator(HistorySpec.builder().events(2_000).seed(61).corruptShare(0).build());
    HistoryGenerator fresh = new HistoryGenerator(HistorySpec.builder().events(200).seed(62).idPrefix("live-").corruptShare(0)
        .dirtyShare(0).tombstoneShare(0).build());
    Set<String> freshIds = new HashSet<>(GeneratedEvents.ids(fresh));
    assertThat(freshIds).doesNotContainAnyElementsOf(GeneratedEvents.ids(old));

    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var webhook = new CountingWebhookServer()) {
      HistoryWriter writer = new HistoryWriter(env.producerConfig(), registry);
      writer.write(source, 3, old);
      try (var runtime = WorkflowRuntime.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
          .workflow(new NotifyWorkflow(name)).sink(new HttpWebhookSink(NotifyWorkflow.SINK, webhook.url()))
          .liveTopics(Set.of(source)).allBackfills(false).stateDirectory(state).build().start()) {
        LivePositionsAssert.joinedAtEnd(env, runtime, source);
        await().atMost(Duration.ofSeconds(60)).until(() -> runtime.state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING);

        writer.write(source, 3, fresh);
        await().atMost(Duration.ofSeconds(90)).until(() -> processed(env, registry, name).size() >= freshIds.size());
      }
      // New records come after every historical one in each partition: once they are handled, no
      // historical record can still be on its way.
      assertThat(webhook.accepted().keySet()).as("webhook calls: only the records written after the workflow started")
          .isEqualTo(freshIds);
      assertThat(webhook.accepted()).allSatisfy((key, calls) -> assertThat(calls).as(key).isEqualTo(1));
      List<Receipt> receipts = receipts(env, registry, name);
      assertThat(receipts).as("nothing of the history was handled live").allSatisfy(r ->
          assertThat(freshIds).contains(r.eventId()));
      assertThat(receipts).allSatisfy(r -> assertThat(r.backfillId()).as("the live path").isEmpty());
    }
  }

  @Test
  void shouldKeepItsLivePositionAcrossARestart(RepriseTestEnvironment env) throws Exception {
    String source = env.uniqueName("submissions");
    String name = env.uniqueName("restarted");
    HistoryGenerator old = new HistoryGenerator(HistorySpec.builder().events(300).seed(63).corruptShare(0).build());
    HistoryGenerator during = new HistoryGenerator(HistorySpec.builder().events(150).seed(64).idPrefix("down-").corruptShare(0)
        .dirtyShare(0).tombstoneShare(0).build());
    Set<String> duringIds = new HashSet<>(GeneratedEvents.ids(during));

    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var webhook = new CountingWebhookServer()) {
      HistoryWriter writer = new HistoryWriter(env.producerConfig(), registry);
      writer.write(source, 2, old);
      WorkflowRuntime.Builder builder = WorkflowRuntime.builder().bootstrapServers(env.bootstrapServers())
          .schemaRegistry(registry).workflow(new NotifyWorkflow(name))
          .sink(new HttpWebhookSink(NotifyWorkflow.SINK, webhook.url())).liveTopics(Set.of(source)).allBackfills(false)
          .stateDirectory(state);
      var joined = builder.build().start();
      LivePositionsAssert.joinedAtEnd(env, joined, source);
      joined.close();
      // Written while the workflow is down: live for it (it existed), so handled when it is back.
      writer.write(source, 2, during);
      try (var again = builder.build().start()) {
        assertThat(again.livePositions().get(source).set()).as("a restart keeps the committed position").isEmpty();
        await().atMost(Duration.ofSeconds(90)).until(() -> processed(env, registry, name).size() >= duringIds.size());
      }
      assertThat(webhook.accepted().keySet()).isEqualTo(duringIds);
    }
  }

  private static List<String> processed(RepriseTestEnvironment env, ConfluentSchemaRegistryClient registry, String workflow) {
    return receipts(env, registry, workflow).stream().filter(r -> r.outcome() == ReceiptOutcome.PROCESSED)
        .map(Receipt::eventId).toList();
  }

  private static List<Receipt> receipts(RepriseTestEnvironment env, ConfluentSchemaRegistryClient registry, String workflow) {
    ReceiptCodec codec = new ReceiptCodec(registry, workflow);
    return env.readCommitted(WorkflowTopics.receipts(workflow)).stream().map(r -> codec.decode(r.value())).toList();
  }
}
