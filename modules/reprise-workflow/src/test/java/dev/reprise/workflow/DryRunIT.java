package dev.reprise.workflow;

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
import dev.reprise.registry.serde.AvroWireFormat;
import dev.reprise.submissions.workflow.FormDailyStatsWorkflow;
import dev.reprise.submissions.workflow.NotifyWorkflow;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
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
 * A PREVIEW naming workflows dry-runs them: they say what EXECUTE would do — effects to perform,
 * events they have already handled — and leave no trace: no webhook call, no receipt, no view row,
 * nothing in the dedup store. The EXECUTE of the same id after it runs on the preview's plan (not
 * on history written since) and performs every remaining effect exactly once, as if no preview
 * had run.
 */
@RepriseIntegrationTest
class DryRunIT {

  private static final Instant FROM = Instant.parse("2020-01-01T00:00:00Z");
  private static final Instant MIDDLE = Instant.parse("2023-06-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path state;

  @Test
  void shouldSayWhatExecuteWouldDoWithoutDoingAnyOfItAndLeaveExecuteUnchanged(RepriseTestEnvironment env)
      throws Exception {
    String source = env.uniqueName("submissions");
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(400).seed(73).corruptShare(0)
        .dirtyShare(0).tombstoneShare(0).build());
    String notify = env.uniqueName("notify");
    String stats = env.uniqueName("stats");
    String early = env.uniqueName("early");
    String preview = env.uniqueName("look");
    Map<String, Object> clientConfig = Map.of("bootstrap.servers", env.bootstrapServers());

    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var client = BackfillClient.create(clientConfig, registry);
        var webhook = new CountingWebhookServer();
        var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
            .allowedSourceTopics(Set.of(source)).knownWorkflows(Set.of(notify, stats)).build().start();
        var notifying = WorkflowRuntime.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
            .workflow(new NotifyWorkflow(notify)).sink(new HttpWebhookSink(NotifyWorkflow.SINK, webhook.url()))
            .backfills(Set.of(early, preview)).stateDirectory(state.resolve("notify")).build().start();
        var counting = WorkflowRuntime.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
            .workflow(new FormDailyStatsWorkflow(stats)).backfills(Set.of(early, preview))
            .stateDirectory(state.resolve("stats")).build().start()) {
      new HistoryWriter(env.producerConfig(), registry).write(source, 3, history);

      // The older part of history first, for real: the dry run must see those as already handled.
      long handled = run(client, request(early, source, FROM, MIDDLE, Mode.EXECUTE, notify, stats))
          .counter(BackfillCounters.PUBLISHED);
      await().atMost(Duration.ofSeconds(90)).until(() -> webhook.accepted().size() == handled
          && receipts(clientConfig, registry, stats, early) == handled);
      int viewRows = env.readCommitted(WorkflowTopics.view(stats)).size();
      int notifyReceipts = env.readCommitted(WorkflowTopics.receipts(notify)).size();
      int statsReceipts = env.readCommitted(WorkflowTopics.receipts(stats)).size();

      long matched = run(client, request(preview, source, FROM, TO, Mode.PREVIEW, notify, stats))
          .counter(BackfillCounters.MATCHED);
      assertThat(matched).isGreaterThan(handled);
      WorkflowDryRun wouldNotify = awaitDryRun(clientConfig, registry, notify, preview, matched);
      WorkflowDryRun wouldCount = awaitDryRun(clientConfig, registry, stats, preview, matched);
      assertThat(wouldNotify.outcomes()).containsEntry(ReceiptOutcome.PROCESSED, matched - handled)
          .containsEntry(ReceiptOutcome.DUPLICATE, handled).containsEntry(ReceiptOutcome.FAILED, 0L);
      assertThat(wouldNotify.effectsPerSink()).containsExactly(Map.entry(NotifyWorkflow.SINK, matched - handled));
      assertThat(wouldNotify.performingPerDay().values().stream().mapToLong(Long::longValue).sum())
          .isEqualTo(matched - handled);
      assertThat(wouldNotify.examples()).isNotEmpty().allSatisfy(e -> assertThat(e).startsWith(NotifyWorkflow.SINK + ": "));
      assertThat(wouldNotify.describe()).contains(String.format("would perform %,d effect(s)", matched - handled))
          .contains(String.format("%,d already handled", handled));
      // Whom it would reach: the distinct submitters of the events it would notify, as the scratch topic has them.
      Set<String> handledIds = WorkflowReceipts.of(clientConfig, registry, notify, early).keySet();
      Set<String> recipients = new java.util.HashSet<>();
      for (var record : env.readCommitted(dev.reprise.protocol.ControlTopics.previewTopic(preview))) {
        var writer = registry.schemaById(AvroWireFormat.schemaId(record.value()));
        var event = AvroWireFormat.decode(record.value(), writer, writer);
        if (!handledIds.contains(event.get("submissionId") + "#" + event.get("revision"))
            && event.get("submitterEmail") != null) {
          recipients.add(event.get("submitterEmail").toString());
        }
      }
      assertThat(recipients).isNotEmpty();
      assertThat(wouldNotify.distinctTargetsPerSink()).containsExactly(Map.entry(NotifyWorkflow.SINK,
          (long) recipients.size()));
      assertThat(wouldNotify.describe()).contains(String.format("%s to %,d distinct target(s)", NotifyWorkflow.SINK,
          recipients.size()));
      assertThat(wouldNotify.payloadSamples()).isNotEmpty().allSatisfy(p -> assertThat(p).contains("\"eventId\""));
      assertThat(wouldCount.outcomes()).containsEntry(ReceiptOutcome.PROCESSED, matched - handled)
          .containsEntry(ReceiptOutcome.DUPLICATE, handled);
      assertThat(wouldCount.effects()).isZero();

      // No trace of it.
      assertThat(webhook.accepted()).hasSize((int) handled);
      assertThat(env.readCommitted(WorkflowTopics.view(stats))).hasSize(viewRows);
      assertThat(env.readCommitted(WorkflowTopics.receipts(notify))).hasSize(notifyReceipts);
      assertThat(env.readCommitted(WorkflowTopics.receipts(stats))).hasSize(statsReceipts);

      // History written after the preview is not what was previewed: EXECUTE by the preview's id
      // runs on its plan, not on a new snapshot.
      new HistoryWriter(env.producerConfig(), registry).write(source, 3,
          new HistoryGenerator(HistorySpec.builder().events(30).seed(74).corruptShare(0).dirtyShare(0).build()));

      // And EXECUTE does what the preview said, every effect once.
      BackfillStatus executed = run(client, request(preview, source, FROM, TO, Mode.EXECUTE, notify, stats));
      assertThat(executed.counter(BackfillCounters.PUBLISHED)).isEqualTo(matched);
      await().atMost(Duration.ofSeconds(90)).until(() -> webhook.accepted().size() == matched
          && receipts(clientConfig, registry, stats, preview) == matched);
      assertThat(webhook.accepted()).allSatisfy((key, calls) -> assertThat(calls).as(key).isEqualTo(1));
      Map<ReceiptOutcome, Long> outcomes = outcomes(clientConfig, registry, stats, preview);
      assertThat(outcomes).containsEntry(ReceiptOutcome.PROCESSED, matched - handled)
          .containsEntry(ReceiptOutcome.DUPLICATE, handled);
    }
  }

  private static BackfillRequest request(String id, String source, Instant from, Instant to, Mode mode,
      String... workflows) {
    return new BackfillRequest(id, source, from, to, Map.of(), OptionalInt.empty(), mode, List.of(workflows),
        OptionalDouble.empty(), EffectsPolicy.ENABLE, Optional.of("it"), Optional.of("dry run"));
  }

  private static BackfillStatus run(BackfillClient client, BackfillRequest request) {
    client.submit(request);
    return await().atMost(Duration.ofSeconds(90)).until(() -> client.status(request.backfillId()).orElse(null), s -> {
      assertThat(s == null ? null : s.state()).isNotIn(BackfillState.FAILED, BackfillState.REJECTED);
      assertThat(s == null ? Optional.empty() : s.rejectedCommand()).isEmpty();
      return s != null && s.state() == BackfillState.COMPLETED
          && s.request().map(BackfillRequest::mode).orElse(null) == request.mode();
    });
  }

  private static WorkflowDryRun awaitDryRun(Map<String, Object> clientConfig, ConfluentSchemaRegistryClient registry,
      String workflow, String preview, long events) {
    return await("dry run of " + workflow).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
        .until(() -> WorkflowDryRun.of(clientConfig, registry, workflow, preview), dryRun -> dryRun.events() >= events);
  }

  private static long receipts(Map<String, Object> clientConfig, ConfluentSchemaRegistryClient registry,
      String workflow, String backfill) {
    return WorkflowReceipts.of(clientConfig, registry, workflow, backfill).size();
  }

  private static Map<ReceiptOutcome, Long> outcomes(Map<String, Object> clientConfig,
      ConfluentSchemaRegistryClient registry, String workflow, String backfill) {
    Map<ReceiptOutcome, Long> outcomes = new java.util.EnumMap<>(ReceiptOutcome.class);
    WorkflowReceipts.of(clientConfig, registry, workflow, backfill).values()
        .forEach(receipts -> outcomes.merge(receipts.get(receipts.size() - 1).outcome(), 1L, Long::sum));
    return outcomes;
  }
}
