package dev.reprise.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprise.coordinator.ReplayCoordinator;
import dev.reprise.history.GeneratedRecord;
import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillRequest.EffectsPolicy;
import dev.reprise.protocol.BackfillRequest.Mode;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.submissions.workflow.FormDailyStatsWorkflow.FormDay;
import dev.reprise.submissions.workflow.FormDailyStatsWorkflow;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import dev.reprise.workflow.WorkflowRuntime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The view rebuilt by replaying three years of history (all schema versions, corrections, dirty
 * and corrupt records) matches totals computed from the generator's own truth, without the
 * upcasters.
 */
@RepriseIntegrationTest
class FormDailyStatsIT {

  @TempDir Path state;

  @Test
  void shouldRebuildPerFormAndDayTotalsThatMatchTheGeneratedHistory(RepriseTestEnvironment env) throws Exception {
    String source = env.uniqueName("submissions");
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(3000).seed(61).forms(5).build());
    String name = env.uniqueName("stats");
    String backfill = env.uniqueName("rebuild");
    Map<String, Totals> expected = expected(history);

    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var client = BackfillClient.create(Map.of("bootstrap.servers", env.bootstrapServers()), registry)) {
      new HistoryWriter(env.producerConfig(), registry).write(source, 3, history);
      try (var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
              .allowedSourceTopics(Set.of(source)).build().start();
          var runtime = WorkflowRuntime.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
              .workflow(new FormDailyStatsWorkflow(name)).backfills(Set.of(backfill)).stateDirectory(state).build().start()) {
        client.submit(new BackfillRequest(backfill, source, Instant.parse("2020-01-01T00:00:00Z"),
            Instant.parse("2026-01-01T00:00:00Z"), Map.of(), OptionalInt.empty(), Mode.EXECUTE, List.of(),
            OptionalDouble.empty(), EffectsPolicy.SUPPRESS, Optional.of("it"), Optional.empty()));
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
            .untilAsserted(() -> assertThat(view(env, name)).isEqualTo(expected));
      }
    }
    assertThat(expected.values().stream().mapToLong(Totals::count).sum()).as("submissions in the view").isGreaterThan(2000);
  }

  record Totals(long count, long amountCents) {}

  /** Per form, day and currency: each submission's latest upcastable revision, from the generator's truth. */
  private static Map<String, Totals> expected(HistoryGenerator history) {
    Map<String, GeneratedRecord.Truth> latest = new HashMap<>();
    for (GeneratedRecord record : history) {
      if (record.kind().upcasts()) {
        latest.merge(record.truth().submissionId(), record.truth(), (a, b) -> b.revision() > a.revision() ? b : a);
      }
    }
    Map<String, Totals> totals = new TreeMap<>();
    for (GeneratedRecord.Truth truth : latest.values()) {
      String key = truth.formId() + "|" + LocalDate.ofInstant(truth.submittedAt(), ZoneOffset.UTC) + "|" + truth.currency();
      totals.merge(key, new Totals(1, truth.amountCents()), (a, b) -> new Totals(a.count + b.count, a.amountCents + b.amountCents));
    }
    return totals;
  }

  private static Map<String, Totals> view(RepriseTestEnvironment env, String workflow) {
    Map<String, Totals> rows = new TreeMap<>();
    for (ConsumerRecord<byte[], byte[]> record : env.readCommitted(FormDailyStatsWorkflow.dailyTopic(workflow))) {
      String key = new String(record.key(), StandardCharsets.UTF_8);
      if (record.value() == null) {
        rows.remove(key);
      } else {
        FormDay row = FormDay.parse(new String(record.value(), StandardCharsets.UTF_8));
        assertThat(row.key()).isEqualTo(key);
        rows.put(key, new Totals(row.count(), row.amountCents()));
      }
    }
    return rows;
  }
}
