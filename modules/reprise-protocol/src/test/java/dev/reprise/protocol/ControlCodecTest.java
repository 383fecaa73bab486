package dev.reprise.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprise.protocol.BackfillRequest.EffectsPolicy;
import dev.reprise.protocol.BackfillRequest.Mode;
import dev.reprise.protocol.BackfillStatus.PartitionProgress;
import dev.reprise.protocol.BackfillStatus.UpcastSample;
import dev.reprise.registry.InMemorySchemaRegistryClient;
import dev.reprise.registry.serde.AvroWireFormat;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaIncompatibilityType;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class ControlCodecTest {

  @Test
  void readsIsoDatesOfStatusesWithoutTheGeneralParserAndRefusesInvalidOnes() {
    assertThat(ControlCodec.isoDate(new org.apache.avro.util.Utf8("2023-03-14"))).isEqualTo(LocalDate.of(2023, 3, 14));
    assertThat(ControlCodec.isoDate(new org.apache.avro.util.Utf8("0001-01-01"))).isEqualTo(LocalDate.of(1, 1, 1));
    assertThat(ControlCodec.isoDate(new org.apache.avro.util.Utf8("+10000-01-01"))).isEqualTo(LocalDate.of(10000, 1, 1));
    assertThat(ControlCodec.isoDate("2024-02-29")).isEqualTo(LocalDate.of(2024, 2, 29));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ControlCodec.isoDate(new org.apache.avro.util.Utf8("2023-02-30")))
        .isInstanceOf(java.time.DateTimeException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ControlCodec.isoDate(new org.apache.avro.util.Utf8("2023-0x-14")))
        .isInstanceOf(java.time.format.DateTimeParseException.class);
  }

  private final ControlCodec codec = new ControlCodec(new InMemorySchemaRegistryClient());
  private final BackfillRequest request = new BackfillRequest("b-1", "submissions",
      Instant.parse("2023-01-01T00:00:00Z"), Instant.parse("2023-02-01T00:00:00Z"), Map.of("formId", Set.of("form-2", "form-1"), "tenantId", Set.of("acme")), OptionalInt.of(3), Mode.PREVIEW, List.of("notify"), OptionalDouble.of(250.5),
      EffectsPolicy.ENABLE, Optional.of("alice"), Optional.of("new workflow"));

  @Test
  void shouldRoundTripEveryCommand() {
    assertThat(codec.decodeCommand(codec.encode(ReplayCommand.start(request)))).isEqualTo(ReplayCommand.start(request));
    for (ReplayCommand.Type type : List.of(ReplayCommand.Type.PAUSE, ReplayCommand.Type.RESUME,
        ReplayCommand.Type.CANCEL, ReplayCommand.Type.RETRY)) {
      assertThat(codec.decodeCommand(codec.encode(ReplayCommand.of(type, "b-1")))).isEqualTo(ReplayCommand.of(type, "b-1"));
    }
  }

  @Test
  void shouldRoundTripAnEventTypeAndItsFilters() {
    BackfillRequest orders = request.withEventType("orders").withFilter("region", Set.of("eu", "us"));

    BackfillRequest decoded = codec.decodeCommand(codec.encode(ReplayCommand.start(orders))).request().orElseThrow();

    assertThat(decoded).isEqualTo(orders);
    assertThat(decoded.eventType()).contains("orders");
    assertThat(decoded.filters()).containsOnlyKeys("formId", "region", "tenantId").containsEntry("region", Set.of("eu", "us"));
  }

  @Test
  void shouldReadARequestWrittenBeforeEventTypesAsOneOfTheDefaultTypeWithItsTwoFilters() throws Exception {
    Schema before = new Schema.Parser().parse(getClass().getResourceAsStream(
        "/schemas-before/replay-request-v1-before-event-types.avsc"));
    Schema now = ControlCodec.toAvro(ReplayCommand.start(request)).getSchema();
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(now, before).getType())
        .as("the new schema reads old requests").isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    // A rolling upgrade: an old coordinator reads every new command but VERIFY, which did not exist
    // (it answers that one as unreadable); nothing else differs.
    var oldReadsNew = SchemaCompatibility.checkReaderWriterCompatibility(before, now).getResult();
    assertThat(oldReadsNew.getIncompatibilities()).as("an old coordinator reads new requests but VERIFY")
        .singleElement().satisfies(incompatibility -> {
          assertThat(incompatibility.getType()).isEqualTo(SchemaIncompatibilityType.MISSING_ENUM_SYMBOLS);
          assertThat(incompatibility.getMessage()).isEqualTo("[VERIFY]");
        });
    GenericRecord newStartReadByOld = AvroWireFormat.decode(AvroWireFormat.encode(1, ControlCodec.toAvro(
        ReplayCommand.start(request.withRequester(Optional.of("growth"))))), now, before);
    assertThat(newStartReadByOld.get("backfillId").toString()).isEqualTo(request.backfillId());

    var registry = new InMemorySchemaRegistryClient();
    int oldId = registry.register("reprise.requests-value", before);
    GenericRecord old = new GenericData.Record(before);
    old.put("backfillId", "b-old");
    old.put("command", new GenericData.EnumSymbol(before.getField("command").schema(), "START"));
    old.put("sourceTopic", "submissions");
    old.put("from", 1_672_531_200_000L);
    old.put("to", 1_675_209_600_000L);
    old.put("formIds", List.of("form-1"));
    old.put("tenantIds", List.of("acme", "globex"));
    old.put("mode", new GenericData.EnumSymbol(before.getField("mode").schema(), "EXECUTE"));
    old.put("workflows", List.of());
    old.put("effectsPolicy", new GenericData.EnumSymbol(before.getField("effectsPolicy").schema(), "SUPPRESS"));
    old.put("handoverWorkflows", List.of());

    BackfillRequest decoded = new ControlCodec(registry).decodeCommand(AvroWireFormat.encode(oldId, old)).request()
        .orElseThrow();

    assertThat(decoded.eventType()).as("the coordinator's default decides").isEmpty();
    assertThat(decoded.filters()).isEqualTo(Map.of("formId", Set.of("form-1"), "tenantId", Set.of("acme", "globex")));
  }

  @Test
  void shouldRoundTripAHandoverWithoutRangeBounds() {
    BackfillRequest handover = BackfillRequest.handover("onboard-notify", "submissions", "notify", null,
        EffectsPolicy.SUPPRESS, Optional.of("alice"));

    BackfillRequest decoded = codec.decodeCommand(codec.encode(ReplayCommand.start(handover))).request().orElseThrow();

    assertThat(decoded).isEqualTo(handover);
    assertThat(decoded.handoverWorkflows()).containsExactly("notify");
    assertThat(decoded.workflows()).as("a handover workflow consumes the backfill").containsExactly("notify");
    assertThat(decoded.from()).isNull();
    assertThat(decoded.to()).isNull();
    assertThat(decoded.fromMillis()).isEqualTo(Long.MIN_VALUE);
    assertThat(decoded.toMillis()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void shouldRoundTripARetryOfNamedDeadLettersAndRefuseItemsThatNameNone() {
    var some = ReplayCommand.retry("b-1", List.of("0@12", "2@3")).withRequestedBy("alice");
    var all = ReplayCommand.retry("b-1", List.of());
    assertThat(codec.decodeCommand(codec.encode(some))).isEqualTo(some);
    assertThat(codec.decodeCommand(codec.encode(all)).retryItems()).isEmpty();
    var workflows = ReplayCommand.retry("b-1", "notify", List.of("3@9")).withRequestedBy("bob (dashboard)");
    assertThat(codec.decodeCommand(codec.encode(workflows))).isEqualTo(workflows);
    assertThat(codec.decodeCommand(codec.encode(all)).retryWorkflow()).isEmpty();
    assertThatThrownBy(() -> ReplayCommand.retry("b-1", List.of("12")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'12' is not PARTITION@OFFSET");
    assertThatThrownBy(() -> new ReplayCommand("b-1", ReplayCommand.Type.PAUSE, Optional.empty(),
        java.util.OptionalDouble.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of("0@1"),
        Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only a RETRY");
  }

  @Test
  void shouldRoundTripAThrottleWithAndWithoutRate() {
    var limit = ReplayCommand.throttle("b-1", java.util.OptionalDouble.of(250));
    var lift = ReplayCommand.throttle("b-1", java.util.OptionalDouble.empty());
    assertThat(codec.decodeCommand(codec.encode(limit))).isEqualTo(limit);
    assertThat(codec.decodeCommand(codec.encode(lift))).isEqualTo(lift);
  }

  @Test
  void shouldRoundTripAFullStatus() {
    var days = new TreeMap<LocalDate, Long>(Map.of(LocalDate.parse("2023-01-02"), 5L));
    var status = new BackfillStatus("b-1", BackfillState.RUNNING, Optional.of("retrying"), Optional.of(request),
        Optional.of("coordinator-1"), Map.of(BackfillCounters.SCANNED, 10L), List.of(new PartitionProgress(0, 0, 20, 10)),
        days, 12.5, OptionalLong.of(3), Map.of("records.v1", 4L), List.of(new UpcastSample(0, 3, 1, "{}", "{}")),
        Optional.of("PAUSE refused"), Optional.of(Instant.parse("2026-11-21T08:00:00Z")),
        Optional.of(new BackfillThrottle(250, "THROTTLED", "in-flight 4,100 >= 80% of cap 5,000", OptionalLong.of(4100),
            5000)),
        OptionalLong.of(42), List.of(LocalDate.parse("2023-01-05")), List.of("1@7", "2@0"),
        Instant.parse("2026-11-21T08:00:01Z"));

    assertThat(codec.decodeStatus(codec.encode(status))).usingRecursiveComparison().isEqualTo(status);
  }

  @Test
  void shouldReadARequestWithOnlyTheRequiredFieldsUsingTheSchemaDefaults() {
    var bare = BackfillStatus.of("b-2", BackfillState.REJECTED, Optional.of("missing field 'from'"), Optional.empty(),
        Optional.empty(), Instant.parse("2026-11-21T08:00:00Z"));

    var decoded = codec.decodeStatus(codec.encode(bare));

    assertThat(decoded.request()).isEmpty();
    assertThat(decoded.progress()).isZero();
    assertThat(decoded.toString()).contains("b-2 REJECTED (missing field 'from')");
  }

  @Test
  void shouldRoundTripAVerifyCommandWithItsOutcomeAndTheEstablishedRequester() {
    ReplayCommand verify = ReplayCommand.verify("b-7", new ReplayCommand.Verification(Optional.of("2 days differ"),
        List.of(LocalDate.parse("2024-03-01"), LocalDate.parse("2024-03-02")))).withRequester(Optional.of("qa"))
        .withRequestedBy("carol");

    ReplayCommand decoded = codec.decodeCommand(codec.encode(verify));

    assertThat(decoded).isEqualTo(verify);
    assertThat(decoded.verification().orElseThrow().verdict()).isEqualTo(BackfillState.VERIFICATION_FAILED);
    assertThat(decoded.requester()).contains("qa");
    assertThat(decoded.requestedBy()).contains("carol");
  }

  @Test
  void shouldCarryTheRequesterOfAStartInItsRequestAndClearItWhenNoneIsEstablished() {
    ReplayCommand sent = ReplayCommand.start(request.withRequester(Optional.of("mallory-says-growth")));

    ReplayCommand asEstablished = codec.decodeCommand(codec.encode(sent)).withRequester(Optional.empty());

    assertThat(asEstablished.requester()).isEmpty();
    assertThat(asEstablished.request().orElseThrow().requester()).as("the sender's say is not kept").isEmpty();
    assertThat(codec.decodeCommand(codec.encode(sent.withRequester(Optional.of("growth")))).request().orElseThrow()
        .requester()).contains("growth");
  }

  @Test
  void shouldRoundTripAuditEntriesOfEveryKind() {
    Instant at = Instant.parse("2026-12-02T03:00:00Z");
    List<AuditEntry> entries = List.of(
        AuditEntry.command(at, "b-1", "PAUSE", Optional.of("ops"), Optional.of("alice"), "REFUSED",
            Optional.of("not theirs"), "c-1",
            Optional.of("reprise.requests.ops-3@12")),
        AuditEntry.transition(at, "b-1", Optional.of(BackfillState.RUNNING), BackfillState.PAUSED, Optional.empty(), "c-1"),
        AuditEntry.policy(at, "LOADED", "policy.yaml: teams [ops]", "c-1"));

    for (AuditEntry entry : entries) {
      assertThat(codec.decodeAudit(codec.encode(entry))).isEqualTo(entry);
    }
    assertThat(entries.get(0).describe()).isEqualTo("2026-12-02T03:00:00Z  b-1  PAUSE by ops for alice: REFUSED (not theirs)"
        + "  [c-1, reprise.requests.ops-3@12]");
    assertThat(entries.get(1).describe()).contains("RUNNING -> PAUSED");
  }
}
