package dev.reprise.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprise.backpressure.LagMonitor;
import dev.reprise.coordinator.ReplayCoordinator;
import dev.reprise.history.GeneratedRecord;
import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillRequest.EffectsPolicy;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.protocol.LivePositions;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import dev.reprise.workflow.CountingWebhookServer;
import dev.reprise.workflow.internal.ReceiptCodec;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Onboarding a new workflow onto a live topic while live writes go on: history through a handover
 * backfill (effects suppressed), the rest live (effects on), each record exactly once, through two
 * kill -9s of the workflow's JVM (one mid-backfill, one right after the handover).
 */
@RepriseIntegrationTest
class OnboardingIT {

  private static final int PARTITIONS = 3;

  @TempDir Path state;

  @Test
  void shouldHandleEveryRecordOnceHistoryThroughTheBackfillAndTheRestLiveAcrossWorkerKills(RepriseTestEnvironment env)
      throws Exception {
    String source = env.uniqueName("submissions");
    String name = env.uniqueName("onboarded");
    String backfillId = env.uniqueName("onboard");
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(10_000).seed(71).corruptShare(0)
        .dirtyShare(0).build());
    HistoryGenerator live = new HistoryGenerator(HistorySpec.builder().events(100_000).seed(72).idPrefix("live-")
        .corruptShare(0).dirtyShare(0).tombstoneShare(0).build());
    Path log = Path.of("target", "onboarding-it-" + name + ".log");
    List<Process> workers = new ArrayList<>();

    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var webhook = new CountingWebhookServer();
        var client = BackfillClient.create(Map.of("bootstrap.servers", env.bootstrapServers()), registry);
        var lag = LagMonitor.create(Map.of("bootstrap.servers", env.bootstrapServers()), Clock.systemUTC());
        var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
            .allowedSourceTopics(Set.of(source)).knownWorkflows(Set.of(name)).sessionTimeout(Duration.ofSeconds(6))
            .build().start()) {
      HistoryWriter writer = new HistoryWriter(env.producerConfig(), registry);
      writer.write(source, PARTITIONS, history);
      // Live traffic at ~200/s from before the request until the end of the test.
      AtomicBoolean writing = new AtomicBoolean(true);
      CompletableFuture<Long> liveWritten = CompletableFuture.supplyAsync(() ->
          writer.write(source, PARTITIONS, live, 200, writing::get).records());
      await().atMost(Duration.ofSeconds(30)).until(() -> LivePositions.endOffsets(env.admin(), source).values().stream()
          .mapToLong(Long::longValue).sum() >= 10_000 + 200);

      // Onboard before the workflow ever ran; the replay is slowed so a kill lands mid-backfill.
      client.submit(new BackfillRequest(backfillId, source, null, null, Map.of(), OptionalInt.empty(),
          BackfillRequest.Mode.EXECUTE, List.of(), OptionalDouble.of(400), EffectsPolicy.SUPPRESS,
          Optional.of("it"), Optional.of("onboarding"), List.of(name)));
      await().atMost(Duration.ofSeconds(60)).until(() -> client.status(backfillId)
          .map(s -> !s.partitions().isEmpty()).orElse(false));
      BackfillStatus planned = client.status(backfillId).orElseThrow();
      assertThat(planned.state()).isNotEqualTo(BackfillState.REJECTED);
      Map<Integer, Long> handover = new HashMap<>();
      planned.partitions().forEach(p -> handover.put(p.partition(), p.endOffset()));
      assertThat(LivePositions.committed(env.admin(), WorkflowTopics.applicationId(name), source))
          .as("the workflow's live position is the backfill's end").isEqualTo(handover);

      workers.add(worker(env, source, name, backfillId, webhook, log, "first"));
      await().atMost(Duration.ofSeconds(120)).until(() -> receipts(env, registry, name).stream()
          .filter(r -> r.backfillId().isPresent()).count() >= 3_000);
      kill(workers.get(0));
      assertThat(client.status(backfillId).orElseThrow().state()).as("killed mid-backfill").isNotEqualTo(BackfillState.COMPLETED);

      workers.add(worker(env, source, name, backfillId, webhook, log, "second"));
      await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200)).until(() ->
          client.status(backfillId).map(BackfillStatus::state).orElse(null) == BackfillState.COMPLETED
              && lag.lag(WorkflowTopics.applicationId(name), List.of(ControlTopics.backfillTopic(backfillId))).unread() == 0);
      kill(workers.get(1));

      workers.add(worker(env, source, name, backfillId, webhook, log, "third"));
      long written = LivePositions.endOffsets(env.admin(), source).values().stream().mapToLong(Long::longValue).sum();
      // Live writes go on while the third instance takes over.
      await().atMost(Duration.ofSeconds(60)).until(() -> LivePositions.endOffsets(env.admin(), source).values().stream()
          .mapToLong(Long::longValue).sum() >= written + 1_000);
      writing.set(false);
      long liveCount = liveWritten.get(60, TimeUnit.SECONDS);

      // The truth, from the writer's own records: where each landed (default partitioner, one writer per phase).
      Set<String> historyIds = new HashSet<>();
      Set<String> liveIds = new HashSet<>();
      long[] next = new long[PARTITIONS];
      classify(history, history.spec().events(), next, handover, historyIds, liveIds);
      classify(live, liveCount, next, handover, historyIds, liveIds);
      assertThat(liveIds).as("live records after the handover point").hasSizeGreaterThan(2_000);
      assertThat(historyIds).hasSizeGreaterThan(9_000);

      await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).until(() ->
          handledIds(receipts(env, registry, name)).size() >= historyIds.size() + liveIds.size()
              && webhook.accepted().size() >= liveIds.size());

      List<Receipt> receipts = receipts(env, registry, name);
      Map<String, List<Receipt>> byEvent = receipts.stream().collect(Collectors.groupingBy(Receipt::eventId));
      assertThat(byEvent.keySet()).as("every record of the topic, nothing else").isEqualTo(union(historyIds, liveIds));
      assertThat(byEvent).as("handled exactly once").allSatisfy((id, list) -> assertThat(list).as(id).hasSize(1));
      assertThat(receipts).filteredOn(r -> historyIds.contains(r.eventId())).as("history: through the backfill, suppressed")
          .allSatisfy(r -> {
            assertThat(r.backfillId()).contains(backfillId);
            assertThat(r.outcome()).isEqualTo(ReceiptOutcome.SUPPRESSED);
          });
      assertThat(receipts).filteredOn(r -> liveIds.contains(r.eventId())).as("after the handover point: live, performed")
          .allSatisfy(r -> {
            assertThat(r.backfillId()).isEmpty();
            assertThat(r.outcome()).isEqualTo(ReceiptOutcome.PROCESSED);
          });
      assertThat(webhook.accepted().keySet()).as("one call for each live record after the point, none before")
          .isEqualTo(liveIds);
      assertThat(webhook.accepted()).allSatisfy((key, calls) -> assertThat(calls).as(key).isEqualTo(1));
    } finally {
      workers.forEach(OnboardingIT::kill);
    }
  }

  /** Assigns each upcastable record to history (offset before the handover point) or live. */
  private static void classify(HistoryGenerator generator, long count, long[] next, Map<Integer, Long> handover,
      Set<String> historyIds, Set<String> liveIds) {
    long seen = 0;
    for (GeneratedRecord record : generator) {
      if (seen++ == count) {
        break;
      }
      int partition = HistoryWriter.partitionOf(record.key(), PARTITIONS);
      long offset = next[partition]++;
      if (record.kind().upcasts()) {
        String id = record.truth().submissionId() + "#" + record.truth().revision();
        (offset < handover.get(partition) ? historyIds : liveIds).add(id);
      }
    }
  }

  private static Set<String> handledIds(List<Receipt> receipts) {
    return receipts.stream().map(Receipt::eventId).collect(Collectors.toSet());
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new HashSet<>(a);
    all.addAll(b);
    return all;
  }

  private Process worker(RepriseTestEnvironment env, String source, String name, String backfillId,
      CountingWebhookServer webhook, Path log, String instance) throws Exception {
    return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        WorkflowProcess.class.getName(), env.bootstrapServers(), env.schemaRegistryUrl(), source, name,
        webhook.url().toString(), webhook.lookupUrl().toString(), state.resolve(instance).toString(), "1000", backfillId)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  private static void kill(Process process) {
    process.destroyForcibly();
    try {
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static List<Receipt> receipts(RepriseTestEnvironment env, ConfluentSchemaRegistryClient registry, String workflow) {
    ReceiptCodec codec = new ReceiptCodec(registry, workflow);
    return env.readCommitted(WorkflowTopics.receipts(workflow)).stream().map(r -> codec.decode(r.value())).toList();
  }
}
