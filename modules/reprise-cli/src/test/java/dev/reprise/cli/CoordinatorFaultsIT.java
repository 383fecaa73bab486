package dev.reprise.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprise.embedded.ApicurioRegistryProcess;
import dev.reprise.embedded.EmbeddedKafkaBroker;
import dev.reprise.history.GeneratedRecord;
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
import dev.reprise.protocol.ControlTopics;
import dev.reprise.protocol.Provenance;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.registry.serde.AvroWireFormat;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import dev.reprise.verify.BackfillVerifier;
import dev.reprise.verify.VerificationReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's {@code transactions_test} for a backfill: 100,000 records replayed while the coordinator
 * that owns the backfill is killed with SIGKILL three times (each a {@code reprise coordinator} in
 * its own JVM), the broker is restarted once and the schema registry is restarted as a new process
 * once. No step is done by hand: the survivors take over, every client reconnects, and the backfill
 * completes with the exact set of records, none twice, each partition in source order, VERIFIED.
 *
 * <p>The broker is the test's own (restarting the shared one would break every other test); the
 * registry is its own process on the shared broker, restarted on its port as {@code reprise up}
 * does.
 */
@RepriseIntegrationTest
class CoordinatorFaultsIT {

  private static final int EVENTS = 100_000;
  private static final int PARTITIONS = 6;
  private static final Instant FROM = Instant.parse("2000-01-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void shouldReplayExactlyOnceThroughThreeKillsABrokerRestartAndARegistryRestart(RepriseTestEnvironment shared,
      @TempDir Path dir) throws Exception {
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(EVENTS).seed(1619).build());
    List<String> expected = new ArrayList<>();
    for (GeneratedRecord record : history) {
      if (record.kind().upcasts()) {
        expected.add(record.truth().submissionId() + "#" + record.truth().revision());
      }
    }
    String source = "submissions";
    String id = "faults";
    try (var broker = EmbeddedKafkaBroker.builder().dataDirectory(dir.resolve("kafka")).build().start();
        var registryProcess = ApicurioRegistryProcess.builder().kafkaBootstrapServers(shared.bootstrapServers())
            .logFile(Path.of("target", "faults-it-registry.log")).build().start();
        var env = RepriseTestEnvironment.on(broker.bootstrapServers(), registryProcess.confluentApiUrl());
        var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var coordinators = new Coordinators(env, dir);
        var client = BackfillClient.create(Map.of("bootstrap.servers", env.bootstrapServers()), registry)) {
      new HistoryWriter(env.producerConfig(), registry).write(source, PARTITIONS, history);
      coordinators.start("c1");
      coordinators.start("c2");
      // About 60 s of replay at this rate: time for every fault while records flow.
      client.submit(new BackfillRequest(id, source, FROM, TO, Map.of(), OptionalInt.empty(), Mode.EXECUTE, List.of(),
          OptionalDouble.of(1_600), EffectsPolicy.SUPPRESS, Optional.of("faults-it"), Optional.of("test")));

      long total = expected.size();
      int next = 3;
      for (double share : List.of(0.10, 0.25, 0.55)) {
        String owner = awaitPublished(client, id, p -> p >= share * total).owner().orElseThrow();
        coordinators.kill(owner);
        coordinators.start("c" + next++);
        if (share == 0.25) {
          awaitPublished(client, id, p -> p >= 0.40 * total);
          broker.close();
          broker.start();
        }
      }
      awaitPublished(client, id, p -> p >= 0.70 * total);
      long registryPid = registryProcess.pid();
      registryProcess.stop();
      registryProcess.start();
      assertThat(registryProcess.pid()).isNotEqualTo(registryPid);

      BackfillStatus done = await("backfill completes").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1))
          .until(() -> client.status(id).orElseThrow(), s -> {
            assertThat(s.state()).as("backfill %s: %s", id, s.reason().orElse(""))
                .isNotIn(BackfillState.FAILED, BackfillState.CANCELLED, BackfillState.REJECTED);
            return s.state() == BackfillState.COMPLETED;
          });
      assertThat(done.counter(BackfillCounters.PUBLISHED)).isEqualTo(total);
      assertThat(done.counter(BackfillCounters.SCANNED)).isEqualTo(EVENTS);
      assertThat(coordinators.killed()).hasSize(3);

      List<ConsumerRecord<byte[], byte[]>> published = env.readCommitted(ControlTopics.backfillTopic(id));
      List<String> identities = new ArrayList<>(published.size());
      Map<Integer, Long> last = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> record : published) {
        var schema = registry.schemaById(AvroWireFormat.schemaId(record.value()));
        var value = AvroWireFormat.decode(record.value(), schema, schema);
        identities.add(value.get("submissionId") + "#" + value.get("revision"));
        long offset = Provenance.of(record.headers()).orElseThrow().sourceOffset();
        Long previous = last.put(record.partition(), offset);
        assertThat(previous == null || previous < offset)
            .as("partition %d keeps source order: %d after %d", record.partition(), offset, previous).isTrue();
      }
      assertThat(identities).as("each expected record exactly once").hasSize(expected.size())
          .containsExactlyInAnyOrderElementsOf(expected);

      VerificationReport report = new BackfillVerifier(Map.of("bootstrap.servers", env.bootstrapServers()), registry,
          client).verify(id);
      assertThat(report.verified()).as(report.failures()).isTrue();
      assertThat(client.status(id).orElseThrow().state()).isEqualTo(BackfillState.VERIFIED);
    }
  }

  private static BackfillStatus awaitPublished(BackfillClient client, String id, LongPredicate enough) {
    return await("backfill " + id + " progresses").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
        .until(() -> client.status(id).orElse(null), s -> {
          assertThat(s == null ? null : s.state()).as("backfill %s: %s", id, s == null ? "" : s.reason().orElse(""))
              .isNotIn(BackfillState.FAILED, BackfillState.CANCELLED, BackfillState.REJECTED, BackfillState.COMPLETED);
          return s != null && s.state() == BackfillState.RUNNING && enough.test(s.counter(BackfillCounters.PUBLISHED));
        });
  }

  /** {@code reprise coordinator} processes by instance id; killed ones are SIGKILLed and remembered. */
  private static final class Coordinators implements AutoCloseable {
    private final RepriseTestEnvironment env;
    private final Path dir;
    private final Map<String, Process> running = new LinkedHashMap<>();
    private final List<String> killed = new ArrayList<>();

    Coordinators(RepriseTestEnvironment env, Path dir) {
      this.env = env;
      this.dir = dir;
    }

    void start(String instance) throws Exception {
      running.put(instance, CliProcess.start(List.of("coordinator", "--bootstrap-server", env.bootstrapServers(),
          "--schema-registry", env.schemaRegistryUrl(), "--instance-id", instance, "--http-port", "-1",
          "--allow-topic", "submissions"), Path.of("target", "faults-it-" + instance + ".log")));
    }

    void kill(String instance) throws InterruptedException {
      Process process = running.remove(instance);
      assertThat(process).as("the owner %s is one of %s", instance, running.keySet()).isNotNull();
      process.destroyForcibly();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      killed.add(instance);
    }

    List<String> killed() {
      return killed;
    }

    @Override
    public void close() {
      running.values().forEach(Process::destroyForcibly);
    }
  }
}
