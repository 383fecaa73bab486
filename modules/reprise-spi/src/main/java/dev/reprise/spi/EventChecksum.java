package dev.reprise.spi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * The checksum of an event, the same wherever it is computed (source, backfill topic, workflow
 * receipts). {@link #canonical}: the first 8 bytes of SHA-256 over its Avro binary in the latest
 * schema, with the entries of its map fields in key order, as 16 hex digits. The key order matters:
 * Avro writes maps in their iteration order, which differs between producers (and between a map
 * read back and the one written), so raw bytes of the same event need not be equal.
 *
 * <p>Sum checksums per day (as unsigned 64-bit numbers, modulo 2^64) for an order-independent
 * checksum of a set of events. Not thread-safe: one instance per thread.
 *
 * <pre>{@code
 * EventChecksum checksum = type.checksum();
 * String sum = checksum.of(upcastToLatest);   // "9f2c4e01a7b3d2c8"
 * }</pre>
 */
public abstract class EventChecksum {

  /** The checksum of {@code event}, a record of the latest schema, as 16 hex digits. */
  public abstract String of(GenericRecord event);

  /** SHA-256 over the canonical Avro binary of {@code latest} records (top-level map fields sorted). */
  public static EventChecksum canonical(Schema latest) {
    return new Canonical(latest);
  }

  private static final class Canonical extends EventChecksum {
    private final GenericDatumWriter<GenericRecord> writer;
    private final int[] mapFields;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);
    private final MessageDigest sha256;
    private BinaryEncoder encoder;

    Canonical(Schema latest) {
      this.writer = new GenericDatumWriter<>(latest);
      this.mapFields = latest.getFields().stream().filter(f -> isMap(f.schema())).mapToInt(Schema.Field::pos).toArray();
      try {
        sha256 = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is missing from this JVM", e);
      }
    }

    private static boolean isMap(Schema schema) {
      return schema.getType() == Schema.Type.MAP
          || schema.getType() == Schema.Type.UNION && schema.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.MAP);
    }

    @Override
    public String of(GenericRecord event) {
      GenericRecord canonical = event;
      for (int field : mapFields) {
        if (event.get(field) instanceof Map<?, ?> map && map.size() > 1) {
          if (canonical == event) {
            canonical = new GenericData.Record((GenericData.Record) event, false);
          }
          TreeMap<String, Object> sorted = new TreeMap<>();
          map.forEach((k, v) -> sorted.put(k.toString(), v));
          canonical.put(field, sorted);
        }
      }
      try {
        buffer.reset();
        encoder = EncoderFactory.get().directBinaryEncoder(buffer, encoder);
        writer.write(canonical, encoder);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return HexFormat.of().formatHex(sha256.digest(buffer.toByteArray()), 0, 8);
    }
  }
}
