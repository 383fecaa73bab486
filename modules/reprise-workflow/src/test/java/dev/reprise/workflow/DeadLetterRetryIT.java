package dev.reprise.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.reprise.protocol.DeadLetterRedriver;
import dev.reprise.protocol.ReplayCommand;
import dev.reprise.coordinator.ReplayCoordinator;
import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillRequest.EffectsPolicy;
import dev.reprise.protocol.BackfillRequest.Mode;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import dev.reprise.workflow.CountingWebhookServer;
import dev.reprise.protocol.DeadLetterRedriver.DeadLetter;
import dev.reprise.workflow.internal.ReceiptCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dead letters of both stages (a handler that throws, a sink that refuses) are retried one by one
 * and by backfill, through the dedup store: every effect happens once, a second retry of the same
 * item is a duplicate.
 */
@RepriseIntegrationTest
class DeadLetterRetryIT {

  @TempDir Path state;

  @Test
  void shouldRetryDeadLettersOneByOneAndByBackfillWithoutRunningAnythingTwice(RepriseTestEnvironment env) throws Exception {
    String source = env.uniqueName("submissions");
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(400).seed(59).corruptShare(0)
        .dirtyShare(0).tombstoneShare(0).build());
    List<String> valid = GeneratedEvents.ids(history);
    Set<String> refusedBySink = Set.of(valid.get(10), valid.get(100), valid.get(200));
    Set<String> failedByHandler = Set.of(valid.get(50), valid.get(300));
    Set<String> failingHandler = ConcurrentHashMap.newKeySet();
    failingHandler.addAll(failedByHandler);
    String name = env.uniqueName("retrying");
    String backfill = env.uniqueName("redo");

    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var client = BackfillClient.create(Map.of("bootstrap.servers", env.bootstrapServers()), registry);
        var sink = new CountingWebhookServer()) {
      new HistoryWriter(env.producerConfig(), registry).write(source, 3, history);
      sink.reject(refusedBySink);
      try (var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
              .allowedSourceTopics(Set.of(source)).build().start();
          var runtime = WorkflowRuntime.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
              .workflow(new WebhookWorkflow(name, failingHandler)).backfills(Set.of(backfill))
              .sink(new HttpWebhookSink("webhook", sink.url()), SinkResilience.builder().maxAttempts(2).minimumCalls(2)
                  .initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(20)).build())
              .stateDirectory(state).build().start();
          var redriver = DeadLetterRedriver.create(Map.of("bootstrap.servers", env.bootstrapServers()), name)) {
        client.submit(new BackfillRequest(backfill, source, Instant.parse("2020-01-01T00:00:00Z"),
            Instant.parse("2026-01-01T00:00:00Z"), Map.of(), OptionalInt.empty(), Mode.EXECUTE, List.of(),
            OptionalDouble.empty(), EffectsPolicy.ENABLE, Optional.of("it"), Optional.empty()));
        await().atMost(Duration.ofSeconds(90)).until(() -> receipts(env, registry, name).size() >= valid.size());

        List<DeadLetter> letters = redriver.deadLetters();
        assertThat(letters).hasSize(5).allSatisfy(d -> assertThat(d.backfillId()).hasValue(backfill));
        assertThat(letters).filteredOn(d -> d.stage().equals(WorkflowHeaders.STAGE_EFFECT))
            .extracting(d -> d.eventId().orElseThrow()).containsExactlyInAnyOrderElementsOf(refusedBySink);
        assertThat(letters).filteredOn(d -> d.stage().equals(WorkflowHeaders.STAGE_HANDLE))
            .extracting(d -> d.eventId().orElseThrow()).containsExactlyInAnyOrderElementsOf(failedByHandler);
        assertThat(sink.accepted()).hasSize(valid.size() - 5);

        // The causes are fixed; one item first, then the same item again.
        sink.reject(Set.of());
        failingHandler.clear();
        DeadLetter first = letters.stream().filter(d -> d.stage().equals(WorkflowHeaders.STAGE_EFFECT)).findFirst().orElseThrow();
        String firstId = first.eventId().orElseThrow();
        redriver.retryItem(first.partition(), first.offset());
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.accepted().containsKey(firstId));
        redriver.retryItem(first.partition(), first.offset());
        await().atMost(Duration.ofSeconds(30)).until(() -> outcomes(env, registry, name, firstId)
            .equals(List.of(ReceiptOutcome.FAILED, ReceiptOutcome.PROCESSED, ReceiptOutcome.DUPLICATE)));

        // Then every item of the backfill, the one already retried included.
        assertThat(redriver.retryBackfill(backfill)).hasSize(5);
        await().atMost(Duration.ofSeconds(60)).until(() -> sink.accepted().size() == valid.size());
        await().atMost(Duration.ofSeconds(30)).until(() -> outcomes(env, registry, name, firstId).size() == 4);
        assertThat(outcomes(env, registry, name, firstId)).last().isEqualTo(ReceiptOutcome.DUPLICATE);
        assertThatThrownBy(() -> redriver.retryItem(first.partition(), 999_999))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no dead letter at");

        // As a RETRY request, the coordinator's to decide: this backfill names no workflow, so it
        // retries none of a workflow's dead letters, and says why.
        client.send(ReplayCommand.retry(backfill, name, List.of(first.coordinates())));
        assertThat(await().atMost(Duration.ofSeconds(30))
            .until(() -> client.status(backfill).orElseThrow().rejectedCommand().orElse(""), note -> !note.isEmpty()))
            .contains("RETRY refused").contains("names no workflow '" + name + "'");
      }
      assertThat(sink.accepted().keySet()).containsExactlyInAnyOrderElementsOf(valid);
      assertThat(sink.accepted()).allSatisfy((key, calls) -> assertThat(calls).as(key).isEqualTo(1));
      for (String id : failedByHandler) {
        assertThat(outcomes(env, registry, name, id)).containsExactly(ReceiptOutcome.FAILED, ReceiptOutcome.PROCESSED);
      }
    }
  }

  private static List<Receipt> receipts(RepriseTestEnvironment env, ConfluentSchemaRegistryClient registry, String workflow) {
    ReceiptCodec codec = new ReceiptCodec(registry, workflow);
    return env.readCommitted(WorkflowTopics.receipts(workflow)).stream().map(r -> codec.decode(r.value())).toList();
  }

  private static List<ReceiptOutcome> outcomes(RepriseTestEnvironment env, ConfluentSchemaRegistryClient registry,
      String workflow, String eventId) {
    return receipts(env, registry, workflow).stream().filter(r -> r.eventId().equals(eventId)).map(Receipt::outcome).toList();
  }
}
