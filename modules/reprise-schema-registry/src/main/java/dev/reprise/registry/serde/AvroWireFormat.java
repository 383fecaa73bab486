package dev.reprise.registry.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.IdentityHashMap;
import java.util.Map;
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
    return decode(bytes, id, new GenericDatumReader<>(writer, reader), body(bytes, null), writer);
  }

  /** A decoder positioned on the Avro body of {@code bytes}, reusing {@code reuse} if given. */
  private static BinaryDecoder body(byte[] bytes, BinaryDecoder reuse) {
    return DecoderFactory.get().binaryDecoder(bytes, HEADER_SIZE, bytes.length - HEADER_SIZE, reuse);
  }

  private static GenericRecord decode(byte[] bytes, int id, GenericDatumReader<GenericRecord> datumReader,
      BinaryDecoder decoder, Schema writer) {
    GenericRecord record;
    try {
      record = datumReader.read(null, decoder);
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

  /**
   * A decoder for a stream of framed values: {@link #decode(byte[], Schema, Schema)} per value
   * builds a datum reader (which resolves the schemas) every time; this keeps one per writer
   * schema and reuses its binary decoder. For one thread (a Streams task, a verifier's read loop).
   *
   * <pre>{@code
   * AvroWireFormat.Reader reader = AvroWireFormat.reader();
   * GenericRecord record = reader.decode(bytes, registry.schemaById(AvroWireFormat.schemaId(bytes)));
   * }</pre>
   */
  public static Reader reader() {
    return new Reader();
  }

  /** See {@link #reader()}. */
  public static final class Reader {
    /** More writer schemas than any event type has: a registry handing out new instances. */
    private static final int MAX_READERS = 256;
    // Keyed by identity: the registry client hands out one instance per schema id.
    private final Map<Schema, GenericDatumReader<GenericRecord>> readers = new IdentityHashMap<>();
    private BinaryDecoder decoder;

    private Reader() {}

    /** The value decoded with {@code writer}, its own schema; errors as {@link AvroWireFormat#decode}. */
    public GenericRecord decode(byte[] bytes, Schema writer) {
      GenericDatumReader<GenericRecord> datumReader = readers.get(writer);
      if (datumReader == null) {
        if (readers.size() >= MAX_READERS) {
          readers.clear();
        }
        datumReader = new GenericDatumReader<>(writer, writer);
        readers.put(writer, datumReader);
      }
      int id = schemaId(bytes);
      decoder = body(bytes, decoder);
      return AvroWireFormat.decode(bytes, id, datumReader, decoder, writer);
    }
  }
}
