package dev.reprise.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.protocol.AuditEntry;
import dev.reprise.protocol.AuditTrail;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillRequest.EffectsPolicy;
import dev.reprise.protocol.BackfillRequest.Mode;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.protocol.ReplayCommand;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may replay what, against the real broker: commands come through team topics, the
 * coordinator forwards them with the team the topic establishes, the policy file decides (and is
 * read again when it changes), and the audit trail shows every command, who sent it and the
 * decision.
 */
@RepriseIntegrationTest
class AccessPolicyIT {

  private static final Instant FROM = Instant.parse("2020-01-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void shouldRunOnlyWhatEachTeamsPolicyAllowsAndAuditEveryCommandWithItsRequester(RepriseTestEnvironment env,
      @TempDir Path dir) throws Exception {
    String source = env.uniqueName("policed");
    String secret = env.uniqueName("secret");
    String growth = env.uniqueName("growth");
    String ops = env.uniqueName("ops");
    String mallory = env.uniqueName("mallory");
    Path policyFile = dir.resolve("policy.yaml");
    writePolicy(policyFile, """
        teams:
          %s:
            sources: [%s]
            requiredFilters:
              tenantId: []
            maxRecordsPerSecond: 400
          %s:
            sources: [%s]
            controlOthers: true
        """.formatted(growth, source, ops, source));
    Map<String, Object> config = Map.of("bootstrap.servers", env.bootstrapServers());
    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var asGrowth = BackfillClient.create(config, registry, Optional.of(growth));
        var asOps = BackfillClient.create(config, registry, Optional.of(ops));
        var asMallory = BackfillClient.create(config, registry, Optional.of(mallory));
        var anonymous = BackfillClient.create(config, registry)) {
      HistoryWriter writer = new HistoryWriter(env.producerConfig(), registry);
      writer.write(source, 2, new HistoryGenerator(HistorySpec.builder().events(3_000).tenants(3).seed(5).build()));
      writer.write(secret, 2, new HistoryGenerator(HistorySpec.builder().events(100).seed(6).build()));
      String tenant = "tenant-1";
      try (var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers())
          .schemaRegistry(registry).allowedSourceTopics(Set.of(source, secret)).accessPolicyFile(policyFile)
          .build().start()) {
        // Within the policy: runs, and its status names the team the topic established.
        String slow = env.uniqueName("growth-slow");
        asGrowth.submit(request(slow, source, Map.of("tenantId", Set.of(tenant)), OptionalDouble.of(100)));
        BackfillStatus running = awaitStatus(anonymous, slow, s -> s.state() == BackfillState.RUNNING);
        assertThat(running.request().orElseThrow().requester()).contains(growth);

        // Another team without controlOthers may not pause it; a team with it may, and cancel it.
        String pausedByMallory = "PAUSE refused: team '" + mallory + "' is not in the access policy";
        asMallory.pause(slow);
        awaitStatus(anonymous, slow, s -> s.rejectedCommand().orElse("").startsWith(pausedByMallory));
        asOps.pause(slow);
        awaitStatus(anonymous, slow, s -> s.state() == BackfillState.PAUSED);
        asOps.cancel(slow);
        awaitStatus(anonymous, slow, s -> s.state() == BackfillState.CANCELLED);

        // Outside it: a topic the coordinator allows but the team may not, no filter, no rate.
        String offLimits = env.uniqueName("growth-secret");
        asGrowth.submit(request(offLimits, secret, Map.of(), OptionalDouble.empty()));
        BackfillStatus rejected = awaitStatus(anonymous, offLimits, s -> s.state() == BackfillState.REJECTED);
        assertThat(rejected.reason()).hasValueSatisfying(reason -> assertThat(reason)
            .contains("team '" + growth + "' may not replay source topic '" + secret + "'")
            .contains("must filter on 'tenantId'")
            .contains("must set maxRecordsPerSecond (at most 400)"));

        // Straight to reprise.requests, claiming to be growth in the payload: nobody is established.
        String forged = env.uniqueName("forged-requester");
        anonymous.send(ReplayCommand.start(request(forged, source, Map.of("tenantId", Set.of(tenant)),
            OptionalDouble.of(200)).withRequester(Optional.of(growth))));
        assertThat(awaitStatus(anonymous, forged, s -> s.state() == BackfillState.REJECTED).reason())
            .hasValueSatisfying(reason -> assertThat(reason).startsWith("no requester is established"));

        // A team the policy does not name, on its own topic.
        String stranger = env.uniqueName("stranger");
        asMallory.submit(request(stranger, source, Map.of("tenantId", Set.of(tenant)), OptionalDouble.of(200)));
        assertThat(awaitStatus(anonymous, stranger, s -> s.state() == BackfillState.REJECTED).reason())
            .hasValueSatisfying(reason -> assertThat(reason).contains("team '" + mallory + "' is not in the access policy"));

        // The policy changes under the running coordinator: a broken file is refused, the policy in
        // force stays; a valid one that adds mallory is applied.
        writePolicy(policyFile, "teams:\n  " + mallory + ":\n    source: [" + source + "]\n");
        await("the broken policy refused").atMost(Duration.ofSeconds(30)).until(() -> audit(env, anonymous, Optional.empty())
            .stream().anyMatch(e -> ofThisPolicy(e, policyFile) && e.decision().equals(Optional.of("REFUSED"))));
        writePolicy(policyFile, """
            teams:
              %s:
                sources: [%s]
              %s:
                sources: [%s]
            """.formatted(mallory, source, growth, source));
        await("the new policy loaded").atMost(Duration.ofSeconds(30)).until(() -> audit(env, anonymous, Optional.empty())
            .stream().filter(e -> ofThisPolicy(e, policyFile) && e.decision().equals(Optional.of("LOADED")))
            .count() == 2);
        String welcome = env.uniqueName("welcome");
        asMallory.submit(request(welcome, source, Map.of(), OptionalDouble.empty()));
        BackfillStatus done = awaitStatus(anonymous, welcome, s -> s.state() == BackfillState.COMPLETED);
        assertThat(done.counter("published")).isEqualTo(done.counter("matched")).isPositive();

        // Verification is a command too: recorded for the team that started it, refused for another.
        ReplayCommand.Verification verified = new ReplayCommand.Verification(Optional.empty(), List.of());
        asGrowth.verify(welcome, verified);
        awaitStatus(anonymous, welcome, s -> s.rejectedCommand().orElse("").contains("team '" + growth
            + "' may not VERIFY backfill '" + welcome + "', started by team '" + mallory + "'"));
        assertThat(anonymous.status(welcome).orElseThrow().state()).isEqualTo(BackfillState.COMPLETED);
        asMallory.verify(welcome, verified);
        awaitStatus(anonymous, welcome, s -> s.state() == BackfillState.VERIFIED);
        assertThat(audit(env, anonymous, Optional.of(welcome))).filteredOn(e -> e.kind() == AuditEntry.Kind.COMMAND)
            .extracting(e -> e.command().orElseThrow() + " " + e.requester().orElse("-") + " " + e.decision().orElseThrow())
            .containsExactly("START " + mallory + " ACCEPTED", "VERIFY " + growth + " REFUSED",
                "VERIFY " + mallory + " ACCEPTED");

        // The trail: who sent what, the decision, where it was read, and every state entered.
        List<AuditEntry> trail = audit(env, anonymous, Optional.of(slow));
        assertThat(trail).filteredOn(e -> e.kind() == AuditEntry.Kind.COMMAND)
            .extracting(e -> e.command().orElseThrow() + " " + e.requester().orElse("-") + " " + e.decision().orElseThrow())
            .containsExactly("START " + growth + " ACCEPTED", "PAUSE " + mallory + " REFUSED", "PAUSE " + ops + " ACCEPTED",
                "CANCEL " + ops + " ACCEPTED");
        assertThat(trail).filteredOn(e -> e.kind() == AuditEntry.Kind.COMMAND)
            .allSatisfy(e -> assertThat(e.source().orElseThrow()).startsWith(ControlTopics.REQUESTS + ".")
                .as("where it was read: the team's own topic"))
            .allSatisfy(e -> assertThat(e.coordinator()).isEqualTo(coordinator.instanceId()));
        assertThat(trail).filteredOn(e -> e.kind() == AuditEntry.Kind.TRANSITION).extracting(e -> e.toState().orElseThrow())
            .containsSubsequence("ACCEPTED", "PLANNED", "RUNNING", "PAUSED", "CANCELLED");
        assertThat(audit(env, anonymous, Optional.of(forged))).filteredOn(e -> e.kind() == AuditEntry.Kind.COMMAND)
            .singleElement().satisfies(e -> {
              assertThat(e.requester()).as("the payload's claim is not kept").isEmpty();
              assertThat(e.decision()).contains("REFUSED");
            });
        assertThat(env.admin().listTopics().names().get()).as("refused requests replay nothing")
            .doesNotContain(ControlTopics.backfillTopic(offLimits), ControlTopics.backfillTopic(forged),
                ControlTopics.backfillTopic(stranger));
      }
    }
  }

  private static BackfillRequest request(String id, String source, Map<String, Set<String>> filters,
      OptionalDouble rate) {
    return new BackfillRequest(id, source, Optional.empty(), FROM, TO, filters, OptionalInt.empty(), Mode.EXECUTE,
        List.of(), rate, EffectsPolicy.SUPPRESS, Optional.of("alice"), Optional.empty(), List.of());
  }

  private static BackfillStatus awaitStatus(BackfillClient client, String id, Predicate<BackfillStatus> condition) {
    return await("status of " + id).atMost(Duration.ofSeconds(60))
        .until(() -> client.status(id).orElse(null), s -> s != null && condition.test(s));
  }

  private static List<AuditEntry> audit(RepriseTestEnvironment env, BackfillClient client, Optional<String> id) {
    return AuditTrail.read(Map.of("bootstrap.servers", env.bootstrapServers()), client.codec(), id, Duration.ofSeconds(30));
  }

  /** A policy entry about this test's file (other tests' coordinators audit their policies too). */
  private static boolean ofThisPolicy(AuditEntry entry, Path file) {
    return entry.kind() == AuditEntry.Kind.POLICY && entry.reason().orElse("").contains(file.toString());
  }

  /** Rewrites the file with a later modification time, as an editor saving it would. */
  private static void writePolicy(Path file, String yaml) throws Exception {
    FileTime before = Files.exists(file) ? Files.getLastModifiedTime(file) : FileTime.fromMillis(0);
    Files.writeString(file, yaml);
    Files.setLastModifiedTime(file, FileTime.fromMillis(Math.max(System.currentTimeMillis(), before.toMillis() + 1000)));
  }
}
