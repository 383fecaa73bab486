package dev.reprise.registry.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class AvroWireFormatReaderTest {

  private static final Schema A = SchemaBuilder.record("A").fields().requiredString("name").requiredLong("n")
      .endRecord();
  private static final Schema B = SchemaBuilder.record("B").fields().optionalString("note").endRecord();

  @Test
  void decodesAStreamOfValuesOfSeveralSchemasAsTheOneShotDecodeDoes() {
    AvroWireFormat.Reader reader = AvroWireFormat.reader();
    for (int i = 0; i < 1_000; i++) {
      GenericRecord record = i % 3 == 0 ? b(i % 2 == 0 ? null : "note " + i) : a("name-" + i, i);
      byte[] bytes = AvroWireFormat.encode(7, record);
      Schema writer = record.getSchema();

      assertThat(reader.decode(bytes, writer)).isEqualTo(AvroWireFormat.decode(bytes, writer, writer))
          .isEqualTo(record);
    }
  }

  @Test
  void refusesTrailingBytesAndTruncatedValuesLikeTheOneShotDecode() {
    AvroWireFormat.Reader reader = AvroWireFormat.reader();
    byte[] bytes = AvroWireFormat.encode(7, a("x", 1));

    assertThatThrownBy(() -> reader.decode(Arrays.copyOf(bytes, bytes.length + 1), A))
        .isInstanceOf(MalformedRecordException.class).hasMessageContaining("left over");
    assertThatThrownBy(() -> reader.decode(Arrays.copyOf(bytes, bytes.length - 1), A))
        .isInstanceOf(MalformedRecordException.class).hasMessageContaining("not valid Avro");
    assertThat(reader.decode(bytes, A)).as("usable after a failure").isEqualTo(a("x", 1));
  }

  private static GenericRecord a(String name, long n) {
    GenericRecord record = new GenericData.Record(A);
    record.put("name", name);
    record.put("n", n);
    return record;
  }

  private static GenericRecord b(String note) {
    GenericRecord record = new GenericData.Record(B);
    record.put("note", note);
    return record;
  }
}
