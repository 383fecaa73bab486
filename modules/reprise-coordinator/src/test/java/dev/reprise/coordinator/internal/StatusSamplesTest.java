package dev.reprise.coordinator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class StatusSamplesTest {

  private static final Schema SCHEMA = SchemaBuilder.record("Submission").fields()
      .requiredString("formId").requiredString("submitterEmail").requiredLong("submittedAt").endRecord();

  private static GenericRecord record() {
    GenericRecord record = new GenericData.Record(SCHEMA);
    record.put("formId", "form-\"7\"");
    record.put("submitterEmail", "alice@example.com");
    record.put("submittedAt", 1_700_000_000_000L);
    return record;
  }

  @Test
  void shouldShowEveryFieldByDefaultOnlyTheNamedOnesOrNoSampleAtAll() {
    assertThat(StatusSamples.ALL.enabled()).isTrue();
    assertThat(StatusSamples.ALL.show(record())).contains("alice@example.com");

    StatusSamples named = new StatusSamples(Optional.of(Set.of("formId", "submittedAt")));
    assertThat(named.show(record())).isEqualTo("{\"formId\": \"form-\\\"7\\\"\", \"submittedAt\": 1700000000000}")
        .doesNotContain("alice");

    assertThat(new StatusSamples(Optional.of(Set.of()))).satisfies(none -> assertThat(none.enabled()).isFalse());
  }
}
