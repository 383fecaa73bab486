package dev.reprise.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprise.spi.upcast.UpcasterChain;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class SchemaVersionsTest {

  private static final Schema V1 = SchemaBuilder.record("Order").namespace("x").fields()
      .requiredString("orderId").endRecord();
  private static final Schema V2 = SchemaBuilder.record("Order").namespace("x").fields()
      .requiredString("orderId").requiredLong("placedAt").endRecord();

  @Test
  void shouldRecogniseAWriterSchemaByItsFingerprintWhateverItsDocs() {
    SchemaVersions versions = SchemaVersions.of(List.of(V1, V2));
    Schema fromRegistry = new Schema.Parser().parse(V2.toString().replace("\"fields\"", "\"doc\":\"as registered\",\"fields\""));

    assertThat(versions.versionOf(fromRegistry)).hasValue(2);
    assertThat(versions.versionOf(SchemaBuilder.record("Other").fields().requiredInt("n").endRecord())).isEmpty();
    assertThat(versions.latestVersion()).isEqualTo(2);
    assertThat(versions.latest()).isEqualTo(V2);
  }

  @Test
  void shouldRefuseTwoVersionsThatAreTheSameSchemaAndNameAMissingVersion() {
    assertThatThrownBy(() -> SchemaVersions.of(List.of(V1, V1))).hasMessageContaining("versions 1 and 2 are the same");
    assertThatThrownBy(() -> SchemaVersions.of(List.of(V1)).schema(2)).hasMessageContaining("versions are 1..1");
  }

  @Test
  void shouldRefuseAChainThatDoesNotReachTheLatestVersion() {
    assertThatThrownBy(() -> UpcasterChain.of(SchemaVersions.of(List.of(V1, V2)), List.of()))
        .hasMessageContaining("reaches v1 but the event type has 2 versions");
  }
}
