package dev.reprise.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillCounters;
import dev.reprise.protocol.BackfillRequest.Mode;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.registry.serde.AvroWireFormat;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/**
 * Two coordinators share the backfills through the coordinator group; the second joins while
 * backfills run, so some move from one instance to the other mid-run. Every backfill still ends
 * with each expected record exactly once.
 */
@RepriseIntegrationTest
class ReplayCoordinatorScaleOutIT {

  private static final Instant FROM = Instant.parse("2020-01-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void shouldShareBackfillsAcrossInstancesAndHandThemOverExactlyOnce(RepriseTestEnvironment env) throws Exception {
    String source = env.uniqueName("submissions");
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(1500).seed(31).build());
    ExpectedReplay expected = ExpectedReplay.of(history, FROM, TO, Set.of(), Set.of());
    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var client = BackfillClient.create(Map.of("bootstrap.servers", env.bootstrapServers()), registry)) {
      new HistoryWriter(env.producerConfig(), registry).write(source, 2, history);
      int requestPartitions = env.admin().describeTopics(List.of(ControlTopics.REQUESTS)).allTopicNames()
          .get(30, TimeUnit.SECONDS).get(ControlTopics.REQUESTS).partitions().size();
      List<String> ids = oneIdPerRequestPartition(env.uniqueName("share"), requestPartitions);

      try (var first = coordinator(env, registry, source, "first")) {
        for (String id : ids) {
          // About 3 s each, so the second instance joins while they run.
          client.submit(ReplayCoordinatorIT.request(id, source, FROM, TO, Set.of(), Mode.EXECUTE, OptionalDouble.of(500)));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream()
            .allMatch(id -> client.status(id).map(s -> s.state() == BackfillState.RUNNING).orElse(false)));
        try (var second = coordinator(env, registry, source, "second")) {
          await().atMost(Duration.ofSeconds(120)).until(() -> ids.stream()
              .allMatch(id -> client.status(id).map(s -> s.state() == BackfillState.COMPLETED).orElse(false)));

          Set<String> owners = ids.stream().map(id -> client.status(id).orElseThrow().owner().orElseThrow())
              .collect(Collectors.toSet());
          assertThat(owners).containsExactlyInAnyOrder("first", "second");
        }
      }

      for (String id : ids) {
        List<String> identities = new ArrayList<>();
        for (var record : env.readCommitted(ControlTopics.backfillTopic(id))) {
          var schema = registry.schemaById(AvroWireFormat.schemaId(record.value()));
          var v3 = AvroWireFormat.decode(record.value(), schema, schema);
          identities.add(ExpectedReplay.identity(v3.get("submissionId"), v3.get("revision")));
        }
        assertThat(identities).as(id).containsExactlyInAnyOrderElementsOf(expected.matchedIds());
        assertThat(client.status(id).orElseThrow().counter(BackfillCounters.PUBLISHED)).as(id)
            .isEqualTo(expected.matchedIds().size());
      }
    }
  }

  /** Backfill ids whose requests land on every partition of the request topic, whichever instance owns it. */
  static List<String> oneIdPerRequestPartition(String prefix, int partitions) {
    List<String> ids = new ArrayList<>();
    Set<Integer> covered = new HashSet<>();
    for (int i = 0; covered.size() < partitions; i++) {
      String id = prefix + "-" + i;
      if (covered.add(Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % partitions)) {
        ids.add(id);
      }
    }
    return ids;
  }

  private static ReplayCoordinator coordinator(RepriseTestEnvironment env, ConfluentSchemaRegistryClient registry,
      String source, String instanceId) {
    return ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
        .allowedSourceTopics(Set.of(source)).instanceId(instanceId).sessionTimeout(Duration.ofSeconds(6))
        .replayThreads(1).build().start();
  }
}
