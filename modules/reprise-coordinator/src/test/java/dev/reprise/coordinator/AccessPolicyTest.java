package dev.reprise.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprise.coordinator.AccessPolicy.InvalidPolicyException;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillRequest.EffectsPolicy;
import dev.reprise.protocol.BackfillRequest.Mode;
import dev.reprise.protocol.ReplayCommand;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {

  private static final String POLICY = """
      teams:
        growth:
          sources: [submissions]
          eventTypes: [submissions]
          requiredFilters:
            tenantId: [acme, globex]
          enableEffects: [notify]
          maxRecordsPerSecond: 5000
        ops:
          sources: [submissions, orders]
          controlOthers: true
          verify: true
      """;

  private final AccessPolicy policy = AccessPolicy.parse(POLICY, "test.yaml");

  private static BackfillRequest request(String source, Map<String, Set<String>> filters, EffectsPolicy effects,
      OptionalDouble rate) {
    return new BackfillRequest("b-1", source, Optional.of("submissions"), Instant.parse("2024-01-01T00:00:00Z"),
        Instant.parse("2024-02-01T00:00:00Z"), filters, OptionalInt.empty(), Mode.EXECUTE, List.of("notify", "ledger"),
        rate, effects, Optional.of("alice"), Optional.empty(), List.of());
  }

  @Test
  void shouldAllowARequestWithinEveryRuleOfTheTeam() {
    BackfillRequest ok = request("submissions", Map.of("tenantId", Set.of("acme")), EffectsPolicy.SUPPRESS,
        OptionalDouble.of(5000));

    assertThat(policy.startProblems(Optional.of("growth"), ok)).isEmpty();
  }

  @Test
  void shouldNameEveryRuleARequestBreaks() {
    BackfillRequest bad = request("orders", Map.of("tenantId", Set.of("acme", "initech")), EffectsPolicy.ENABLE,
        OptionalDouble.of(9000));

    assertThat(policy.startProblems(Optional.of("growth"), bad)).containsExactly(
        "team 'growth' may not replay source topic 'orders' (it may replay: submissions)",
        "team 'growth' may not replay 'tenantId' initech (one or more of: acme, globex)",
        "team 'growth' may not ENABLE effects for workflow(s) ledger (it may enable: notify)",
        "team 'growth' may replay at most 5000 records/s, asked 9000");
  }

  @Test
  void shouldRequireTheFiltersAndTheRateTheTeamMustSet() {
    BackfillRequest unfiltered = request("submissions", Map.of(), EffectsPolicy.SUPPRESS, OptionalDouble.empty());

    assertThat(policy.startProblems(Optional.of("growth"), unfiltered)).containsExactly(
        "team 'growth' must filter on 'tenantId' (one or more of: acme, globex)",
        "team 'growth' must set maxRecordsPerSecond (at most 5000)");
  }

  @Test
  void shouldRefuseATeamOutsideThePolicyAndACommandWithNoEstablishedRequester() {
    BackfillRequest ok = request("submissions", Map.of("tenantId", Set.of("acme")), EffectsPolicy.SUPPRESS,
        OptionalDouble.of(10));

    assertThat(policy.startProblems(Optional.of("mallory"), ok))
        .containsExactly("team 'mallory' is not in the access policy (teams: growth, ops)");
    assertThat(policy.startProblems(Optional.empty(), ok)).singleElement().asString()
        .startsWith("no requester is established").contains("reprise.requests.<team>");
  }

  @Test
  void shouldLetATeamControlItsOwnBackfillsAndOnlyATeamWithControlOthersAnyOther() {
    ReplayCommand pause = ReplayCommand.of(ReplayCommand.Type.PAUSE, "b-1");

    assertThat(policy.commandProblem(Optional.of("growth"), pause, Optional.of("growth"))).isEmpty();
    assertThat(policy.commandProblem(Optional.of("ops"), pause, Optional.of("growth"))).isEmpty();
    assertThat(policy.commandProblem(Optional.of("growth"), pause, Optional.of("ops"))).contains(
        "team 'growth' may not PAUSE backfill 'b-1', started by team 'ops' (its policy has no 'controlOthers: true')");
    assertThat(policy.commandProblem(Optional.of("growth"), pause, Optional.empty())).hasValueSatisfying(
        problem -> assertThat(problem).contains("started by no established team"));
  }

  @Test
  void shouldLetTheStarterOrAVerifyingTeamVerifyAndCapAThrottleAtTheTeamsRate() {
    ReplayCommand verify = ReplayCommand.verify("b-1", new ReplayCommand.Verification(Optional.empty(),
        List.of(LocalDate.parse("2024-01-02"))));

    assertThat(policy.commandProblem(Optional.of("growth"), verify, Optional.of("growth"))).isEmpty();
    assertThat(policy.commandProblem(Optional.of("ops"), verify, Optional.of("growth"))).isEmpty();
    assertThat(policy.commandProblem(Optional.of("growth"), verify, Optional.of("ops"))).hasValueSatisfying(
        problem -> assertThat(problem).contains("may not VERIFY").contains("'verify: true'"));
    assertThat(policy.commandProblem(Optional.of("growth"),
        ReplayCommand.throttle("b-1", OptionalDouble.of(8000)), Optional.of("growth")))
        .contains("team 'growth' may set at most 5000 records/s, asked 8000");
  }

  @Test
  void shouldNameTheKeyOrValueThatIsWrongInAPolicy() {
    assertThatThrownBy(() -> AccessPolicy.parse("teams:\n  growth:\n    source: [submissions]\n", "p.yaml"))
        .isInstanceOf(InvalidPolicyException.class)
        .hasMessageContaining("p.yaml: teams.growth: unknown key 'source'");
    assertThatThrownBy(() -> AccessPolicy.parse("teams:\n  growth:\n    sources: []\n", "p.yaml"))
        .hasMessageContaining("teams.growth.sources: must name at least one source topic");
    assertThatThrownBy(() -> AccessPolicy.parse("teams:\n  growth:\n    sources: [a]\n    maxRecordsPerSecond: -1\n",
        "p.yaml")).hasMessageContaining("teams.growth.maxRecordsPerSecond: must be a positive number");
    assertThatThrownBy(() -> AccessPolicy.parse("teams:\n  'a.b':\n    sources: [a]\n", "p.yaml"))
        .hasMessageContaining("teams.a.b: team 'a.b' must be 1 to 100 letters");
    assertThatThrownBy(() -> AccessPolicy.parse("teams:\n  growth:\n    sources: [a]\n    verify: yes-please\n",
        "p.yaml")).hasMessageContaining("teams.growth.verify: must be true or false");
    assertThatThrownBy(() -> AccessPolicy.parse("team: {}\n", "p.yaml"))
        .hasMessageContaining("unknown key 'team'");
    assertThatThrownBy(() -> AccessPolicy.parse("teams: [\n", "p.yaml"))
        .hasMessageContaining("p.yaml: not YAML or JSON");
  }
}
