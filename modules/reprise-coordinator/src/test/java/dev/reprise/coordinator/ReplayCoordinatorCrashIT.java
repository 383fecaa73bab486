package dev.reprise.coordinator;

import static dev.reprise.coordinator.ReplayedTopic.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillCounters;
import dev.reprise.protocol.BackfillRequest.Mode;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.protocol.Provenance;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.registry.serde.AvroWireFormat;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Exactly once across a crash: a coordinator in a child JVM is killed forcibly mid-run (an open
 * transaction, no goodbye), and a second instance, joining the same group, takes the backfill over.
 */
@RepriseIntegrationTest
class ReplayCoordinatorCrashIT {

  private static final Instant FROM = Instant.parse("2020-01-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void shouldResumeOnAnotherInstanceWithoutGapOrDuplicateAfterAKill(RepriseTestEnvironment env) throws Exception {
    String source = env.uniqueName("submissions");
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(20_000).seed(21).build());
    String id = env.uniqueName("crash");
    Path log = Path.of("target", "crash-it-" + id + ".log");

    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var client = BackfillClient.create(Map.of("bootstrap.servers", env.bootstrapServers()), registry)) {
      new HistoryWriter(env.producerConfig(), registry).write(source, 3, history);
      ExpectedReplay expected = ExpectedReplay.of(history, FROM, TO, Set.of(), Set.of());

      Process child = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"),
          CoordinatorProcess.class.getName(), env.bootstrapServers(), env.schemaRegistryUrl(), source, "doomed")
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      try {
        // Slow enough (about 10 s) to be killed mid-run.
        client.submit(ReplayCoordinatorIT.request(id, source, FROM, TO, Set.of(), Mode.EXECUTE, OptionalDouble.of(2000)));
        await().atMost(Duration.ofSeconds(60)).until(() -> client.status(id).orElse(null),
            s -> s != null && s.owner().orElse("").equals("doomed") && s.counter(BackfillCounters.PUBLISHED) >= 3000);
      } finally {
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      long publishedAtKill = client.status(id).orElseThrow().counter(BackfillCounters.PUBLISHED);
      assertThat(publishedAtKill).isLessThan(expected.matchedIds().size());

      try (var survivor = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
          .allowedSourceTopics(Set.of(source)).instanceId("survivor").sessionTimeout(Duration.ofSeconds(6)).build().start()) {
        BackfillStatus done = await().atMost(Duration.ofSeconds(90)).until(() -> client.status(id).orElseThrow(),
            s -> s.state() == BackfillState.COMPLETED);
        assertThat(done.owner()).hasValue("survivor");
        assertThat(done.counter(BackfillCounters.PUBLISHED)).isEqualTo(expected.matchedIds().size());
        assertThat(done.counter(BackfillCounters.SCANNED)).isEqualTo(expected.scanned());
        assertThat(done.counter(BackfillCounters.DEAD_LETTERED)).isEqualTo(expected.deadLettered());
      }

      List<ConsumerRecord<byte[], byte[]>> published = env.readCommitted(ControlTopics.backfillTopic(id));
      List<String> identities = published.stream().map(r -> {
        var schema = registry.schemaById(AvroWireFormat.schemaId(r.value()));
        var v3 = AvroWireFormat.decode(r.value(), schema, schema);
        return ExpectedReplay.identity(v3.get("submissionId"), v3.get("revision"));
      }).toList();
      assertThat(identities).as("each expected record exactly once").containsExactlyInAnyOrderElementsOf(expected.matchedIds());
      Map<Integer, Long> last = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> record : published) {
        long offset = Provenance.of(record.headers()).orElseThrow().sourceOffset();
        Long previous = last.put(record.partition(), offset);
        assertThat(previous == null || previous < offset)
            .as("partition %d keeps source order: %d after %d", record.partition(), offset, previous).isTrue();
      }
    }
    assertThat(new File(log.toString())).content().contains("backfill '" + id + "' planned");
  }
}
