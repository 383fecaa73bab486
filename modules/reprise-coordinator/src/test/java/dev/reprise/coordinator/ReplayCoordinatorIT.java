package dev.reprise.coordinator;

import static dev.reprise.coordinator.ReplayedTopic.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import dev.reprise.protocol.ReplayCommand;
import dev.reprise.protocol.Provenance;
import dev.reprise.protocol.ReplayHeaders;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.registry.serde.AvroWireFormat;
import dev.reprise.submissions.SubmissionSchemas;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@RepriseIntegrationTest
class ReplayCoordinatorIT {

  private static final Instant FROM = Instant.parse("2023-03-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2024-09-01T00:00:00Z");
  private static final Set<String> FORMS = Set.of("form-1", "form-2", "form-3", "form-5");

  private final RepriseTestEnvironment env;
  private ConfluentSchemaRegistryClient registry;
  private BackfillClient client;

  ReplayCoordinatorIT(RepriseTestEnvironment env) {
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
  void shouldPublishExactlyTheInRangeMatchingRecordsUpcastToTheLatestVersion() {
    String source = env.uniqueName("submissions");
    HistoryGenerator history = writeHistory(source, 3, HistorySpec.builder().events(6000).seed(7)
        .dirtyShare(0.03).corruptShare(0.01).build());
    ExpectedReplay expected = ExpectedReplay.of(history, FROM, TO, FORMS, Set.of());
    String id = env.uniqueName("range");

    try (var coordinator = coordinator(source)) {
      client.submit(request(id, source, FROM, TO, FORMS, Mode.EXECUTE, OptionalDouble.empty()));
      BackfillStatus done = awaitState(id, BackfillState.COMPLETED);

      assertThat(done.counter(BackfillCounters.MATCHED)).isEqualTo(expected.matchedIds().size());
      assertThat(done.counter(BackfillCounters.PUBLISHED)).isEqualTo(expected.matchedIds().size());
      assertThat(done.counter(BackfillCounters.FILTERED_OUT)).isEqualTo(expected.filteredOut());
      assertThat(done.counter(BackfillCounters.TOMBSTONES)).isEqualTo(expected.tombstones());
      assertThat(done.counter(BackfillCounters.DEAD_LETTERED)).isEqualTo(expected.deadLettered());
      assertThat(done.counter(BackfillCounters.SCANNED)).isEqualTo(6000).isEqualTo(expected.scanned());
      assertThat(done.countsPerDay().values().stream().mapToLong(Long::longValue).sum())
          .isEqualTo(expected.matchedIds().size());
      assertThat(done.evolution()).containsKeys("records.v1", "records.v2", "upcast.v1_to_v2", "upcast.v2_to_v3");
      assertThat(done.progress()).isEqualTo(1.0);
      assertThat(done.etaSeconds()).hasValue(0);
    }

    Map<String, byte[]> sourceValues = new HashMap<>();
    Map<String, byte[]> sourceKeys = new HashMap<>();
    for (var record : env.readCommitted(source)) {
      sourceValues.put(record.partition() + "@" + record.offset(), record.value());
      sourceKeys.put(record.partition() + "@" + record.offset(), record.key());
    }
    List<ConsumerRecord<byte[], byte[]>> published = env.readCommitted(ControlTopics.backfillTopic(id));
    assertThat(published.stream().map(r -> {
      GenericRecord v3 = decodeV3(r.value());
      Instant submittedAt = Instant.ofEpochMilli((Long) v3.get("submittedAt"));
      assertThat(submittedAt).isBetween(FROM, TO.minusMillis(1));
      assertThat(FORMS).contains(v3.get("formId").toString());
      Provenance provenance = Provenance.of(r.headers()).orElseThrow();
      assertThat(provenance.sourcePartition()).isEqualTo(r.partition());
      assertThat(sourceKeys.get(provenance.coordinates())).as("the source record it names").isEqualTo(r.key());
      assertThat(provenance.sourceSchemaVersion()).isBetween(1, 3);
      assertThat(header(r, ReplayHeaders.BACKFILL_ID)).as("readable headers only when configured").isNull();
      assertThat(r.headers().toArray()).hasSize(1);
      return ExpectedReplay.identity(v3.get("submissionId"), v3.get("revision"));
    }).toList()).containsExactlyInAnyOrderElementsOf(expected.matchedIds());
    assertSourceOrderPerPartition(published);

    List<ConsumerRecord<byte[], byte[]>> deadLetters = env.readCommitted(ControlTopics.deadLetterTopic(id));
    assertThat(deadLetters).hasSize((int) expected.deadLettered());
    assertThat(deadLetters).allSatisfy(r -> {
      assertThat(header(r, ReplayHeaders.ERROR_STAGE)).isIn("decode", "schema", "upcast");
      assertThat(header(r, ReplayHeaders.ERROR_CLASS)).isNotBlank();
      assertThat(header(r, ReplayHeaders.ERROR_MESSAGE)).isNotBlank();
      assertThat(header(r, ReplayHeaders.BACKFILL_ID)).isEqualTo(id);
      byte[] original = sourceValues.get(header(r, ReplayHeaders.SOURCE_PARTITION) + "@" + header(r, ReplayHeaders.SOURCE_OFFSET));
      assertThat(r.value()).as("dead letters keep the raw bytes").isEqualTo(original);
    });
    assertThat(deadLetters).extracting(r -> header(r, ReplayHeaders.ERROR_STAGE)).contains("decode", "schema", "upcast");
  }

  @Test
  void shouldAlsoWriteTheReadableProvenanceHeadersWhenTheCoordinatorIsConfiguredTo() {
    String source = env.uniqueName("submissions");
    writeHistory(source, 2, HistorySpec.builder().events(1500).seed(11).dirtyShare(0).corruptShare(0).build());
    String id = env.uniqueName("readable");

    try (var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
        .allowedSourceTopics(Set.of(source)).sessionTimeout(Duration.ofSeconds(6)).readableProvenance(true).build()
        .start()) {
      client.submit(request(id, source, FROM, TO, FORMS, Mode.EXECUTE, OptionalDouble.empty()));
      awaitState(id, BackfillState.COMPLETED);
    }

    List<ConsumerRecord<byte[], byte[]>> published = env.readCommitted(ControlTopics.backfillTopic(id));
    assertThat(published).isNotEmpty().allSatisfy(r -> {
      Provenance compact = Provenance.of(r.headers()).orElseThrow();
      GenericRecord v3 = decodeV3(r.value());
      Instant submittedAt = Instant.ofEpochMilli((Long) v3.get("submittedAt"));
      assertThat(header(r, ReplayHeaders.SOURCE_PARTITION)).isEqualTo(String.valueOf(compact.sourcePartition()));
      assertThat(header(r, ReplayHeaders.SOURCE_OFFSET)).isEqualTo(String.valueOf(compact.sourceOffset()));
      assertThat(header(r, ReplayHeaders.SOURCE_SCHEMA_VERSION))
          .isEqualTo(String.valueOf(compact.sourceSchemaVersion()));
      assertThat(header(r, ReplayHeaders.SOURCE_TOPIC)).isEqualTo(source);
      assertThat(header(r, ReplayHeaders.BACKFILL_ID)).isEqualTo(id);
      assertThat(header(r, ReplayHeaders.EVENT_DATE)).isEqualTo(LocalDate.ofInstant(submittedAt, ZoneOffset.UTC).toString());
    });
  }

  @Test
  void shouldPreviewWithoutCreatingTopicsOrPublishing() throws Exception {
    String source = env.uniqueName("submissions");
    HistoryGenerator history = writeHistory(source, 2, HistorySpec.builder().events(3000).seed(3).build());
    ExpectedReplay expected = ExpectedReplay.of(history, FROM, TO, Set.of(), Set.of());
    String id = env.uniqueName("preview");

    try (var coordinator = coordinator(source)) {
      client.submit(request(id, source, FROM, TO, Set.of(), Mode.PREVIEW, OptionalDouble.empty()));
      BackfillStatus done = awaitState(id, BackfillState.COMPLETED);

      assertThat(done.counter(BackfillCounters.MATCHED)).isEqualTo(expected.matchedIds().size());
      assertThat(done.counter(BackfillCounters.PUBLISHED)).isZero();
      assertThat(done.counter(BackfillCounters.DEAD_LETTERED)).isEqualTo(expected.deadLettered());
      assertThat(done.samples()).isNotEmpty().allSatisfy(s -> assertThat(s.after()).contains("amountCents"));
      assertThat(env.admin().listTopics().names().get(30, TimeUnit.SECONDS))
          .doesNotContain(ControlTopics.backfillTopic(id), ControlTopics.deadLetterTopic(id));
    }
  }

  @Test
  void shouldRunTheSameRequestOnceAndRefuseADifferentOneReusingItsId() {
    String source = env.uniqueName("submissions");
    HistoryGenerator history = writeHistory(source, 2, HistorySpec.builder().events(2000).seed(5).build());
    ExpectedReplay expected = ExpectedReplay.of(history, FROM, TO, Set.of(), Set.of());
    String id = env.uniqueName("twice");
    BackfillRequest request = request(id, source, FROM, TO, Set.of(), Mode.EXECUTE, OptionalDouble.empty());

    try (var coordinator = coordinator(source)) {
      client.submit(request);
      client.submit(request);
      awaitState(id, BackfillState.COMPLETED);
      client.submit(request);
      client.submit(request(id, source, FROM, TO.minus(Duration.ofDays(30)), Set.of(), Mode.EXECUTE, OptionalDouble.empty()));

      // Commands of one backfill are handled in order: once the last is answered, all were.
      BackfillStatus status = await().atMost(Duration.ofSeconds(30))
          .until(() -> client.status(id).orElseThrow(), s -> s.rejectedCommand().isPresent());
      assertThat(status.rejectedCommand().get()).contains("already exists with a different request").contains("to");
      assertThat(status.state()).isEqualTo(BackfillState.COMPLETED);
      assertThat(status.counter(BackfillCounters.PUBLISHED)).isEqualTo(expected.matchedIds().size());
    }
    assertThat(env.readCommitted(ControlTopics.backfillTopic(id)))
        .hasSize(expected.matchedIds().size());
  }

  @Test
  void shouldExecuteACompletedPreviewByItsIdOnItsPlanAndRefuseARequestForSomethingElse() {
    String source = env.uniqueName("submissions");
    HistoryGenerator history = writeHistory(source, 3, HistorySpec.builder().events(3000).seed(12).build());
    ExpectedReplay expected = ExpectedReplay.of(history, FROM, TO, FORMS, Set.of());
    String id = env.uniqueName("look");

    try (var coordinator = coordinator(source)) {
      client.submit(request(id, source, FROM, TO, FORMS, Mode.PREVIEW, OptionalDouble.empty()));
      BackfillStatus preview = awaitState(id, BackfillState.COMPLETED);
      // Something else under its id: refused, the preview left as it is.
      client.submit(request(id, source, FROM, TO, Set.of("form-1"), Mode.EXECUTE, OptionalDouble.empty()));
      assertThat(await().atMost(Duration.ofSeconds(30)).until(() -> client.status(id).orElseThrow(),
          s -> s.rejectedCommand().isPresent()).rejectedCommand().get())
          .contains("already exists with a different request").contains("filters");

      client.submit(request(id, source, FROM, TO, FORMS, Mode.EXECUTE, OptionalDouble.empty()));
      BackfillStatus executed = await().atMost(Duration.ofSeconds(60)).until(() -> client.status(id).orElseThrow(),
          s -> s.state() == BackfillState.COMPLETED && s.request().orElseThrow().mode() == Mode.EXECUTE);
      assertThat(executed.partitions()).extracting(p -> p.endOffset())
          .containsExactlyElementsOf(preview.partitions().stream().map(p -> p.endOffset()).toList());
      assertThat(executed.counter(BackfillCounters.PUBLISHED)).isEqualTo(preview.counter(BackfillCounters.MATCHED))
          .isEqualTo(expected.matchedIds().size());
    }
  }

  @Test
  void shouldRefuseToExecuteAPreviewThatIsStillScanningAndThenExecuteItOnceItCompleted() {
    String source = env.uniqueName("submissions");
    writeHistory(source, 2, HistorySpec.builder().events(2000).seed(13).build());
    String id = env.uniqueName("unfinished");
    // Published before any coordinator runs: it reads the START and the PAUSE in one poll, and the
    // run handles the PAUSE before its first read, so the preview stays unfinished for certain.
    client.submit(request(id, source, FROM, TO, FORMS, Mode.PREVIEW, OptionalDouble.empty()));
    client.pause(id);

    try (var coordinator = coordinator(source)) {
      awaitState(id, BackfillState.PAUSED);
      client.submit(request(id, source, FROM, TO, FORMS, Mode.EXECUTE, OptionalDouble.empty()));
      BackfillStatus refused = await().atMost(Duration.ofSeconds(30)).until(() -> client.status(id).orElseThrow(),
          s -> s.rejectedCommand().isPresent());
      assertThat(refused.rejectedCommand().get()).contains("EXECUTE of PREVIEW '" + id + "' refused")
          .contains("its PREVIEW is PAUSED; only a completed PREVIEW can be executed");
      assertThat(refused.state()).isEqualTo(BackfillState.PAUSED);
      assertThat(refused.request().orElseThrow().mode()).isEqualTo(Mode.PREVIEW);

      client.resume(id);
      awaitState(id, BackfillState.COMPLETED);
      client.submit(request(id, source, FROM, TO, FORMS, Mode.EXECUTE, OptionalDouble.empty()));
      await().atMost(Duration.ofSeconds(60)).until(() -> client.status(id).orElseThrow(),
          s -> s.state() == BackfillState.COMPLETED && s.request().orElseThrow().mode() == Mode.EXECUTE);
    }
  }

  @Test
  void shouldRefuseToExecuteAPreviewOfAHandover() {
    String source = env.uniqueName("submissions");
    writeHistory(source, 2, HistorySpec.builder().events(500).seed(14).build());
    String id = env.uniqueName("onboard-look");
    String workflow = env.uniqueName("late-joiner");
    BackfillRequest handover = BackfillRequest.handover(id, source, workflow, null, EffectsPolicy.SUPPRESS,
        Optional.of("it"));
    BackfillRequest preview = new BackfillRequest(id, source, handover.eventType(), handover.from(), handover.to(),
        handover.filters(), handover.targetSchemaVersion(), Mode.PREVIEW, handover.workflows(),
        handover.maxRecordsPerSecond(), handover.effectsPolicy(), handover.requestedBy(), handover.reason(),
        handover.handoverWorkflows(), Optional.empty());

    try (var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
        .allowedSourceTopics(Set.of(source)).knownWorkflows(Set.of(workflow)).build().start()) {
      client.submit(preview);
      awaitState(id, BackfillState.COMPLETED);
      client.submit(handover);
      BackfillStatus refused = await().atMost(Duration.ofSeconds(30)).until(() -> client.status(id).orElseThrow(),
          s -> s.rejectedCommand().isPresent());
      assertThat(refused.rejectedCommand().get()).contains("EXECUTE of PREVIEW '" + id + "' refused")
          .contains("a handover's plan is its workflows' live positions when it runs");
      assertThat(refused.request().orElseThrow().mode()).isEqualTo(Mode.PREVIEW);
    }
  }

  @Test
  void shouldPauseResumeAndCancelWithinSeconds() {
    String source = env.uniqueName("submissions");
    writeHistory(source, 2, HistorySpec.builder().events(4000).seed(9).build());
    String id = env.uniqueName("controls");

    try (var coordinator = coordinator(source)) {
      client.submit(request(id, source, Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:00Z"),
          Set.of(), Mode.EXECUTE, OptionalDouble.of(400)));
      await().atMost(Duration.ofSeconds(30)).until(() -> published(id) > 200);

      client.pause(id);
      BackfillStatus paused = await().atMost(Duration.ofSeconds(5)).until(() -> client.status(id).orElseThrow(),
          s -> s.state() == BackfillState.PAUSED);
      long publishedWhenPaused = paused.counter(BackfillCounters.PUBLISHED);
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
          .until(() -> published(id) == publishedWhenPaused && state(id) == BackfillState.PAUSED);

      client.resume(id);
      await().atMost(Duration.ofSeconds(5)).until(() -> state(id) == BackfillState.RUNNING);
      await().atMost(Duration.ofSeconds(10)).until(() -> published(id) > publishedWhenPaused);

      client.resume(id);
      client.cancel(id);
      BackfillStatus cancelled = await().atMost(Duration.ofSeconds(5)).until(() -> client.status(id).orElseThrow(),
          s -> s.state() == BackfillState.CANCELLED);
      assertThat(cancelled.reason()).hasValue("cancelled by request");
      assertThat(cancelled.rejectedCommand()).hasValueSatisfying(note -> assertThat(note).contains("RESUME refused"));
      assertThat(cancelled.counter(BackfillCounters.PUBLISHED)).isLessThan(cancelled.counter(BackfillCounters.PLANNED));
      assertThat(env.readCommitted(ControlTopics.backfillTopic(id)))
          .as("the topic holds exactly what the committed status says").hasSize((int) cancelled.counter(BackfillCounters.PUBLISHED));

      client.resume(id);
      await().atMost(Duration.ofSeconds(10)).until(() -> client.status(id).orElseThrow().rejectedCommand().orElse(""),
          note -> note.contains("CANCELLED and cannot change"));
    }
  }

  @Test
  void shouldObeyAnOperatorThrottleAtRuntimeAndLiftIt() {
    String source = env.uniqueName("submissions");
    writeHistory(source, 2, HistorySpec.builder().events(8000).seed(10).build());
    String id = env.uniqueName("throttled");

    try (var coordinator = coordinator(source)) {
      client.submit(request(id, source, Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:00Z"),
          Set.of(), Mode.EXECUTE, OptionalDouble.of(2000)));
      await().atMost(Duration.ofSeconds(30)).until(() -> published(id) > 500);

      client.throttle(id, OptionalDouble.of(50));
      // Unthrottled, three seconds publish 6,000. Throttled to 50/s: about 150, plus what was sent
      // and not yet in a committed status (half a second at 2,000/s) and the chunk in progress (a
      // quarter second).
      long throttledAt = published(id);
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4))
          .until(() -> published(id) <= throttledAt + 2_000);

      client.throttle(id, OptionalDouble.empty());
      BackfillStatus done = awaitState(id, BackfillState.COMPLETED);
      assertThat(done.counter(BackfillCounters.PUBLISHED)).isGreaterThan(throttledAt + 200);
    }
  }

  @Test
  void shouldEstimateTheExecuteDurationFromAPreviewPilot() {
    String source = env.uniqueName("submissions");
    writeHistory(source, 2, HistorySpec.builder().events(8000).seed(12).build());
    String preview = env.uniqueName("estimate");
    String execute = env.uniqueName("actual");
    Instant from = Instant.parse("2020-01-01T00:00:00Z");
    Instant to = Instant.parse("2026-01-01T00:00:00Z");

    try (var coordinator = coordinator(source)) {
      client.submit(request(preview, source, from, to, Set.of(), Mode.PREVIEW, OptionalDouble.of(2000)));
      BackfillStatus previewed = awaitState(preview, BackfillState.COMPLETED);
      assertThat(previewed.estimatedSeconds()).isPresent();
      assertThat(env.admin().listTopics().names()).as("the pilot's scratch topic is gone")
          .satisfies(names -> assertThat(names.get()).doesNotContain("reprise.pilot." + preview));

      client.submit(request(execute, source, from, to, Set.of(), Mode.EXECUTE, OptionalDouble.of(2000)));
      BackfillStatus done = awaitState(execute, BackfillState.COMPLETED);
      double actual = Duration.between(done.startedAt().orElseThrow(), done.updatedAt()).toMillis() / 1000.0;
      long estimate = previewed.estimatedSeconds().getAsLong();
      System.out.printf("pilot estimate %d s, actual %.2f s (%.0f%%)%n", estimate, actual, 100 * estimate / actual);
      assertThat((double) estimate).as("estimate within ±50%% of %.2f s", actual).isBetween(0.5 * actual, 1.5 * actual);
    }
  }

  @Test
  void shouldRejectAnIdWhoseTopicsCollideWithAnotherBackfillsInsteadOfRetryingForever() {
    String source = env.uniqueName("submissions");
    writeHistory(source, 1, HistorySpec.builder().events(20).seed(3).build());
    String dotted = env.uniqueName("col") + ".x";
    String underscored = dotted.replace('.', '_');
    try (var coordinator = coordinator(source)) {
      client.submit(request(dotted, source, FROM, TO, Set.of(), Mode.EXECUTE, OptionalDouble.empty()));
      awaitState(dotted, BackfillState.COMPLETED);
      client.submit(request(underscored, source, FROM, TO, Set.of(), Mode.EXECUTE, OptionalDouble.empty()));

      BackfillStatus refused = await().atMost(Duration.ofSeconds(60)).until(() -> client.status(underscored).orElse(null),
          s -> s != null && s.state() != BackfillState.ACCEPTED);
      assertThat(refused.state()).isEqualTo(BackfillState.REJECTED);
      assertThat(refused.reason()).hasValueSatisfying(reason -> assertThat(reason)
          .contains("backfillId '" + underscored + "' collides with backfill '" + dotted + "'"));
    }
  }

  @Test
  void shouldAnswerEveryRejectedRequestWithItsReason() {
    String source = env.uniqueName("submissions");
    writeHistory(source, 1, HistorySpec.builder().events(10).seed(1).build());
    String missing = env.uniqueName("missing");
    Instant future = Instant.now().plus(Duration.ofDays(30));
    Map<String, BackfillRequest> requests = new HashMap<>();
    requests.put("fields", new BackfillRequest(env.uniqueName("fields"), null, null, null, Map.of(),
        OptionalInt.empty(), Mode.EXECUTE, List.of(), OptionalDouble.empty(), EffectsPolicy.SUPPRESS, Optional.empty(),
        Optional.empty()));
    requests.put("inverted", request(env.uniqueName("inverted"), source, TO, FROM, Set.of(), Mode.EXECUTE, OptionalDouble.empty()));
    requests.put("future", request(env.uniqueName("future"), source, FROM, future, Set.of(), Mode.EXECUTE, OptionalDouble.empty()));
    requests.put("allowlist", request(env.uniqueName("allowlist"), "payroll", FROM, TO, Set.of(), Mode.EXECUTE, OptionalDouble.empty()));
    requests.put("internal", request(env.uniqueName("internal"), "__consumer_offsets", FROM, TO, Set.of(), Mode.EXECUTE, OptionalDouble.empty()));
    requests.put("reprise", request(env.uniqueName("reprise"), ControlTopics.STATUS, FROM, TO, Set.of(), Mode.EXECUTE, OptionalDouble.empty()));
    requests.put("nonexistent", request(env.uniqueName("nonexistent"), missing, FROM, TO, Set.of(), Mode.EXECUTE, OptionalDouble.empty()));
    requests.put("workflow", new BackfillRequest(env.uniqueName("workflow"), source, FROM, TO, Map.of(),
        OptionalInt.empty(), Mode.EXECUTE, List.of("notify", "mailer"), OptionalDouble.empty(), EffectsPolicy.SUPPRESS,
        Optional.empty(), Optional.empty()));
    requests.put("target", new BackfillRequest(env.uniqueName("target"), source, FROM, TO, Map.of(),
        OptionalInt.of(1), Mode.EXECUTE, List.of(), OptionalDouble.empty(), EffectsPolicy.SUPPRESS, Optional.empty(),
        Optional.empty()));
    String garbage = env.uniqueName("garbage");
    String wrongKey = env.uniqueName("wrongkey");
    String unknown = env.uniqueName("unknown");

    try (var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
        .allowedSourceTopics(Set.of(source, missing, "__consumer_offsets", ControlTopics.STATUS))
        .knownWorkflows(Set.of("notify")).sessionTimeout(Duration.ofSeconds(6)).build().start()) {
      requests.values().forEach(client::submit);
      client.sendRaw(garbage, "{\"backfillId\": \"not avro\"}".getBytes(StandardCharsets.UTF_8));
      client.sendRaw(wrongKey, client.codec().encode(ReplayCommand.start(requests.get("inverted"))));
      client.pause(unknown);

      Map<String, String> expectedReasons = new HashMap<>();
      expectedReasons.put(requests.get("fields").backfillId(), "missing field 'sourceTopic'; missing field 'from'; missing field 'to'");
      expectedReasons.put(requests.get("inverted").backfillId(), "must be before 'to'");
      expectedReasons.put(requests.get("future").backfillId(), "is in the future");
      expectedReasons.put(requests.get("allowlist").backfillId(), "'payroll' is not on the coordinator's allowlist");
      expectedReasons.put(requests.get("internal").backfillId(), "'__consumer_offsets' is internal");
      expectedReasons.put(requests.get("reprise").backfillId(), "'reprise.status' is internal");
      expectedReasons.put(requests.get("nonexistent").backfillId(), "source topic '" + missing + "' does not exist");
      expectedReasons.put(requests.get("workflow").backfillId(), "unknown workflow 'mailer'");
      expectedReasons.put(requests.get("target").backfillId(), "have their identity, event time and filter attributes from v2 on");
      expectedReasons.put(garbage, "is not a readable ReplayRequest");
      expectedReasons.put(wrongKey, "must be keyed by their backfillId");
      expectedReasons.put(unknown, "PAUSE refused: there is no backfill");

      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        Map<String, BackfillStatus> statuses = client.statuses();
        expectedReasons.forEach((id, reason) -> {
          assertThat(statuses).containsKey(id);
          assertThat(statuses.get(id).state()).as(id).isEqualTo(BackfillState.REJECTED);
          assertThat(statuses.get(id).reason()).as(id).hasValueSatisfying(r -> assertThat(r).contains(reason));
        });
      });
      assertThat(coordinator.activeBackfills()).isEmpty();
    }
  }

  private static void assertSourceOrderPerPartition(List<ConsumerRecord<byte[], byte[]>> published) {
    Map<Integer, Long> last = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : published) {
      long offset = Provenance.of(record.headers()).orElseThrow().sourceOffset();
      Long previous = last.put(record.partition(), offset);
      assertThat(previous == null || previous < offset)
          .as("partition %d: source offset %d after %d", record.partition(), offset, previous).isTrue();
    }
  }

  private GenericRecord decodeV3(byte[] value) {
    var schema = registry.schemaById(AvroWireFormat.schemaId(value));
    assertThat(SubmissionSchemas.versionOf(schema)).hasValue(3);
    return AvroWireFormat.decode(value, schema, schema);
  }

  private HistoryGenerator writeHistory(String topic, int partitions, HistorySpec spec) {
    HistoryGenerator history = new HistoryGenerator(spec);
    new HistoryWriter(env.producerConfig(), registry).write(topic, partitions, history);
    return history;
  }

  private ReplayCoordinator coordinator(String source) {
    return ReplayCoordinator.builder()
        .bootstrapServers(env.bootstrapServers())
        .schemaRegistry(registry)
        .allowedSourceTopics(Set.of(source))
        .sessionTimeout(Duration.ofSeconds(6))
        .build()
        .start();
  }

  static BackfillRequest request(String id, String source, Instant from, Instant to, Set<String> forms, Mode mode,
      OptionalDouble rate) {
    return new BackfillRequest(id, source, from, to, Map.of("formId", forms), OptionalInt.empty(), mode, List.of(), rate,
        EffectsPolicy.SUPPRESS, Optional.of("it"), Optional.of("test"));
  }

  private BackfillStatus awaitState(String id, BackfillState state) {
    return await().atMost(Duration.ofSeconds(60)).until(() -> client.status(id).orElse(null),
        s -> {
          assertThat(s == null ? null : s.state()).as("backfill %s", id)
              .isNotIn(BackfillState.FAILED, BackfillState.REJECTED, BackfillState.CANCELLED);
          return s != null && s.state() == state;
        });
  }

  private long published(String id) {
    return client.status(id).map(s -> s.counter(BackfillCounters.PUBLISHED)).orElse(0L);
  }

  private BackfillState state(String id) {
    return client.status(id).orElseThrow().state();
  }

}
