package dev.reprise.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprise.submissions.SubmissionFixtures;
import dev.reprise.submissions.SubmissionEventType;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.junit.jupiter.api.Test;

class EventIdTest {

  @Test
  void shouldBeTheSameForARecordAndItsUpcastButNotForACorrection() {
    var v2 = SubmissionFixtures.v2("s-1", 1_700_000_000_000L, "1.00", "acme", null);
    var v3 = new SubmissionEventType().newChain().upcastToLatest(SubmissionFixtures.roundTrip(v2));
    var correction = SubmissionFixtures.v2("s-1", 1_700_000_000_000L, "1.00", "acme", null);
    correction.put("revision", 2);

    assertThat(EventId.of(v3)).isEqualTo(EventId.of(v2)).hasToString("s-1#1");
    assertThat(EventId.of(correction)).isNotEqualTo(EventId.of(v2));
  }

  @Test
  void shouldRefuseRecordsWithoutIdentityRatherThanGuess() {
    var other = new GenericData.Record(SchemaBuilder.record("Invoice").fields().requiredString("id").endRecord());
    other.put("id", "i-1");
    var blank = SubmissionFixtures.v2(" ", 1L, "1.00", null, null);

    assertThatThrownBy(() -> EventId.of(other)).isInstanceOf(MissingEventIdentityException.class)
        .hasMessageContaining("no int revision");
    assertThatThrownBy(() -> EventId.of(blank)).isInstanceOf(MissingEventIdentityException.class)
        .hasMessageContaining("submissionId is missing or blank");
  }
}
