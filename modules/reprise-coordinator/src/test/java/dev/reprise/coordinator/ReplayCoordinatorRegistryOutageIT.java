package dev.reprise.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprise.embedded.ApicurioRegistryProcess;
import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillCounters;
import dev.reprise.protocol.BackfillRequest.Mode;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A registry outage is waited out, never turned into dead letters or a failed backfill: the
 * coordinator talks to a registry of its own, which the test stops and starts again.
 */
@RepriseIntegrationTest
class ReplayCoordinatorRegistryOutageIT {

  private static final Instant FROM = Instant.parse("2020-01-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void shouldWaitOutARegistryOutageWithoutDeadLetteringOrFailing(RepriseTestEnvironment env) {
    String warmSource = env.uniqueName("submissions");
    String source = env.uniqueName("submissions");
    // Corrupt records with an unknown schema id make the coordinator ask the registry mid-replay.
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(3000).seed(17).corruptShare(0.02).build());
    try (var shared = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl())) {
      new HistoryWriter(env.producerConfig(), shared).write(warmSource, 1, new HistoryGenerator(
          HistorySpec.builder().events(50).seed(1).build()));
      new HistoryWriter(env.producerConfig(), shared).write(source, 2, history);
    }
    ExpectedReplay expected = ExpectedReplay.of(history, FROM, TO, Set.of(), Set.of());

    // Same storage (the kafkasql journal on the same broker), so it knows every schema id.
    try (var ownRegistry = ApicurioRegistryProcess.builder().kafkaBootstrapServers(env.bootstrapServers())
            .logFile(Path.of("target", "apicurio-outage.log")).build().start();
        var registry = ConfluentSchemaRegistryClient.create(ownRegistry.confluentApiUrl());
        var client = BackfillClient.create(Map.of("bootstrap.servers", env.bootstrapServers()), registry);
        var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
            .allowedSourceTopics(Set.of(warmSource, source)).sessionTimeout(Duration.ofSeconds(6)).build().start()) {
      // A first backfill while the registry is up: the control-plane schemas are registered.
      String warm = env.uniqueName("warm");
      client.submit(ReplayCoordinatorIT.request(warm, warmSource, FROM, TO, Set.of(), Mode.EXECUTE, OptionalDouble.empty()));
      await().atMost(Duration.ofSeconds(60)).until(() -> client.status(warm).map(BackfillStatus::state).orElse(null),
          state -> state == BackfillState.COMPLETED);

      ownRegistry.stop();
      String id = env.uniqueName("outage");
      client.submit(ReplayCoordinatorIT.request(id, source, FROM, TO, Set.of(), Mode.EXECUTE, OptionalDouble.empty()));
      await().atMost(Duration.ofSeconds(30)).until(() -> client.status(id).isPresent());
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> client.status(id).orElseThrow(),
          s -> s.state() == BackfillState.ACCEPTED && s.counter(BackfillCounters.DEAD_LETTERED) == 0);

      ownRegistry.start();
      BackfillStatus done = await().atMost(Duration.ofSeconds(90)).until(() -> client.status(id).orElseThrow(),
          s -> s.state().isTerminal());

      assertThat(done.state()).isEqualTo(BackfillState.COMPLETED);
      assertThat(done.counter(BackfillCounters.PUBLISHED)).isEqualTo(expected.matchedIds().size());
      assertThat(done.counter(BackfillCounters.DEAD_LETTERED)).isEqualTo(expected.deadLettered());
      assertThat(env.readCommitted(ControlTopics.deadLetterTopic(id)))
          .hasSize((int) expected.deadLettered());
    }
  }
}
