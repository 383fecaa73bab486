package dev.reprise.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprise.protocol.BackfillRequest.EffectsPolicy;
import dev.reprise.protocol.BackfillRequest.Mode;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.EventTypeChoice;
import dev.reprise.protocol.WorkflowDeclaration;
import dev.reprise.protocol.WorkflowDeclarations;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackfillRequestValidatorTest {

  private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
  private final BackfillRequestValidator validator = new BackfillRequestValidator(
      Set.of("submissions"), Set.of("notify", "form-daily-stats"), Clock.fixed(NOW, ZoneOffset.UTC));

  private static BackfillRequest request(String id, String topic, String from, String to, List<String> workflows) {
    return new BackfillRequest(id, topic, from == null ? null : Instant.parse(from), to == null ? null : Instant.parse(to),
        Map.of(), OptionalInt.empty(), Mode.EXECUTE, workflows, OptionalDouble.empty(),
        EffectsPolicy.SUPPRESS, Optional.of("alice"), Optional.empty());
  }

  @Test
  void shouldAcceptAValidRequest() {
    var ok = request("b-1", "submissions", "2023-01-01T00:00:00Z", "2023-02-01T00:00:00Z", List.of("notify"));

    assertThat(validator.problems(ok)).isEmpty();
    assertThat(ok.effectsPolicy()).isEqualTo(EffectsPolicy.SUPPRESS);
  }

  @Test
  void shouldNameEveryMissingField() {
    assertThat(validator.problems(request(null, null, null, null, List.of())))
        .containsExactly("missing field 'backfillId'", "missing field 'sourceTopic'", "missing field 'from'",
            "missing field 'to'");
  }

  @Test
  void shouldRefuseAnEmptyOrInvertedRange() {
    assertThat(validator.problems(request("b", "submissions", "2023-02-01T00:00:00Z", "2023-02-01T00:00:00Z", List.of())))
        .singleElement().asString().contains("must be before 'to'");
  }

  @Test
  void shouldRefuseARangeEndingInTheFuture() {
    assertThat(validator.problems(request("b", "submissions", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", List.of())))
        .singleElement().asString().contains("is in the future");
  }

  @Test
  void shouldRefuseTopicsOffTheAllowlistAndInternalTopics() {
    String from = "2023-01-01T00:00:00Z";
    String to = "2023-01-02T00:00:00Z";
    assertThat(validator.problems(request("b", "payroll", from, to, List.of())))
        .singleElement().asString().contains("'payroll' is not on the coordinator's allowlist");
    assertThat(validator.problems(request("b", "__consumer_offsets", from, to, List.of())))
        .singleElement().asString().contains("is internal");
    assertThat(validator.problems(request("b", "reprise.status", from, to, List.of())))
        .singleElement().asString().contains("is internal");
  }

  @Test
  void shouldRefuseUnknownWorkflowsAndIdsThatCannotBeTopicNames() {
    assertThat(validator.problems(request("b 1/x", "submissions", "2023-01-01T00:00:00Z", "2023-01-02T00:00:00Z",
        List.of("notify", "mailer"))))
        .hasSize(2)
        .anySatisfy(p -> assertThat(p).contains("backfillId 'b 1/x'"))
        .anySatisfy(p -> assertThat(p).contains("unknown workflow 'mailer'"));
  }

  @Test
  void shouldRefuseTargetVersionsThatDoNotExistOrHaveNoUtcTime() {
    String from = "2023-01-01T00:00:00Z";
    String to = "2023-01-02T00:00:00Z";
    for (int version : new int[] {0, 1, 4}) {
      var request = new BackfillRequest("b", "submissions", Instant.parse(from), Instant.parse(to), Map.of(),
          OptionalInt.of(version), Mode.EXECUTE, List.of(), OptionalDouble.empty(), EffectsPolicy.SUPPRESS,
          Optional.empty(), Optional.empty());
      assertThat(validator.problems(request)).as("v%d", version).singleElement().asString()
          .contains("targetSchemaVersion " + version);
    }
  }

  @Test
  void shouldRefuseIdsThatLookLikeADeadLetterTopic() {
    assertThat(validator.problems(request("b-1.dlq", "submissions", "2023-01-01T00:00:00Z", "2023-01-02T00:00:00Z",
        List.of()))).singleElement().asString().contains("must not end with '.dlq'");
  }

  @Test
  void shouldAcceptAHandoverOfAllHistoryWithoutRange() {
    BackfillRequest handover = BackfillRequest.handover("onboard", "submissions", "notify", null, EffectsPolicy.SUPPRESS,
        Optional.empty());

    assertThat(validator.problems(handover)).isEmpty();
  }

  @Test
  void shouldRefuseAHandoverWithAnEndOfRangeBecauseRecordsBeforeThePointWouldBeLost() {
    BackfillRequest handover = new BackfillRequest("onboard", "submissions", null, Instant.parse("2025-01-01T00:00:00Z"),
        Map.of(), OptionalInt.empty(), Mode.EXECUTE, List.of(), OptionalDouble.empty(), EffectsPolicy.SUPPRESS,
        Optional.empty(), Optional.empty(), List.of("notify"));

    assertThat(validator.problems(handover)).singleElement().asString()
        .contains("'to' must be empty for a handover to [notify]");
  }

  @Test
  void shouldRefuseEnableForAWorkflowThatForbidsEffectsInReplaysAndNameIt() {
    WorkflowDeclarations declared = name -> Optional.of(new WorkflowDeclaration(name, !name.equals("charge"),
        name.equals("charge") ? Optional.of("charges cards") : Optional.empty(), List.of(), NOW));
    var strict = new BackfillRequestValidator(Set.of("submissions"), Set.of(), declared,
        EventTypeChoice.only(dev.reprise.spi.EventTypes.only()), Clock.fixed(NOW, ZoneOffset.UTC));
    BackfillRequest enable = new BackfillRequest("b", "submissions", Instant.parse("2023-01-01T00:00:00Z"),
        Instant.parse("2023-02-01T00:00:00Z"), Map.of(), OptionalInt.empty(), Mode.EXECUTE,
        List.of("charge", "notify"), OptionalDouble.empty(), EffectsPolicy.ENABLE, Optional.empty(), Optional.empty());

    assertThat(strict.problems(enable)).as("declared workflows are known; only the forbidding one is refused")
        .containsExactly("workflow 'charge' forbids effects in replays (charges cards): effectsPolicy ENABLE refused;"
            + " its history can only be replayed with SUPPRESS");
    BackfillRequest suppress = new BackfillRequest("b", "submissions", enable.from(), enable.to(), Map.of(),
        OptionalInt.empty(), Mode.EXECUTE, enable.workflows(), OptionalDouble.empty(), EffectsPolicy.SUPPRESS,
        Optional.empty(), Optional.empty());
    assertThat(strict.problems(suppress)).isEmpty();
  }

  @Test
  void shouldRefuseAFilterOnAnAttributeTheEventTypeDoesNotHaveAndNameTheOnesItHas() {
    var request = request("b", "submissions", "2023-01-01T00:00:00Z", "2023-02-01T00:00:00Z", List.of())
        .withFilter("region", Set.of("eu")).withFilter("tenantId", Set.of("acme"));

    assertThat(validator.problems(request)).containsExactly(
        "event type 'submissions' cannot filter on 'region'; it filters on [formId, tenantId]");
  }

  @Test
  void shouldRefuseAnUnknownEventTypeAndARequestNamingNoneWhenThereIsNoDefault() {
    var submissions = new dev.reprise.submissions.SubmissionEventType();
    var several = new BackfillRequestValidator(Set.of("submissions"), Set.of(), WorkflowDeclarations.NONE,
        new EventTypeChoice(Map.of("submissions", submissions, "other", renamed(submissions, "other")), null),
        Clock.fixed(NOW, ZoneOffset.UTC));
    var unnamed = request("b", "submissions", "2023-01-01T00:00:00Z", "2023-02-01T00:00:00Z", List.of());

    assertThat(several.problems(unnamed)).singleElement().asString()
        .contains("names no event type and this coordinator has several [other, submissions] without a default");
    assertThat(several.problems(unnamed.withEventType("orders"))).singleElement().asString()
        .startsWith("unknown event type 'orders'; this coordinator replays [other, submissions]");
    assertThat(several.problems(unnamed.withEventType("other"))).isEmpty();
    assertThat(validator.problems(unnamed)).as("one type: the default").isEmpty();
  }

  @Test
  void shouldRefuseAWorkflowThatDeclaredAnotherEventTypeBecauseItWouldPassEveryRecordBy() {
    WorkflowDeclarations declared = name -> Optional.of(new WorkflowDeclaration(name, true, Optional.empty(), List.of(),
        NOW, Optional.of(name.equals("heavy-parcels") ? "shipments" : "submissions")));
    var validating = new BackfillRequestValidator(Set.of("submissions"), Set.of(), declared,
        EventTypeChoice.only(dev.reprise.spi.EventTypes.only()), Clock.fixed(NOW, ZoneOffset.UTC));

    assertThat(validating.problems(request("b", "submissions", "2023-01-01T00:00:00Z", "2023-02-01T00:00:00Z",
        List.of("heavy-parcels", "notify")))).containsExactly(
        "workflow 'heavy-parcels' handles 'shipments' events, not 'submissions'");
  }

  private static dev.reprise.spi.EventType renamed(dev.reprise.spi.EventType type, String name) {
    return (dev.reprise.spi.EventType) java.lang.reflect.Proxy.newProxyInstance(getClassLoader(),
        new Class<?>[] {dev.reprise.spi.EventType.class}, (proxy, method, args) -> method.getName().equals("name")
            ? name : method.invoke(type, args));
  }

  private static ClassLoader getClassLoader() {
    return BackfillRequestValidatorTest.class.getClassLoader();
  }
}
