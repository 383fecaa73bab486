package dev.reprise.submissions.upcast;

import dev.reprise.spi.upcast.UnsupportedVersionException;
import dev.reprise.spi.upcast.UpcastException;
import dev.reprise.spi.upcast.UpcastReport;
import dev.reprise.spi.upcast.UpcasterChain;
import dev.reprise.submissions.SubmissionEventType;

import static dev.reprise.submissions.SubmissionFixtures.roundTrip;
import static dev.reprise.submissions.SubmissionFixtures.v1;
import static dev.reprise.submissions.SubmissionFixtures.v2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprise.submissions.SubmissionSchemas;
import java.time.Instant;
import java.util.List;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class UpcasterChainTest {

  private final UpcasterChain chain = SubmissionEventType.builder().defaultTenant("legacy").build().newChain();

  @Test
  void shouldTakeAV1RecordAllTheWayToV3() {
    GenericRecord v3 = chain.upcastToLatest(roundTrip(v1("s-1", "2021-12-31T23:30:00", "America/New_York", "7.5")));

    assertThat(v3.getSchema()).isEqualTo(SubmissionSchemas.latest());
    // New Year's Eve in New York is already 2022 in UTC: the record moves to the next day.
    assertThat(Instant.ofEpochMilli((Long) v3.get("submittedAt"))).isEqualTo(Instant.parse("2022-01-01T04:30:00Z"));
    assertThat(v3.get("amountCents")).isEqualTo(750L);
    assertThat(v3.get("tenantId")).isEqualTo("legacy");
    assertThat(v3.get("formId")).isEqualTo("form-7");
    assertThat(chain.report().snapshot()).containsEntry("records.v1", 1L)
        .containsEntry("upcast.v1_to_v2", 1L)
        .containsEntry("upcast.v2_to_v3", 1L)
        .containsEntry("default.v2_to_v3.tenantId", 1L)
        .containsEntry("normalised_to_utc", 1L);
  }

  @Test
  void shouldStopAtAnIntermediateTarget() {
    GenericRecord v2 = chain.upcast(roundTrip(v1("s-2", "2022-01-01T00:00:00", "UTC", "1")), 2);

    assertThat(v2.getSchema()).isEqualTo(SubmissionSchemas.forVersion(2));
    assertThat(chain.report().count("upcast.v2_to_v3")).isZero();
  }

  @Test
  void shouldReturnARecordAlreadyAtTheTargetUnchanged() {
    GenericRecord v3 = chain.upcastToLatest(roundTrip(v2("s-3", 5L, "1", "t", null)));

    assertThat(chain.upcastToLatest(v3)).isSameAs(v3);
    assertThat(chain.report().count("records.v3")).isEqualTo(1);
  }

  @Test
  void shouldCountAndRethrowAFailedStep() {
    GenericRecord dirty = roundTrip(v1("s-4", "2022-01-01T00:00:00", "UTC", "12,50"));

    assertThatThrownBy(() -> chain.upcastToLatest(dirty)).isInstanceOf(UpcastException.class);
    assertThat(chain.report().count("failed.v2_to_v3.amount")).isEqualTo(1);
    assertThat(chain.report().count("upcast.v1_to_v2")).isEqualTo(1);
    assertThat(chain.report().failures()).isEqualTo(1);
  }

  @Test
  void shouldRefuseToDowncast() {
    GenericRecord v2 = roundTrip(v2("s-5", 0L, "1", "t", null));

    assertThatThrownBy(() -> chain.upcast(v2, 1))
        .isInstanceOf(UnsupportedVersionException.class)
        .hasMessageContaining("never downcast");
  }

  @Test
  void shouldRefuseARecordOfAnUnknownSchema() {
    var schema = SchemaBuilder.record("Other").fields().requiredString("submissionId").endRecord();
    GenericRecord other = new GenericData.Record(schema);
    other.put("submissionId", "x");

    assertThatThrownBy(() -> chain.upcastToLatest(other))
        .isInstanceOf(UnsupportedVersionException.class)
        .hasMessageContaining("is not a known version");
    assertThat(chain.report().count("failed.unsupported_version")).isEqualTo(1);
  }

  @Test
  void shouldRejectAChainWithAGap() {
    assertThatThrownBy(() -> UpcasterChain.of(new SubmissionEventType().versions(), List.of(new SubmissionV2ToV3Upcaster("t"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a step from v1");
  }

  @Test
  void shouldNameTheWrongPropertyAtBuild() {
    assertThatThrownBy(() -> SubmissionEventType.builder().defaultTenant(" ").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("defaultTenant");
  }
}
