package dev.reprise.spi.upcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprise.spi.SchemaVersions;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class ResolvingUpcasterTest {

  private static final Schema V1 = SchemaBuilder.record("Order").namespace("example").fields()
      .requiredString("id").requiredInt("quantity").endRecord();
  private static final Schema V2 = SchemaBuilder.record("Order").namespace("example").fields()
      .requiredString("id").requiredLong("quantity").name("note").type().stringType().stringDefault("none")
      .endRecord();
  private static final Schema SEMANTIC = SchemaBuilder.record("Order").namespace("example").fields()
      .requiredString("id").requiredString("quantity").endRecord();

  @Test
  void shouldPromoteAndFillDefaultsWithNoCodeAndCountTheStep() {
    SchemaVersions versions = SchemaVersions.of(List.of(V1, V2));
    UpcasterChain chain = UpcasterChain.of(versions, List.of(Upcaster.resolving(versions, 1)));
    GenericRecord v1 = new GenericData.Record(V1);
    v1.put("id", "o-1");
    v1.put("quantity", 3);

    GenericRecord v2 = chain.upcastToLatest(v1);

    assertThat(v2.getSchema()).isEqualTo(V2);
    assertThat(v2.get("quantity")).isEqualTo(3L);
    assertThat(v2.get("note").toString()).isEqualTo("none");
    assertThat(chain.steps()).containsExactly("Avro schema resolution (v1 -> v2)");
    assertThat(chain.report().snapshot()).containsEntry("records.v1", 1L);
  }

  @Test
  void shouldRefuseAHopThatResolutionCannotDoAndSayWhy() {
    SchemaVersions versions = SchemaVersions.of(List.of(V1, SEMANTIC));

    assertThatThrownBy(() -> Upcaster.resolving(versions, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot read v1 by schema resolution alone, write an upcaster")
        .hasMessageContaining("quantity");
  }

  @Test
  void shouldFailARecordThatDoesNotFitItsOwnSchemaAsAnUpcastFailure() {
    SchemaVersions versions = SchemaVersions.of(List.of(V1, V2));
    GenericRecord broken = new GenericData.Record(V1);
    broken.put("quantity", 3);

    assertThatThrownBy(() -> Upcaster.resolving(versions, 1).upcast(broken, new UpcastReport()))
        .isInstanceOf(UpcastException.class).hasMessageContaining("from v1 to v2");
  }
}
