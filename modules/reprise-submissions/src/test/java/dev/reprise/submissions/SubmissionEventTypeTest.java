package dev.reprise.submissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprise.spi.EventChecksum;
import dev.reprise.spi.EventWindow;
import dev.reprise.spi.testkit.UpcastFixtures;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class SubmissionEventTypeTest {

  private final SubmissionEventType type = new SubmissionEventType();
  private final EventChecksum checksum = type.checksum();

  private static GenericRecord v3(Map<String, String> answers, long amountCents) {
    return SubmissionFixtures.v3("s-1", 0, amountCents, answers);
  }

  @Test
  void shouldNotDependOnTheOrderOfMapEntriesNorOnStringRepresentations() {
    Map<String, String> forward = new LinkedHashMap<>();
    forward.put("q1", "a");
    forward.put("q2", "b");
    forward.put("q3", "c");
    Map<String, String> backward = new LinkedHashMap<>();
    backward.put("q3", "c");
    backward.put("q2", "b");
    backward.put("q1", "a");

    String expected = checksum.of(v3(forward, 1250));
    assertThat(checksum.of(v3(backward, 1250))).isEqualTo(expected);
    // Read back from bytes: Utf8 strings and a HashMap in whatever order.
    assertThat(checksum.of(SubmissionFixtures.roundTrip(v3(backward, 1250)))).isEqualTo(expected);
    assertThat(expected).matches("[0-9a-f]{16}");
  }

  @Test
  void shouldDifferWhenTheEventDiffers() {
    Map<String, String> answers = Map.of("q1", "a", "q2", "b");
    assertThat(checksum.of(v3(answers, 1250))).isNotEqualTo(checksum.of(v3(answers, 1251)));
    assertThat(checksum.of(v3(answers, 1250))).isNotEqualTo(checksum.of(v3(Map.of("q1", "a", "q2", "c"), 1250)));
  }

  @Test
  void shouldNameTheEventBySubmissionAndRevisionAndFilterOldRecordsAsTheDefaultTenant() {
    GenericRecord v3 = v3(Map.of(), 1250);
    assertThat(type.eventId(v3)).isEqualTo("s-1#0");
    assertThat(type.attributes(v3)).containsEntry(SubmissionEventType.FORM_ID, v3.get("formId").toString());

    GenericRecord v2 = SubmissionFixtures.v2("s-2", 1_672_531_200_000L, "12.50", null, null);
    assertThat(type.attributes(v2)).as("no tenant before v3: the default one, as the upcaster sets it")
        .containsEntry(SubmissionEventType.TENANT_ID, SubmissionEventType.DEFAULT_TENANT);
    assertThat(SubmissionEventType.builder().defaultTenant("acme").build().attributes(v2))
        .containsEntry(SubmissionEventType.TENANT_ID, "acme");
  }

  @Test
  void shouldMatchTheGoldenFixturesOfEveryHop() {
    assertThat(UpcastFixtures.check(type, Path.of("src/test/resources/upcast-fixtures"))).isEqualTo(4);
  }

  @Test
  void shouldGiveARecordAndItsUpcastOneIdentityButACorrectionANewOne() {
    var v2 = SubmissionFixtures.v2("s-1", 1_700_000_000_000L, "1.00", "acme", null);
    var v3 = type.newChain().upcastToLatest(SubmissionFixtures.roundTrip(v2));
    var correction = SubmissionFixtures.v2("s-1", 1_700_000_000_000L, "1.00", "acme", null);
    correction.put("revision", 2);

    assertThat(type.eventId(v3)).isEqualTo(type.eventId(v2)).isEqualTo("s-1#1");
    assertThat(type.eventId(correction)).isNotEqualTo(type.eventId(v2));
  }

  @Test
  void shouldRefuseARecordWithoutIdentityRatherThanGuess() {
    var blank = SubmissionFixtures.v2(" ", 1L, "1.00", null, null);
    var noRevision = SubmissionFixtures.v2("s-1", 1L, "1.00", null, null);
    noRevision.put("revision", null);

    assertThatThrownBy(() -> type.eventId(blank)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("submissionId is missing or blank");
    assertThatThrownBy(() -> type.eventId(noRevision)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no int revision");
  }

  @Test
  void shouldPlaceAV1RecordThatCannotBeUpcastWithinEighteenHoursOfItsLocalTime() {
    GenericRecord v1 = SubmissionFixtures.v1("s-3", "2022-03-14T09:26:53", "Europe/Atlantis", "12.50");
    EventWindow window = type.windowOf(v1, 1);
    long local = java.time.LocalDateTime.parse("2022-03-14T09:26:53").toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
    assertThat(window.earliestMillis()).isEqualTo(local - java.time.Duration.ofHours(18).toMillis());
    assertThat(window.latestMillis()).isEqualTo(local + java.time.Duration.ofHours(18).toMillis());
    assertThat(window.attributes()).containsEntry(SubmissionEventType.TENANT_ID, SubmissionEventType.DEFAULT_TENANT);
  }
}
