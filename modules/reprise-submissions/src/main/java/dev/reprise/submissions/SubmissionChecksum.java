package dev.reprise.submissions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * The checksum of a submission event, the same wherever it is computed (source, backfill topic,
 * workflow receipts): the first 8 bytes of SHA-256 over its Avro binary in the latest schema, with
 * map entries in key order, as 16 hex digits. The key order matters: Avro writes maps in their
 * iteration order, which differs between producers (and between a map read back and the one
 * written), so raw bytes of the same event need not be equal.
 *
 * <p>Sum checksums per day (as unsigned 64-bit numbers, modulo 2^64) for an order-independent
 * checksum of a set of events. Not thread-safe: one instance per thread.
 *
 * <pre>{@code
 * String checksum = new SubmissionChecksum().of(upcastToLatest);   // "9f2c4e01a7b3d2c8"
 * }</pre>
 */
public final class SubmissionChecksum {

  private final GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(SubmissionSchemas.latest());
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);
  private final MessageDigest sha256;
  private BinaryEncoder encoder;

  public SubmissionChecksum() {
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** @param submission a record of the latest submission schema */
  public String of(GenericRecord submission) {
    GenericRecord canonical = submission;
    Object answers = submission.get("answers");
    if (answers instanceof Map<?, ?> map && map.size() > 1) {
      canonical = new GenericData.Record((GenericData.Record) submission, false);
      TreeMap<String, Object> sorted = new TreeMap<>();
      map.forEach((k, v) -> sorted.put(k.toString(), v));
      canonical.put("answers", sorted);
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
