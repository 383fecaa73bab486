package dev.reprise.submissions.upcast;

import dev.reprise.spi.upcast.UnsupportedVersionException;
import dev.reprise.spi.upcast.UpcastException;
import dev.reprise.spi.upcast.UpcastReport;
import dev.reprise.spi.upcast.UpcasterChain;
import dev.reprise.submissions.SubmissionEventType;

import static dev.reprise.submissions.SubmissionFixtures.roundTrip;
import static dev.reprise.submissions.SubmissionFixtures.v1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprise.submissions.SubmissionSchemas;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class SubmissionV1ToV2UpcasterTest {

  private final SubmissionV1ToV2Upcaster upcaster = new SubmissionV1ToV2Upcaster(ZoneOffset.UTC);
  private final UpcastReport report = new UpcastReport();

  @Test
  void shouldRenameFormRefAndNormaliseLocalTimeToUtc() {
    GenericRecord v1 = roundTrip(v1("s-1", "2022-07-01T10:15:30", "Europe/Berlin", "12.50"));

    GenericRecord v2 = upcaster.upcast(v1, report);

    assertThat(v2.getSchema()).isEqualTo(SubmissionSchemas.forVersion(2));
    assertThat(v2.get("formId")).isEqualTo("form-7");
    // Berlin is UTC+2 in summer.
    assertThat(Instant.ofEpochMilli((Long) v2.get("submittedAt"))).isEqualTo(Instant.parse("2022-07-01T08:15:30Z"));
    assertThat(v2.get("amount")).isEqualTo("12.50");
    assertThat(v2.get("tenantId")).isNull();
    assertThat(v2.get("submitterEmail")).isNull();
    assertThat(report.count("normalised_to_utc")).isEqualTo(1);
    assertThat(report.count("default.v1_to_v2.timeZone")).isZero();
  }

  @Test
  void shouldAssumeTheConfiguredZoneWhenTheRecordHasNoneAndCountIt() {
    var inNewYork = new SubmissionV1ToV2Upcaster(ZoneId.of("America/New_York"));

    GenericRecord v2 = inNewYork.upcast(roundTrip(v1("s-2", "2022-01-10T23:30:00", null, "1")), report);

    assertThat(Instant.ofEpochMilli((Long) v2.get("submittedAt"))).isEqualTo(Instant.parse("2022-01-11T04:30:00Z"));
    assertThat(report.count("default.v1_to_v2.timeZone")).isEqualTo(1);
  }

  @Test
  void shouldMoveATimeInTheSpringForwardGapByTheGapLength() {
    GenericRecord v2 = upcaster.upcast(roundTrip(v1("s-3", "2022-03-27T02:30:00", "Europe/Berlin", "1")), report);

    // 02:30 does not exist in Berlin that night; it is read as 03:30 CEST.
    assertThat(Instant.ofEpochMilli((Long) v2.get("submittedAt"))).isEqualTo(Instant.parse("2022-03-27T01:30:00Z"));
  }

  @Test
  void shouldFailNamingTheFieldForAnUnknownZone() {
    GenericRecord v1 = roundTrip(v1("s-4", "2022-01-10T10:00:00", "Europe/Atlantis", "1"));

    assertThatThrownBy(() -> upcaster.upcast(v1, report))
        .isInstanceOfSatisfying(UpcastException.class, e -> {
          assertThat(e.field()).isEqualTo("timeZone");
          assertThat(e.value()).isEqualTo("Europe/Atlantis");
          assertThat(e.isRetriable()).isFalse();
        })
        .hasMessageContaining("submission 's-4'")
        .hasMessageContaining("'Europe/Atlantis'");
  }

  @Test
  void shouldFailNamingTheFieldForAnUnparseableLocalTime() {
    GenericRecord v1 = roundTrip(v1("s-5", "10/01/2022 10:00", "UTC", "1"));

    assertThatThrownBy(() -> upcaster.upcast(v1, report))
        .isInstanceOfSatisfying(UpcastException.class, e -> assertThat(e.field()).isEqualTo("submittedAtLocal"));
  }
}
