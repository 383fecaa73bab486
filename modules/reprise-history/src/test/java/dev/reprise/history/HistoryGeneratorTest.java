package dev.reprise.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.reprise.history.GeneratedRecord.Kind;
import dev.reprise.spi.upcast.UpcastException;
import dev.reprise.spi.upcast.UpcasterChain;
import dev.reprise.submissions.SubmissionEventType;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class HistoryGeneratorTest {

  private static final HistorySpec SPEC = HistorySpec.builder().events(50_000).seed(7).build();
  private static final HistorySummary SUMMARY = new HistoryGenerator(SPEC).summarize();

  @Test
  void shouldGenerateExactlyTheRequestedNumberOfRecords() {
    assertThat(SUMMARY.records()).isEqualTo(50_000);
    assertThat(new HistoryGenerator(SPEC).dailyCounts()).hasSize(1096);
  }

  @Test
  void shouldBeDeterministicForASeed() {
    List<GeneratedRecord> first = new HistoryGenerator(SPEC).first(2_000);
    List<GeneratedRecord> again = new HistoryGenerator(SPEC).first(2_000);
    List<GeneratedRecord> otherSeed = new HistoryGenerator(HistorySpec.builder().events(50_000).seed(8).build()).first(2_000);

    assertThat(again).isEqualTo(first);
    assertThat(otherSeed).isNotEqualTo(first);
  }

  @Test
  void shouldWriteEachRecordWithTheVersionInUseOnItsDay() {
    for (GeneratedRecord record : new HistoryGenerator(SPEC)) {
      if (record.kind() != Kind.TOMBSTONE) {
        var day = record.writtenOn().atZone(ZoneOffset.UTC).toLocalDate();
        assertThat(record.schemaVersion()).as(record.key()).isEqualTo(SPEC.versionOn(day));
      }
    }
    assertThat(SUMMARY.recordsPerVersion()).containsOnlyKeys(1, 2, 3);
    assertThat(SUMMARY.recordsPerVersion().values()).allSatisfy(n -> assertThat(n).isGreaterThan(2_000));
  }

  @Test
  void shouldContainCorrectionsDeletionsDirtAndCorruptionInTheConfiguredShares() {
    double n = SUMMARY.records();
    assertThat(SUMMARY.revisions() / n).isCloseTo(0.12, within(0.01));
    assertThat(SUMMARY.count(Kind.TOMBSTONE) / n).isCloseTo(0.005, within(0.002));
    assertThat(SUMMARY.count(Kind.MISSING_ZONE)).isPositive();
    assertThat(SUMMARY.count(Kind.UNKNOWN_ZONE)).isPositive();
    assertThat(SUMMARY.count(Kind.UNPARSEABLE_AMOUNT)).isPositive();
    long corrupt = SUMMARY.count(Kind.CORRUPT_TRUNCATED) + SUMMARY.count(Kind.CORRUPT_NOT_AVRO)
        + SUMMARY.count(Kind.CORRUPT_UNKNOWN_SCHEMA_ID);
    assertThat(corrupt / n).isCloseTo(0.001, within(0.0006));
    assertThat(SUMMARY.distinctKeys() + SUMMARY.revisions() + SUMMARY.count(Kind.TOMBSTONE)).isEqualTo(SUMMARY.records());
  }

  @Test
  void shouldMakeWeekendsQuieterThanWeekdays() {
    long[] counts = new HistoryGenerator(SPEC).dailyCounts();
    double weekday = 0;
    double weekend = 0;
    int weekdays = 0;
    int weekendDays = 0;
    for (int d = 0; d < counts.length; d++) {
      DayOfWeek dow = SPEC.from().plusDays(d).getDayOfWeek();
      if (dow == DayOfWeek.SATURDAY || dow == DayOfWeek.SUNDAY) {
        weekend += counts[d];
        weekendDays++;
      } else {
        weekday += counts[d];
        weekdays++;
      }
    }
    assertThat(weekend / weekendDays).isLessThan(0.6 * weekday / weekdays);
  }

  @Test
  void shouldUpcastToItsOwnTruthOrFailForDirtyRecords() {
    UpcasterChain chain = new SubmissionEventType().newChain();
    int checked = 0;
    for (GeneratedRecord record : new HistoryGenerator(SPEC).first(20_000)) {
      if (record.kind().upcasts()) {
        GenericRecord v3 = chain.upcastToLatest(record.value());
        var truth = record.truth();
        assertThat(Instant.ofEpochMilli((Long) v3.get("submittedAt"))).as(record.key()).isEqualTo(truth.submittedAt());
        assertThat(v3.get("amountCents")).as(record.key()).isEqualTo(truth.amountCents());
        assertThat(v3.get("formId").toString()).isEqualTo(truth.formId());
        assertThat(v3.get("tenantId").toString())
            .isEqualTo(truth.tenantId() == null ? SubmissionEventType.DEFAULT_TENANT : truth.tenantId());
        assertThat(v3.get("revision")).isEqualTo(truth.revision());
        checked++;
      } else if (record.kind() == Kind.UNPARSEABLE_AMOUNT || record.kind() == Kind.UNKNOWN_ZONE) {
        assertThatThrownBy(() -> chain.upcastToLatest(record.value())).isInstanceOf(UpcastException.class);
      }
    }
    assertThat(checked).isGreaterThan(15_000);
    assertThat(chain.report().count("default.v1_to_v2.timeZone")).isPositive();
  }

  @Test
  void shouldNameTheInvalidPropertyAtBuild() {
    assertThatThrownBy(() -> HistorySpec.builder().events(0).build()).hasMessageContaining("events");
    assertThatThrownBy(() -> HistorySpec.builder().dirtyShare(1.5).build()).hasMessageContaining("dirtyShare");
    assertThatThrownBy(() -> HistorySpec.builder().from(HistorySpec.DEFAULT_TO).build()).hasMessageContaining("from");
  }
}
