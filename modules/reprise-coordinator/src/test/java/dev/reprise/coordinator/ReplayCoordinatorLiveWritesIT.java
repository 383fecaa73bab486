package dev.reprise.coordinator;

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
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.registry.serde.AvroWireFormat;
import dev.reprise.submissions.SubmissionSchemas;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * A rate-limited replay of a topic that live traffic keeps writing to: its polls read past the
 * plan's end while its chunks still yield for commits and the rate, and every planned record must
 * still be replayed (a position moved past the plan's end before the chunk before it was replayed
 * completed backfills without them).
 */
@RepriseIntegrationTest
class ReplayCoordinatorLiveWritesIT {

  private static final Instant FROM = Instant.parse("2022-01-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2025-01-01T00:00:00Z");

  @Test
  void shouldReplayEveryPlannedRecordWhileLiveWritesGoOnPastThePlansEnd(RepriseTestEnvironment env) throws Exception {
    String source = env.uniqueName("submissions");
    String id = env.uniqueName("live-writes");
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(600).seed(9)
        .from(LocalDate.parse("2023-01-01")).to(LocalDate.parse("2024-12-01")).build());
    // Small partitions and small chunks (25 records at 100/s): a poll holds whole partitions and the
    // live records past their end, and chunks yield long before the last partition of a poll.
    // Live traffic of 2025: after TO, so it is filtered out wherever it falls in the plan.
    HistoryGenerator live = new HistoryGenerator(HistorySpec.builder().events(100_000).seed(10).idPrefix("live-")
        .from(LocalDate.parse("2025-02-01")).to(LocalDate.parse("2025-06-01")).v3Since(LocalDate.parse("2025-03-01"))
        .corruptShare(0).dirtyShare(0).tombstoneShare(0).build());
    ExpectedReplay expected = ExpectedReplay.of(history, FROM, TO, Set.of(), Set.of());

    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var client = BackfillClient.create(Map.of("bootstrap.servers", env.bootstrapServers()), registry);
        var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
            .allowedSourceTopics(Set.of(source)).sessionTimeout(Duration.ofSeconds(6)).build().start()) {
      HistoryWriter writer = new HistoryWriter(env.producerConfig(), registry);
      writer.write(source, 3, history);
      AtomicBoolean writing = new AtomicBoolean(true);
      CompletableFuture<Long> written = CompletableFuture.supplyAsync(() ->
          writer.write(source, 3, live, 300, writing::get).records());
      try {
        client.submit(new BackfillRequest(id, source, FROM, TO, Map.of(), OptionalInt.empty(), Mode.EXECUTE,
            List.of(), OptionalDouble.of(100), EffectsPolicy.SUPPRESS, Optional.of("it"), Optional.empty()));
        BackfillStatus done = await().atMost(Duration.ofSeconds(90)).until(() -> client.status(id).orElse(null),
            s -> s != null && s.state().isTerminal());

        assertThat(done.state()).isEqualTo(BackfillState.COMPLETED);
        long planned = done.partitions().stream().mapToLong(p -> p.endOffset() - p.startOffset()).sum();
        assertThat(planned).as("live records written before the plan are part of it").isGreaterThan(600);
        // The last fetches read live records past the plan's end (not replayed): the status stops at the end.
        assertThat(done.partitions()).allSatisfy(p -> assertThat(p.position()).as("partition %d", p.partition())
            .isEqualTo(p.endOffset()));
        assertThat(done.counter(BackfillCounters.SCANNED)).as("every planned offset scanned (no compaction, no"
            + " transactions on the source)").isEqualTo(planned);
        assertThat(done.counter(BackfillCounters.PUBLISHED)).isEqualTo(expected.matchedIds().size());
        assertThat(env.readCommitted(ControlTopics.backfillTopic(id)).stream().map(r -> {
          GenericRecord v3 = AvroWireFormat.decode(r.value(), SubmissionSchemas.latest(), SubmissionSchemas.latest());
          return ExpectedReplay.identity(v3.get("submissionId"), v3.get("revision"));
        }).toList()).containsExactlyInAnyOrderElementsOf(expected.matchedIds());
      } finally {
        writing.set(false);
      }
      assertThat(written.get(60, TimeUnit.SECONDS)).as("live writes went on during the replay").isGreaterThan(300);
    }
  }
}
