package dev.reprise.registry.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * The Confluent wire format: {@code [0x00][schema id: int32 big-endian][Avro binary]}.
 *
 * <pre>{@code
 * byte[] bytes = AvroWireFormat.encode(42, record);
 * int id = AvroWireFormat.schemaId(bytes);
 * GenericRecord back = AvroWireFormat.decode(bytes, writerSchema, writerSchema);
 * }</pre>
 */
public final class AvroWireFormat {

  /** The first byte of every framed value. */
  public static final byte MAGIC_BYTE = 0x0;
  /** Magic byte plus schema id. */
  public static final int HEADER_SIZE = 5;

  private AvroWireFormat() {}

  /** Frames {@code record}, written with its own schema, under {@code schemaId}. */
  public static byte[] encode(int schemaId, GenericRecord record) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.write(MAGIC_BYTE);
    out.write(schemaId >>> 24);
    out.write(schemaId >>> 16);
    out.write(schemaId >>> 8);
    out.write(schemaId);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    try {
      new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * The schema id in the header of {@code bytes}.
   *
   * @throws MalformedRecordException if the value is shorter than the header or does not start
   *     with the magic byte
   */
  public static int schemaId(byte[] bytes) {
    if (bytes.length < HEADER_SIZE) {
      throw new MalformedRecordException(
          "value has " + bytes.length + " bytes, fewer than the " + HEADER_SIZE
              + "-byte Confluent wire-format header");
    }
    if (bytes[0] != MAGIC_BYTE) {
      throw new MalformedRecordException(
          String.format(
              "value starts with byte 0x%02x, not the Confluent wire-format magic byte 0x00",
              bytes[0] & 0xff));
    }
    return ByteBuffer.wrap(bytes, 1, 4).getInt();
  }

  /**
   * Reads the Avro body of {@code bytes} written with {@code writer}, resolved to {@code reader}.
   *
   * @throws MalformedRecordException if the body is not a complete, valid Avro datum of {@code
   *     writer}, or has bytes left over after it
   */
  public static GenericRecord decode(byte[] bytes, Schema writer, Schema reader) {
    int id = schemaId(bytes);
    BinaryDecoder decoder =
        DecoderFactory.get()
            .binaryDecoder(bytes, HEADER_SIZE, bytes.length - HEADER_SIZE, null);
    GenericRecord record;
    try {
      record = new GenericDatumReader<GenericRecord>(writer, reader).read(null, decoder);
      if (!decoder.isEnd()) {
        throw new MalformedRecordException(
            "value for schema id " + id + " has bytes left over after the Avro record");
      }
    } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException
        | NegativeArraySizeException | ClassCastException e) {
      // Garbage bytes surface as any of these from Avro's decoder, and an over-long length prefix
      // as OutOfMemoryError is prevented by Avro's own max-length checks.
      throw new MalformedRecordException(
          "value is not valid Avro for schema id " + id + " (" + writer.getFullName() + "): " + e,
          e);
    }
    return record;
  }
}
