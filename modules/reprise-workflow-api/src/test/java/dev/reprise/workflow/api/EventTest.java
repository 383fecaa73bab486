package dev.reprise.workflow.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.junit.jupiter.api.Test;

class EventTest {

  @Test
  void shouldRefuseABlankIdentityRatherThanKeyTheDedupStoreByIt() {
    assertThatThrownBy(() -> EventId.of(" ")).isInstanceOf(MissingEventIdentityException.class)
        .hasMessageContaining("missing or blank");
    assertThatThrownBy(() -> EventId.of(null)).isInstanceOf(MissingEventIdentityException.class);
    assertThat(EventId.of("o-1#2").asKey()).isEqualTo("o-1#2");
  }

  @Test
  void shouldHaveTheLogicalDateOfItsOwnTimeInUtcAndReadAbsentFieldsAsNull() {
    var schema = SchemaBuilder.record("Order").fields().requiredString("id").optionalString("region").endRecord();
    var record = new GenericData.Record(schema);
    record.put("id", "o-1");
    var event = new Event(EventId.of("o-1"), "orders", record, Instant.parse("2023-03-14T23:30:00-02:00"),
        Optional.empty());

    assertThat(event.logicalDate()).isEqualTo(LocalDate.parse("2023-03-15"));
    assertThat(event.string("id")).isEqualTo("o-1");
    assertThat(event.string("region")).isNull();
    assertThat(event.get("not-in-the-schema")).isNull();
  }
}
