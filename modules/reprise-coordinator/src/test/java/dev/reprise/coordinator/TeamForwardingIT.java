package dev.reprise.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.protocol.AuditEntry;
import dev.reprise.protocol.AuditTrail;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillRequest.Mode;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two coordinator instances share the team topics and {@code reprise.requests}: whichever reads a
 * team's command forwards it, and the owner of the backfill's request partition decides, with the
 * team the topic established, for backfills on every request partition.
 */
@RepriseIntegrationTest
class TeamForwardingIT {

  private static final Instant FROM = Instant.parse("2020-01-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void shouldLetTheOwnerOfEachBackfillDecideWhicheverInstanceReadItsTeamsCommand(RepriseTestEnvironment env)
      throws Exception {
    String source = env.uniqueName("forwarded");
    String team = env.uniqueName("growth");
    AccessPolicy policy = AccessPolicy.parse("teams:\n  " + team + ":\n    sources: [" + source + "]\n", "test");
    Map<String, Object> config = Map.of("bootstrap.servers", env.bootstrapServers());
    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var asTeam = BackfillClient.create(config, registry, Optional.of(team))) {
      new HistoryWriter(env.producerConfig(), registry).write(source, 2,
          new HistoryGenerator(HistorySpec.builder().events(400).seed(41).build()));
      int partitions = env.admin().describeTopics(List.of(ControlTopics.REQUESTS)).allTopicNames()
          .get(30, TimeUnit.SECONDS).get(ControlTopics.REQUESTS).partitions().size();
      List<String> ids = ReplayCoordinatorScaleOutIT.oneIdPerRequestPartition(env.uniqueName("fwd"), partitions);
      try (var first = coordinator(env, registry, source, policy, "first");
          var second = coordinator(env, registry, source, policy, "second")) {
        await("both instances have request partitions").atMost(Duration.ofSeconds(60)).until(() -> env.admin()
            .describeConsumerGroups(List.of(ControlTopics.COORDINATOR_GROUP)).all().get(30, TimeUnit.SECONDS)
            .get(ControlTopics.COORDINATOR_GROUP).members().stream()
            .filter(m -> m.assignment().topicPartitions().stream().anyMatch(tp -> tp.topic().equals(ControlTopics.REQUESTS)))
            .count() == 2);
        for (String id : ids) {
          asTeam.submit(ReplayCoordinatorIT.request(id, source, FROM, TO, Set.of(), Mode.EXECUTE, OptionalDouble.empty()));
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> ids.stream()
            .allMatch(id -> asTeam.status(id).map(s -> s.state() == BackfillState.COMPLETED).orElse(false)));

        Set<String> owners = new HashSet<>();
        for (String id : ids) {
          BackfillStatus done = asTeam.status(id).orElseThrow();
          assertThat(done.request().orElseThrow().requester()).as(id).contains(team);
          owners.add(done.owner().orElseThrow());
          AuditEntry decision = AuditTrail.read(config, asTeam.codec(), Optional.of(id), Duration.ofSeconds(30)).stream()
              .filter(e -> e.kind() == AuditEntry.Kind.COMMAND).findFirst().orElseThrow();
          assertThat(decision.decision()).contains("ACCEPTED");
          assertThat(decision.requester()).contains(team);
          assertThat(decision.coordinator()).as("the owner decides").isEqualTo(done.owner().orElseThrow());
          assertThat(decision.source().orElseThrow()).startsWith(ControlTopics.teamRequests(team) + "-");
        }
        assertThat(owners).containsExactlyInAnyOrder("first", "second");
      }
    }
  }

  private static ReplayCoordinator coordinator(RepriseTestEnvironment env, ConfluentSchemaRegistryClient registry,
      String source, AccessPolicy policy, String instanceId) {
    return ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
        .allowedSourceTopics(Set.of(source)).accessPolicy(policy).instanceId(instanceId)
        .sessionTimeout(Duration.ofSeconds(6)).replayThreads(1).build().start();
  }
}
