package dev.reprise.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprise.coordinator.ReplayCoordinator;
import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillRequest.EffectsPolicy;
import dev.reprise.protocol.BackfillRequest.Mode;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.submissions.workflow.NotifyWorkflow;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import dev.reprise.workflow.CountingWebhookServer;
import dev.reprise.workflow.api.Workflow;
import dev.reprise.workflow.internal.ReceiptCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@RepriseIntegrationTest
class WorkflowRuntimeIT {

  private static final Instant FROM = Instant.parse("2020-01-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2026-01-01T00:00:00Z");

  private final RepriseTestEnvironment env;
  private ConfluentSchemaRegistryClient registry;
  private BackfillClient client;
  @TempDir Path state;

  WorkflowRuntimeIT(RepriseTestEnvironment env) {
    this.env = env;
  }

  @BeforeEach
  void connect() {
    registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
    client = BackfillClient.create(Map.of("bootstrap.servers", env.bootstrapServers()), registry);
  }

  @AfterEach
  void disconnect() {
    client.close();
    registry.close();
  }

  @Test
  void shouldHandleEachEventOnceAcrossLiveTrafficAndRepeatedBackfills() throws Exception {
    String source = env.uniqueName("submissions");
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(800).seed(41).build());
    String workflow = env.uniqueName("counting");
    LiveTopics.subscribedBeforeWriting(env, workflow, source, 2);
    new HistoryWriter(env.producerConfig(), registry).write(source, 2, history);
    Set<String> valid = eventIds(history);
    String suppressed = env.uniqueName("again");
    String enabled = env.uniqueName("enabled");

    try (var sink = new CountingWebhookServer();
        var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
            .allowedSourceTopics(Set.of(source)).sessionTimeout(Duration.ofSeconds(6)).build().start();
        var runtime = runtime(workflow, sink, Set.of(source), Set.of(suppressed, enabled))) {
      // Live: every readable event once, effects performed.
      await().atMost(Duration.ofSeconds(90)).until(() -> count(receipts(workflow), ReceiptOutcome.PROCESSED) == valid.size());

      // Then the same history replayed twice, once with effects enabled.
      client.submit(request(suppressed, source, EffectsPolicy.SUPPRESS));
      client.submit(request(enabled, source, EffectsPolicy.ENABLE));
      await().atMost(Duration.ofSeconds(60)).until(() -> completed(suppressed) && completed(enabled));
      await().atMost(Duration.ofSeconds(90)).until(() -> count(receipts(workflow), ReceiptOutcome.DUPLICATE) == 2L * valid.size());

      List<Receipt> receipts = receipts(workflow);
      assertThat(sink.accepted()).as("one webhook call per event").hasSize(valid.size()).allSatisfy((key, calls) ->
          assertThat(calls).as(key).isEqualTo(1));
      assertThat(sink.accepted().keySet()).isEqualTo(valid);
      assertThat(receipts.stream().filter(r -> r.outcome() == ReceiptOutcome.DUPLICATE).map(r -> r.backfillId().orElseThrow())
          .collect(Collectors.toSet())).containsExactlyInAnyOrder(suppressed, enabled);
      assertThat(count(receipts, ReceiptOutcome.PROCESSED)).isEqualTo(valid.size());
      assertThat(count(receipts, ReceiptOutcome.SUPPRESSED)).isZero();
      assertThat(count(receipts, ReceiptOutcome.FAILED)).as("live records that cannot be read or upcast")
          .isEqualTo(history.summarize().unreadable());
    }
  }

  @Test
  void shouldSuppressEffectsOfAReplayByDefaultAndCountItAsHandled() throws Exception {
    String source = env.uniqueName("submissions");
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(300).seed(43).corruptShare(0).dirtyShare(0).build());
    new HistoryWriter(env.producerConfig(), registry).write(source, 2, history);
    Set<String> valid = eventIds(history);
    String workflow = env.uniqueName("quiet");
    String first = env.uniqueName("first");
    String second = env.uniqueName("second");

    try (var sink = new CountingWebhookServer();
        var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
            .allowedSourceTopics(Set.of(source)).sessionTimeout(Duration.ofSeconds(6)).build().start();
        var runtime = runtime(workflow, sink, Set.of(), Set.of(first, second))) {
      client.submit(request(first, source, EffectsPolicy.SUPPRESS));
      await().atMost(Duration.ofSeconds(90)).until(() -> count(receipts(workflow), ReceiptOutcome.SUPPRESSED) == valid.size());
      client.submit(request(second, source, EffectsPolicy.ENABLE));
      await().atMost(Duration.ofSeconds(90)).until(() -> count(receipts(workflow), ReceiptOutcome.DUPLICATE) == valid.size());

      assertThat(sink.accepted()).isEmpty();
      assertThat(receipts(workflow)).filteredOn(r -> r.outcome() == ReceiptOutcome.SUPPRESSED)
          .allSatisfy(r -> assertThat(r.effects()).containsExactly("webhook: POST submission " + r.eventId()));
    }
  }

  @Test
  void shouldNotPerformEffectsAnotherWorkflowsBackfillEnabledWhenFollowingEveryBackfill() throws Exception {
    String source = env.uniqueName("submissions");
    String mine = env.uniqueName("bystander");
    // Ids of its own: it reads every backfill topic on the broker, other tests' too, whose events
    // with the same ids would make these DUPLICATEs.
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(300).seed(45).corruptShare(0)
        .dirtyShare(0).idPrefix(mine + "-").build());
    new HistoryWriter(env.producerConfig(), registry).write(source, 2, history);
    Set<String> valid = eventIds(history);
    String theirs = env.uniqueName("theirs");
    String id = env.uniqueName("their-backfill");

    try (var sink = new CountingWebhookServer();
        var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
            .allowedSourceTopics(Set.of(source)).knownWorkflows(Set.of(theirs)).sessionTimeout(Duration.ofSeconds(6))
            .build().start();
        // The default: every backfill topic, so it reads this one too, which it was never named in.
        var runtime = WorkflowRuntime.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
            .workflow(new NotifyWorkflow(mine)).sink(new HttpWebhookSink("webhook", sink.url()))
            .stateDirectory(state.resolve(mine)).build().start()) {
      client.submit(new BackfillRequest(id, source, FROM, TO, Map.of(), OptionalInt.empty(), Mode.EXECUTE,
          List.of(theirs), OptionalDouble.empty(), EffectsPolicy.ENABLE, Optional.of("it"), Optional.empty()));
      await().atMost(Duration.ofSeconds(90)).until(() -> receipts(mine).stream()
          .filter(r -> r.backfillId().filter(id::equals).isPresent()).count() == valid.size());

      assertThat(receipts(mine)).filteredOn(r -> r.backfillId().filter(id::equals).isPresent())
          .allSatisfy(r -> assertThat(r.outcome()).isEqualTo(ReceiptOutcome.SUPPRESSED));
      assertThat(sink.accepted()).as("history it never asked for fires nothing").isEmpty();
    }
  }

  private WorkflowRuntime runtime(String name, CountingWebhookServer sink, Set<String> live, Set<String> backfills) {
    Workflow workflow = new NotifyWorkflow(name);
    return WorkflowRuntime.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry).workflow(workflow)
        .sink(new HttpWebhookSink("webhook", sink.url())).liveTopics(live).backfills(backfills).stateDirectory(state.resolve(name)).build().start();
  }

  private static Set<String> eventIds(HistoryGenerator history) {
    return new HashSet<>(GeneratedEvents.ids(history));
  }

  private BackfillRequest request(String id, String source, EffectsPolicy policy) {
    return new BackfillRequest(id, source, FROM, TO, Map.of(), OptionalInt.empty(), Mode.EXECUTE, List.of(),
        OptionalDouble.empty(), policy, Optional.of("it"), Optional.empty());
  }

  private boolean completed(String backfillId) {
    return client.status(backfillId).map(BackfillStatus::state).orElse(null) == BackfillState.COMPLETED;
  }

  private static long count(List<Receipt> receipts, ReceiptOutcome outcome) {
    return receipts.stream().filter(r -> r.outcome() == outcome).count();
  }

  private List<Receipt> receipts(String workflow) {
    ReceiptCodec codec = new ReceiptCodec(registry, workflow);
    return env.readCommitted(WorkflowTopics.receipts(workflow)).stream().map(r -> codec.decode(r.value())).toList();
  }
}
