package dev.reprise.registry.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprise.registry.InMemorySchemaRegistryClient;
import dev.reprise.registry.UnknownSchemaIdException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class RegistryAvroSerdeTest {

  private static final Schema SCHEMA = SchemaBuilder.record("Thing").namespace("t").fields()
      .requiredString("name").requiredLong("count").endRecord();

  private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
  private final RegistryAvroSerializer serializer = new RegistryAvroSerializer(registry);
  private final RegistryAvroDeserializer deserializer = new RegistryAvroDeserializer(registry);

  private static GenericRecord thing(String name, long count) {
    GenericRecord record = new GenericData.Record(SCHEMA);
    record.put("name", name);
    record.put("count", count);
    return record;
  }

  @Test
  void shouldWriteTheConfluentWireFormat() {
    byte[] bytes = serializer.serialize("things", thing("a", 1));

    int id = registry.idOf("things-value", SCHEMA);
    assertThat(bytes[0]).isEqualTo((byte) 0);
    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
    // Avro binary of {"a", 1}: string length 1 zig-zag (2), 'a', long 1 zig-zag (2).
    assertThat(Arrays.copyOfRange(bytes, 5, bytes.length)).containsExactly(2, 'a', 2);
  }

  @Test
  void shouldReadBackWhatItWroteWithTheWriterSchema() {
    GenericRecord back = deserializer.deserialize("things", serializer.serialize("things", thing("b", 42)));

    assertThat(back.getSchema()).isEqualTo(SCHEMA);
    assertThat(back.get("name").toString()).isEqualTo("b");
    assertThat(back.get("count")).isEqualTo(42L);
  }

  @Test
  void shouldRegisterUnderTheKeySubjectForKeys() {
    serializer.configure(Map.of(), true);
    serializer.serialize("things", thing("k", 0));

    assertThat(registry.idOf("things-key", SCHEMA)).isPositive();
  }

  @Test
  void shouldOnlyLookUpWhenAutoRegisterIsOff() {
    serializer.configure(Map.of(RegistryAvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG, "false"), false);

    assertThatThrownBy(() -> serializer.serialize("things", thing("x", 1)))
        .hasMessageContaining("not registered under subject 'things-value'");
  }

  @Test
  void shouldMapTombstonesToNull() {
    assertThat(serializer.serialize("things", null)).isNull();
    assertThat(deserializer.deserialize("things", null)).isNull();
  }

  @Test
  void shouldRejectBytesWithoutTheMagicByte() {
    byte[] json = "{\"name\":\"a\"}".getBytes();

    assertThatThrownBy(() -> deserializer.deserialize("things", json))
        .isInstanceOf(MalformedRecordException.class)
        .hasMessageContaining("0x7b");
  }

  @Test
  void shouldRejectATruncatedBody() {
    byte[] bytes = serializer.serialize("things", thing("a long enough name", 1));
    byte[] truncated = Arrays.copyOf(bytes, bytes.length - 6);

    assertThatThrownBy(() -> deserializer.deserialize("things", truncated))
        .isInstanceOf(MalformedRecordException.class)
        .hasMessageContaining("not valid Avro");
  }

  @Test
  void shouldRejectBytesLeftOverAfterTheRecord() {
    byte[] bytes = serializer.serialize("things", thing("a", 1));
    byte[] padded = Arrays.copyOf(bytes, bytes.length + 3);

    assertThatThrownBy(() -> deserializer.deserialize("things", padded))
        .isInstanceOf(MalformedRecordException.class)
        .hasMessageContaining("left over");
  }

  @Test
  void shouldReportAnUnknownSchemaIdAsSuch() {
    byte[] bytes = serializer.serialize("things", thing("a", 1));
    ByteBuffer.wrap(bytes).putInt(1, 4711);

    assertThatThrownBy(() -> deserializer.deserialize("things", bytes))
        .isInstanceOfSatisfying(UnknownSchemaIdException.class, e -> assertThat(e.schemaId()).isEqualTo(4711));
  }

  @Test
  void shouldNameTheMissingUrlWhenConfiguredByClassName() {
    assertThatThrownBy(() -> new RegistryAvroDeserializer().configure(Map.of(), false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("schema.registry.url");
  }
}
