package dev.reprise.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprise.registry.InMemorySchemaRegistryClient;
import dev.reprise.registry.SchemaRegistryClient;
import dev.reprise.registry.SchemaRegistryUnavailableException;
import dev.reprise.registry.serde.AvroWireFormat;
import dev.reprise.submissions.SubmissionFixtures;
import dev.reprise.submissions.SubmissionSchemas;
import dev.reprise.submissions.SubmissionEventType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class EventReplayerTest {

  private static final Instant FROM = Instant.parse("2023-03-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2023-04-01T00:00:00Z");

  private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
  private final int v1 = registry.register("s-value", SubmissionSchemas.forVersion(1));
  private final int v2 = registry.register("s-value", SubmissionSchemas.forVersion(2));
  private final int v3 = registry.register("s-value", SubmissionSchemas.forVersion(3));

  private EventReplayer replayer(Set<String> forms, Set<String> tenants, int target) {
    return replayer(registry, forms, tenants, target);
  }

  private EventReplayer replayer(SchemaRegistryClient registry, Set<String> forms, Set<String> tenants, int target) {
    return new EventReplayer(registry, new SubmissionEventType(), new EventFilter(FROM.toEpochMilli(), TO.toEpochMilli(),
        Map.of(SubmissionEventType.FORM_ID, forms, SubmissionEventType.TENANT_ID, tenants)), target, target == 3 ? v3 : v2);
  }

  @Test
  void shouldUpcastAV1RecordInRangeAndFrameItWithTheTargetSchema() {
    byte[] value = AvroWireFormat.encode(v1, v1Record("s-1", "2023-03-14T09:26:53", "Europe/Berlin", "12.50"));

    var outcome = replayer(Set.of(), Set.of(), 3).process(value);

    assertThat(outcome).isInstanceOf(EventReplayer.Matched.class);
    var matched = (EventReplayer.Matched) outcome;
    assertThat(matched.sourceVersion()).isEqualTo(1);
    assertThat(matched.eventTimeMillis()).isEqualTo(Instant.parse("2023-03-14T08:26:53Z").toEpochMilli());
    assertThat(AvroWireFormat.schemaId(matched.value())).isEqualTo(v3);
    GenericRecord decoded = AvroWireFormat.decode(matched.value(), SubmissionSchemas.forVersion(3), SubmissionSchemas.forVersion(3));
    assertThat(decoded.get("amountCents")).isEqualTo(1250L);
    assertThat(decoded.get("tenantId").toString()).isEqualTo("default");
  }

  @Test
  void shouldFilterOnTheUpcastUtcTimeNotTheLocalOne() {
    // 2023-04-01T01:30 in Berlin is 2023-03-31T23:30Z: inside a range ending at 2023-04-01T00:00Z.
    byte[] inside = AvroWireFormat.encode(v1, v1Record("s-1", "2023-04-01T01:30:00", "Europe/Berlin", "1.00"));
    // 2023-03-01T00:30 in Berlin is 2023-02-28T23:30Z: before the range.
    byte[] before = AvroWireFormat.encode(v1, v1Record("s-2", "2023-03-01T00:30:00", "Europe/Berlin", "1.00"));
    var replayer = replayer(Set.of(), Set.of(), 3);

    assertThat(replayer.process(inside)).isInstanceOf(EventReplayer.Matched.class);
    assertThat(replayer.process(before)).isInstanceOf(EventReplayer.FilteredOut.class);
  }

  @Test
  void shouldFilterOnFormAndOnTheDefaultTenantOfRecordsWithoutOne() {
    byte[] noTenant = AvroWireFormat.encode(v2, v2Record("s-1", FROM.plusSeconds(60), "3.00", null));
    byte[] acme = AvroWireFormat.encode(v2, v2Record("s-2", FROM.plusSeconds(60), "3.00", "acme"));

    assertThat(replayer(Set.of(), Set.of("default"), 3).process(noTenant)).isInstanceOf(EventReplayer.Matched.class);
    assertThat(replayer(Set.of(), Set.of("default"), 3).process(acme)).isInstanceOf(EventReplayer.FilteredOut.class);
    assertThat(replayer(Set.of("form-8"), Set.of(), 3).process(acme)).isInstanceOf(EventReplayer.Matched.class);
    assertThat(replayer(Set.of("form-9"), Set.of(), 3).process(acme)).isInstanceOf(EventReplayer.FilteredOut.class);
  }

  @Test
  void shouldCountTombstonesAndDeadLetterUnreadableBytesByStage() {
    byte[] valid = AvroWireFormat.encode(v2, v2Record("s-1", FROM.plusSeconds(1), "3.00", "acme"));
    var replayer = replayer(Set.of(), Set.of(), 3);

    assertThat(replayer.process(null)).isInstanceOf(EventReplayer.Tombstone.class);
    assertThat(replayer.process("not avro".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(EventReplayer.DeadLetter.class, d -> assertThat(d.stage()).isEqualTo("decode"));
    assertThat(replayer.process(Arrays.copyOf(valid, 12)))
        .isInstanceOfSatisfying(EventReplayer.DeadLetter.class, d -> assertThat(d.stage()).isEqualTo("decode"));
    byte[] unknownId = valid.clone();
    unknownId[4] = 99;
    assertThat(replayer.process(unknownId))
        .isInstanceOfSatisfying(EventReplayer.DeadLetter.class, d -> assertThat(d.stage()).isEqualTo("schema"));
    Schema other = SchemaBuilder.record("Invoice").fields().requiredString("id").endRecord();
    GenericRecord invoice = new GenericData.Record(other);
    invoice.put("id", "i-1");
    assertThat(replayer.process(AvroWireFormat.encode(registry.register("i-value", other), invoice)))
        .isInstanceOfSatisfying(EventReplayer.DeadLetter.class, d -> assertThat(d.stage()).isEqualTo("schema"));
  }

  @Test
  void shouldDeadLetterAnUnupcastableRecordOnlyIfItMightBeInRange() {
    var replayer = replayer(Set.of(), Set.of(), 3);
    byte[] badAmountInRange = AvroWireFormat.encode(v2, v2Record("s-1", FROM.plusSeconds(60), "12,50", null));
    byte[] badAmountOutside = AvroWireFormat.encode(v2, v2Record("s-2", TO.plusSeconds(60), "12,50", null));
    // Unknown zone: the time is only known within ±18 h of the local time.
    byte[] badZoneNearStart = AvroWireFormat.encode(v1, v1Record("s-3", "2023-02-28T12:00:00", "Mars/Olympus", "1.00"));
    byte[] badZoneFarBefore = AvroWireFormat.encode(v1, v1Record("s-4", "2023-02-27T12:00:00", "Mars/Olympus", "1.00"));

    assertThat(replayer.process(badAmountInRange))
        .isInstanceOfSatisfying(EventReplayer.DeadLetter.class, d -> assertThat(d.stage()).isEqualTo("upcast"));
    assertThat(replayer.process(badAmountOutside)).isInstanceOf(EventReplayer.FilteredOut.class);
    assertThat(replayer.process(badZoneNearStart)).isInstanceOf(EventReplayer.DeadLetter.class);
    assertThat(replayer.process(badZoneFarBefore)).isInstanceOf(EventReplayer.FilteredOut.class);
  }

  @Test
  void shouldNeverDowncastButDeadLetterNewerRecordsInRange() {
    GenericRecord newer = new GenericData.Record(SubmissionSchemas.forVersion(3));
    newer.put("submissionId", "s-1");
    newer.put("revision", 0);
    newer.put("tenantId", "acme");
    newer.put("formId", "form-1");
    newer.put("submittedAt", FROM.plusSeconds(5).toEpochMilli());
    newer.put("amountCents", 100L);
    newer.put("currency", "EUR");
    newer.put("submitterEmail", null);
    newer.put("status", new GenericData.EnumSymbol(SubmissionSchemas.forVersion(3).getField("status").schema(), "ACCEPTED"));
    newer.put("answers", Map.of());

    assertThat(replayer(Set.of(), Set.of(), 2).process(AvroWireFormat.encode(v3, newer)))
        .isInstanceOfSatisfying(EventReplayer.DeadLetter.class,
            d -> assertThat(d.error()).hasMessageContaining("never downcast"));
  }

  @Test
  void shouldThrowRatherThanDeadLetterWhenTheRegistryIsDown() {
    SchemaRegistryClient down = new SchemaRegistryClient() {
      @Override public int register(String subject, Schema schema) { throw unavailable(); }
      @Override public int idOf(String subject, Schema schema) { throw unavailable(); }
      @Override public Schema schemaById(int id) { throw unavailable(); }
      @Override public void setCompatibility(String subject, String level) { throw unavailable(); }
      @Override public void close() {}
      private SchemaRegistryUnavailableException unavailable() {
        return new SchemaRegistryUnavailableException("registry down", null);
      }
    };
    byte[] value = AvroWireFormat.encode(v2, v2Record("s-1", FROM.plusSeconds(60), "3.00", null));

    assertThatThrownBy(() -> replayer(down, Set.of(), Set.of(), 3).process(value))
        .isInstanceOf(SchemaRegistryUnavailableException.class);
  }

  @Test
  void shouldHandOverEvolutionCountersOnceAndStartAfresh() {
    var replayer = replayer(Set.of(), Set.of(), 3);
    replayer.process(AvroWireFormat.encode(v1, v1Record("s-1", "2023-03-14T09:26:53", null, "1.00")));

    assertThat(replayer.takeEvolution()).containsEntry("records.v1", 1L).containsEntry("upcast.v1_to_v2", 1L)
        .containsEntry("default.v1_to_v2.timeZone", 1L);
    assertThat(replayer.takeEvolution()).isEmpty();
  }

  /** A v1 submission of form-7, as its old writer produced it. */
  private static GenericRecord v1Record(String id, String local, String zone, String amount) {
    return SubmissionFixtures.v1(id, local, zone, amount);
  }

  /** A v2 submission of form-8 without e-mail. */
  private static GenericRecord v2Record(String id, Instant submittedAt, String amount, String tenant) {
    return SubmissionFixtures.v2(id, submittedAt.toEpochMilli(), amount, tenant, null);
  }
}
