package dev.reprise.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.reprise.coordinator.ReplayCoordinator;
import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillCounters;
import dev.reprise.protocol.BackfillRequest.EffectsPolicy;
import dev.reprise.protocol.BackfillRequest.Mode;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.registry.serde.AvroWireFormat;
import dev.reprise.submissions.SubmissionEventType;
import dev.reprise.submissions.workflow.FormDailyStatsWorkflow;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import dev.reprise.workflow.Receipt;
import dev.reprise.workflow.WorkflowRuntime;
import dev.reprise.workflow.WorkflowTopics;
import dev.reprise.workflow.internal.ReceiptCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backfill of mixed-version history with a workflow verifies; then a record removed from the
 * backfill topic and a receipt removed from the workflow's receipts fail verification, naming
 * their days.
 */
@RepriseIntegrationTest
class BackfillVerifierIT {

  @TempDir Path state;

  @Test
  void shouldVerifyACompleteBackfillAndNameTheDaysOfARemovedRecordAndAMissingReceipt(RepriseTestEnvironment env)
      throws Exception {
    String source = env.uniqueName("submissions");
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(3000).seed(81).build());
    String workflow = env.uniqueName("stats");
    String id = env.uniqueName("verified");
    Map<String, Object> clientConfig = Map.of("bootstrap.servers", env.bootstrapServers());

    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var client = BackfillClient.create(clientConfig, registry)) {
      new HistoryWriter(env.producerConfig(), registry).write(source, 3, history);
      BackfillStatus done;
      try (var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
          .allowedSourceTopics(Set.of(source)).knownWorkflows(Set.of(workflow)).build().start()) {
        client.submit(new BackfillRequest(id, source, Instant.parse("2023-01-01T00:00:00Z"),
            Instant.parse("2025-07-01T00:00:00Z"), Map.of(), OptionalInt.empty(), Mode.EXECUTE,
            List.of(workflow), OptionalDouble.empty(), EffectsPolicy.SUPPRESS, Optional.of("it"), Optional.empty()));
        // The workflow starts once the backfill topic exists (planned), as an operator would.
        await().atMost(Duration.ofSeconds(60)).until(() -> client.status(id).map(s -> s.state() != BackfillState.ACCEPTED)
            .orElse(false));
        try (var runtime = WorkflowRuntime.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
            .workflow(new FormDailyStatsWorkflow(workflow)).backfills(Set.of(id)).stateDirectory(state).build().start()) {
          done = await().atMost(Duration.ofSeconds(90)).until(() -> client.status(id).orElse(null),
              s -> s != null && s.state() == BackfillState.COMPLETED);
          long published = done.counter(BackfillCounters.PUBLISHED);
          await().atMost(Duration.ofSeconds(90)).until(() -> receipts(env, registry, workflow).size() >= published);
        }
      }

      // Only coordinators write statuses: one must run for a verification to be recorded.
      try (var recorder = recorder(env, registry, source)) {
        BackfillVerifier verifier = new BackfillVerifier(clientConfig, registry, client);
        VerificationReport report = verifier.verify(id);
        assertThat(report.failures()).isEmpty();
        assertThat(report.verified()).isTrue();
        assertThat(report.days()).hasSizeGreaterThan(300);
        assertThat(report.days().stream().mapToLong(d -> d.expected().count()).sum())
            .isEqualTo(done.counter(BackfillCounters.PUBLISHED));
        assertThat(report.sampled()).isGreaterThan(500);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.status(id).orElseThrow().state() == BackfillState.VERIFIED);

        // Corrupt it: the first record of one backfill partition, and the first receipt of another day.
        TopicPartition backfillPartition = new TopicPartition(ControlTopics.backfillTopic(id), 0);
        ConsumerRecord<byte[], byte[]> removed = env.readCommitted(backfillPartition.topic()).stream()
            .filter(r -> r.partition() == 0).findFirst().orElseThrow();
        LocalDate removedDay = dayOf(registry, removed.value());
        List<ConsumerRecord<byte[], byte[]>> receiptRecords = env.readCommitted(WorkflowTopics.receipts(workflow));
        ReceiptCodec codec = new ReceiptCodec(registry, workflow);
        ConsumerRecord<byte[], byte[]> lostReceipt = receiptRecords.stream()
            .filter(r -> !LocalDate.parse(codec.decode(r.value()).eventDay()).equals(removedDay))
            .filter(r -> r.offset() == firstOffset(receiptRecords, r.partition())).findFirst().orElseThrow();
        LocalDate receiptDay = LocalDate.parse(codec.decode(lostReceipt.value()).eventDay());
        env.admin().deleteRecords(Map.of(
            backfillPartition, RecordsToDelete.beforeOffset(removed.offset() + 1),
            new TopicPartition(lostReceipt.topic(), lostReceipt.partition()), RecordsToDelete.beforeOffset(lostReceipt.offset() + 1)))
            .all().get(30, TimeUnit.SECONDS);

        VerificationReport corrupted = verifier.verify(id);
        assertThat(corrupted.verified()).isFalse();
        assertThat(corrupted.failedDays()).extracting(VerificationReport.DayCheck::day)
            .containsExactlyInAnyOrder(removedDay, receiptDay);
        VerificationReport.DayCheck lostRecordDay = corrupted.failedDays().stream()
            .filter(d -> d.day().equals(removedDay)).findFirst().orElseThrow();
        assertThat(lostRecordDay.published().count()).isEqualTo(lostRecordDay.expected().count() - 1);
        VerificationReport.DayCheck lostReceiptDay = corrupted.failedDays().stream()
            .filter(d -> d.day().equals(receiptDay)).findFirst().orElseThrow();
        assertThat(lostReceiptDay.published()).isEqualTo(lostReceiptDay.expected());
        assertThat(lostReceiptDay.workflows().get(workflow).count()).isEqualTo(lostReceiptDay.expected().count() - 1);
        BackfillStatus failed = await().atMost(Duration.ofSeconds(10)).until(() -> client.status(id).orElseThrow(),
            s -> s.state() == BackfillState.VERIFICATION_FAILED);
        assertThat(failed.reason()).hasValueSatisfying(reason -> assertThat(reason)
            .contains(removedDay.toString()).contains(receiptDay.toString()).contains("workflow " + workflow));
        assertThat(failed.failedDays()).containsExactlyInAnyOrder(removedDay, receiptDay);
      }
    }
  }

  @Test
  void shouldRefuseToVerifyWhileANamedWorkflowIsBehindAndWaitForItWhenAsked(RepriseTestEnvironment env) throws Exception {
    String source = env.uniqueName("submissions");
    String workflow = env.uniqueName("late");
    String id = env.uniqueName("early");
    Map<String, Object> clientConfig = Map.of("bootstrap.servers", env.bootstrapServers());
    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var client = BackfillClient.create(clientConfig, registry)) {
      new HistoryWriter(env.producerConfig(), registry).write(source, 2,
          new HistoryGenerator(HistorySpec.builder().events(600).seed(82).build()));
      try (var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
          .allowedSourceTopics(Set.of(source)).knownWorkflows(Set.of(workflow)).build().start()) {
        client.submit(new BackfillRequest(id, source, Instant.parse("2020-01-01T00:00:00Z"),
            Instant.parse("2026-01-01T00:00:00Z"), Map.of(), OptionalInt.empty(), Mode.EXECUTE,
            List.of(workflow), OptionalDouble.empty(), EffectsPolicy.SUPPRESS, Optional.of("it"), Optional.empty()));
        await().atMost(Duration.ofSeconds(60)).until(() -> client.status(id).map(s -> s.state() == BackfillState.COMPLETED)
            .orElse(false));
      }
      BackfillVerifier verifier = new BackfillVerifier(clientConfig, registry, client);

      // The named workflow has not read a record: not a failed verification, not verified, nothing recorded.
      assertThatThrownBy(() -> verifier.verify(id))
          .isInstanceOf(WorkflowsBehindException.class)
          .hasMessageContaining("workflow '" + workflow + "' has")
          .hasMessageContaining("record(s) of " + ControlTopics.backfillTopic(id) + " to read")
          .hasMessageContaining("Nothing was recorded");
      assertThat(client.status(id).orElseThrow().state()).isEqualTo(BackfillState.COMPLETED);

      try (var recorder = recorder(env, registry, source);
          var runtime = WorkflowRuntime.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
          .workflow(new FormDailyStatsWorkflow(workflow)).backfills(Set.of(id)).stateDirectory(state).build().start()) {
        VerificationReport report = verifier.verify(id, Duration.ofMinutes(2));
        assertThat(report.failures()).isEmpty();
        assertThat(report.verified()).isTrue();
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> client.status(id).orElseThrow().state() == BackfillState.VERIFIED);
    }
  }

  @Test
  void shouldVerifyATenantFilteredReplayToV2OfRecordsWithoutTenant(RepriseTestEnvironment env) throws Exception {
    // v2 records (2023 to mid-2025) mostly have no tenant: they are the default tenant's, in the
    // coordinator's filter and in the verifier's (which once threw a NullPointerException here).
    String source = env.uniqueName("submissions");
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(1500).seed(83).build());
    String id = env.uniqueName("default-tenant");
    Map<String, Object> clientConfig = Map.of("bootstrap.servers", env.bootstrapServers());

    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var client = BackfillClient.create(clientConfig, registry)) {
      new HistoryWriter(env.producerConfig(), registry).write(source, 2, history);
      try (var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
          .allowedSourceTopics(Set.of(source)).build().start()) {
        client.submit(new BackfillRequest(id, source, Instant.parse("2023-01-01T00:00:00Z"),
            Instant.parse("2025-07-01T00:00:00Z"), Map.of("tenantId", Set.of(SubmissionEventType.DEFAULT_TENANT)),
            OptionalInt.of(2), Mode.EXECUTE, List.of(), OptionalDouble.empty(), EffectsPolicy.SUPPRESS,
            Optional.of("it"), Optional.empty()));
        BackfillStatus done = await().atMost(Duration.ofSeconds(90)).until(() -> client.status(id).orElse(null),
            s -> s != null && s.state() == BackfillState.COMPLETED);
        assertThat(done.counter(BackfillCounters.PUBLISHED)).as("records without tenant, as the default tenant's")
            .isPositive();
        assertThat(done.counter(BackfillCounters.FILTERED_OUT)).as("other tenants' records").isPositive();
      }

      try (var recorder = recorder(env, registry, source)) {
        VerificationReport report = new BackfillVerifier(clientConfig, registry, client).verify(id);
        assertThat(report.failures()).isEmpty();
        assertThat(report.verified()).isTrue();
      }
    }
  }

  /** A coordinator to record verifications (statuses are written only by coordinators). */
  private static ReplayCoordinator recorder(RepriseTestEnvironment env, ConfluentSchemaRegistryClient registry,
      String source) {
    return ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
        .allowedSourceTopics(Set.of(source)).build().start();
  }

  private static long firstOffset(List<ConsumerRecord<byte[], byte[]>> records, int partition) {
    return records.stream().filter(r -> r.partition() == partition).mapToLong(ConsumerRecord::offset).min().orElse(-1);
  }

  private static LocalDate dayOf(ConfluentSchemaRegistryClient registry, byte[] value) {
    var schema = registry.schemaById(AvroWireFormat.schemaId(value));
    var record = AvroWireFormat.decode(value, schema, schema);
    return LocalDate.ofInstant(Instant.ofEpochMilli((Long) record.get("submittedAt")), ZoneOffset.UTC);
  }

  private static List<Receipt> receipts(RepriseTestEnvironment env, ConfluentSchemaRegistryClient registry, String workflow) {
    ReceiptCodec codec = new ReceiptCodec(registry, workflow);
    return env.readCommitted(WorkflowTopics.receipts(workflow)).stream().map(r -> codec.decode(r.value())).toList();
  }
}
