package dev.reprise.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillCounters;
import dev.reprise.protocol.BackfillDeadLetters;
import dev.reprise.protocol.BackfillRequest.Mode;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.protocol.Provenance;
import dev.reprise.protocol.ReplayCommand;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.registry.serde.AvroWireFormat;
import dev.reprise.spi.EventType;
import dev.reprise.submissions.RefusingSubmissions;
import dev.reprise.submissions.SubmissionEventType;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A plugin whose upcaster wrongly refuses some records dead-letters them; once a fixed plugin runs
 * on the coordinator, a RETRY replays one of them, then the rest: each is published once, keyed,
 * partitioned and with the provenance of its source record; counters move from dead-lettered to
 * published; an item retried twice and a record still failing (the history's real dirt) are said,
 * not published; and the backfill topic ends with exactly the records a run of the fixed plugin
 * would have published.
 */
@RepriseIntegrationTest
class BackfillDeadLetterRetryIT {

  private static final Instant FROM = Instant.parse("2020-01-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2026-01-01T00:00:00Z");
  private static final String BUG = "refused by the broken plugin";

  @Test
  void shouldPublishRetriedDeadLettersOnceAfterTheFixAndSayWhatStillFails(RepriseTestEnvironment env) throws Exception {
    String source = env.uniqueName("submissions");
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(2000).seed(57).build());
    String id = env.uniqueName("retry");

    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var client = BackfillClient.create(Map.of("bootstrap.servers", env.bootstrapServers()), registry)) {
      new HistoryWriter(env.producerConfig(), registry).write(source, 3, history);
      ExpectedReplay expected = ExpectedReplay.of(history, FROM, TO, Set.of(), Set.of());

      BackfillStatus done;
      try (var broken = coordinator(env, registry, source, new RefusingSubmissions(BUG), "broken")) {
        client.submit(ReplayCoordinatorIT.request(id, source, FROM, TO, Set.of(), Mode.EXECUTE, OptionalDouble.empty()));
        done = await().atMost(Duration.ofSeconds(90)).until(() -> client.status(id).orElse(null),
            s -> s != null && s.state() == BackfillState.COMPLETED);
      }
      List<BackfillDeadLetters.Letter> letters = BackfillDeadLetters.read(Map.of("bootstrap.servers",
          env.bootstrapServers()), id);
      List<BackfillDeadLetters.Letter> bug = letters.stream().filter(l -> l.message().contains(BUG)).toList();
      assertThat(bug).as("the broken plugin dead-lettered some good records").hasSizeGreaterThan(5);
      assertThat(letters).as("and the history's own dirt").hasSizeGreaterThan(bug.size());
      assertThat(done.counter(BackfillCounters.DEAD_LETTERED)).isEqualTo(letters.size());
      assertThat(done.counter(BackfillCounters.PUBLISHED)).isEqualTo(expected.matchedIds().size() - bug.size());

      try (var fixed = coordinator(env, registry, source, new SubmissionEventType(), "fixed")) {
        BackfillDeadLetters.Letter first = bug.get(0);
        BackfillStatus one = retry(client, id, List.of(first.item()));
        assertThat(one.state()).isEqualTo(BackfillState.COMPLETED);
        assertThat(one.retriedDeadLetters()).containsExactly(first.item());
        assertThat(one.counter(BackfillCounters.PUBLISHED)).isEqualTo(done.counter(BackfillCounters.PUBLISHED) + 1);
        assertThat(one.counter(BackfillCounters.DEAD_LETTERED)).isEqualTo(letters.size() - 1);
        assertThat(one.reason()).hasValueSatisfying(r -> assertThat(r).contains("1 published"));
        ConsumerRecord<byte[], byte[]> republished = env.readCommitted(ControlTopics.backfillTopic(id)).stream()
            .filter(r -> Provenance.of(r.headers()).orElseThrow().sourceOffset() == first.sourceOffset()
                && Provenance.of(r.headers()).orElseThrow().sourcePartition() == first.sourcePartition())
            .findFirst().orElseThrow();
        assertThat(republished.partition()).isEqualTo(first.sourcePartition());
        assertThat(republished.key()).isEqualTo(first.record().key());

        BackfillStatus again = retry(client, id, List.of(first.item()));
        assertThat(again.rejectedCommand()).hasValueSatisfying(r -> assertThat(r).contains(first.item())
            .contains("retried before"));
        assertThat(again.counter(BackfillCounters.PUBLISHED)).isEqualTo(one.counter(BackfillCounters.PUBLISHED));

        BackfillStatus all = retry(client, id, List.of());
        assertThat(all.retriedDeadLetters()).containsExactlyInAnyOrderElementsOf(
            bug.stream().map(BackfillDeadLetters.Letter::item).toList());
        assertThat(all.counter(BackfillCounters.DEAD_LETTERED)).isEqualTo(expected.deadLettered());
        assertThat(all.counter(BackfillCounters.PUBLISHED)).isEqualTo(expected.matchedIds().size());
        assertThat(all.reason()).hasValueSatisfying(r -> assertThat(r).contains("still fails"));
      }

      List<String> identities = env.readCommitted(ControlTopics.backfillTopic(id)).stream().map(r -> {
        var schema = registry.schemaById(AvroWireFormat.schemaId(r.value()));
        GenericRecord v3 = AvroWireFormat.decode(r.value(), schema, schema);
        return ExpectedReplay.identity(v3.get("submissionId"), v3.get("revision"));
      }).toList();
      assertThat(identities).as("what the fixed plugin would have published, each once")
          .containsExactlyInAnyOrderElementsOf(expected.matchedIds());
    }
  }

  private static ReplayCoordinator coordinator(RepriseTestEnvironment env, ConfluentSchemaRegistryClient registry,
      String source, EventType type, String instance) {
    return ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
        .allowedSourceTopics(Set.of(source)).eventType(type).instanceId(instance).build().start();
  }

  /** Sends a RETRY and waits for the coordinator's answer: the next status. */
  private static BackfillStatus retry(BackfillClient client, String id, List<String> items) {
    Instant before = client.status(id).orElseThrow().updatedAt();
    client.send(ReplayCommand.retry(id, items).withRequestedBy("it"));
    return await().atMost(Duration.ofSeconds(60)).until(() -> client.status(id).orElseThrow(),
        s -> s.updatedAt().isAfter(before));
  }
}
