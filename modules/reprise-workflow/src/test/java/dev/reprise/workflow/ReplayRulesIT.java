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
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import dev.reprise.workflow.CountingWebhookServer;
import dev.reprise.workflow.api.Effect;
import dev.reprise.workflow.api.Event;
import dev.reprise.workflow.api.ReplayRules;
import dev.reprise.workflow.api.Workflow;
import dev.reprise.workflow.api.WorkflowContext;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-workflow replay rules: declared by the workflow, refused by the coordinator, enforced by the runtime. */
@RepriseIntegrationTest
class ReplayRulesIT {

  private static final Instant FROM = Instant.parse("2020-01-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path state;

  /** Charges a card per event: must never run for a replayed event. */
  private record Charging(String name) implements Workflow {
    @Override
    public void handle(Event event, WorkflowContext context) {
      context.perform(Effect.of("webhook", event.id(), "charge " + event.id()));
    }

    @Override
    public ReplayRules replayRules() {
      return ReplayRules.noEffectsInReplay("charges cards");
    }
  }

  /** Allows replayed effects, but its one effect is live-only. */
  private record LiveOnlyEffect(String name) implements Workflow {
    @Override
    public void handle(Event event, WorkflowContext context) {
      context.perform(Effect.of("webhook", event.id(), "ship " + event.id()).asLiveOnly());
    }
  }

  @Test
  void shouldRejectEnableForAWorkflowThatForbidsReplayedEffectsAndNeverPerformThemInAReplay(RepriseTestEnvironment env)
      throws Exception {
    String source = env.uniqueName("orders");
    String charge = env.uniqueName("charge");
    String ship = env.uniqueName("ship");
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(300).seed(81).corruptShare(0)
        .dirtyShare(0).build());
    long events = GeneratedEvents.ids(history).size();
    String refused = env.uniqueName("refused");
    String enabled = env.uniqueName("enabled");

    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var webhook = new CountingWebhookServer();
        var client = BackfillClient.create(Map.of("bootstrap.servers", env.bootstrapServers()), registry);
        var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
            .allowedSourceTopics(Set.of(source)).sessionTimeout(Duration.ofSeconds(6)).build().start();
        var charging = runtime(env, registry, new Charging(charge), webhook, enabled);
        var shipping = runtime(env, registry, new LiveOnlyEffect(ship), webhook, enabled)) {
      new HistoryWriter(env.producerConfig(), registry).write(source, 2, history);

      client.submit(request(refused, source, List.of(charge, ship), EffectsPolicy.ENABLE));
      await().atMost(Duration.ofSeconds(30)).until(() -> client.status(refused).isPresent());
      BackfillStatus rejected = client.status(refused).orElseThrow();
      assertThat(rejected.state()).isEqualTo(BackfillState.REJECTED);
      assertThat(rejected.reason()).hasValueSatisfying(reason -> assertThat(reason)
          .contains("workflow '" + charge + "' forbids effects in replays (charges cards)")
          .doesNotContain("'" + ship + "'"));

      // Not naming the workflow does not get around it: the runtime enforces its own rule.
      client.submit(request(enabled, source, List.of(ship), EffectsPolicy.ENABLE));
      await().atMost(Duration.ofSeconds(60)).until(() -> client.status(enabled).map(BackfillStatus::state)
          .orElse(null) == BackfillState.COMPLETED);
      await().atMost(Duration.ofSeconds(90)).until(() -> receipts(env, registry, charge).size() >= events
          && receipts(env, registry, ship).size() >= events);

      assertThat(webhook.accepted()).as("no replayed charge, no replayed shipment").isEmpty();
      assertThat(receipts(env, registry, charge)).hasSize((int) events).allSatisfy(r -> {
        assertThat(r.outcome()).isEqualTo(ReceiptOutcome.SUPPRESSED);
        assertThat(r.effects()).containsExactly("webhook: charge " + r.eventId());
      });
      assertThat(receipts(env, registry, ship)).hasSize((int) events)
          .allSatisfy(r -> assertThat(r.outcome()).isEqualTo(ReceiptOutcome.SUPPRESSED));
    }
  }

  private WorkflowRuntime runtime(RepriseTestEnvironment env, ConfluentSchemaRegistryClient registry, Workflow workflow,
      CountingWebhookServer webhook, String backfill) {
    return WorkflowRuntime.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry).workflow(workflow)
        .sink(new HttpWebhookSink("webhook", webhook.url())).backfills(Set.of(backfill))
        .stateDirectory(state.resolve(workflow.name())).build().start();
  }

  private static BackfillRequest request(String id, String source, List<String> workflows, EffectsPolicy policy) {
    return new BackfillRequest(id, source, FROM, TO, Map.of(), OptionalInt.empty(), Mode.EXECUTE, workflows,
        OptionalDouble.empty(), policy, Optional.of("it"), Optional.empty());
  }

  private static List<Receipt> receipts(RepriseTestEnvironment env, ConfluentSchemaRegistryClient registry, String workflow) {
    ReceiptCodec codec = new ReceiptCodec(registry, workflow);
    return env.readCommitted(WorkflowTopics.receipts(workflow)).stream().map(r -> codec.decode(r.value())).toList();
  }
}
