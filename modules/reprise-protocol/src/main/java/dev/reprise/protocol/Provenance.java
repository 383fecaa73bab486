package dev.reprise.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Where a replayed record came from: its source partition and offset (its identity in the source
 * topic) and the schema version it was written with. Carried in one binary header, {@link
 * #HEADER}, of 4 to 16 bytes.
 *
 * <p>Why binary: headers are paid on every record. Six readable headers took about 190 bytes next
 * to a 120-byte submission and a quarter of the replay's producer time; this one takes about 25
 * bytes with its name. What it leaves out is known elsewhere: the backfill id is the topic's
 * ({@code reprise.backfill.<id>}), the source topic is in the backfill's status, and the event's
 * date is in the value. A coordinator started with {@code readableProvenance} also writes the
 * readable headers of {@link ReplayHeaders} for tools that can only show strings.
 *
 * <p>Format 1, in order: one byte {@code 1} (the format), the source partition as an unsigned
 * varint, the source offset as an unsigned varlong, the schema version as an unsigned varint
 * (Kafka's varints: 7 bits per byte, low bits first, high bit set on every byte but the last). A
 * reader refuses a format it does not know rather than guess.
 *
 * <pre>{@code
 * Provenance p = Provenance.of(record.headers()).orElseThrow();
 * p.sourcePartition();  // 2
 * p.sourceOffset();     // 81234
 * }</pre>
 */
public record Provenance(int sourcePartition, long sourceOffset, int sourceSchemaVersion) {

  /** The header's name. */
  public static final String HEADER = "reprise.provenance";
  /** The only format written so far. */
  public static final byte FORMAT = 1;

  public Provenance {
    if (sourcePartition < 0) {
      throw new IllegalArgumentException("sourcePartition must not be negative, was " + sourcePartition);
    }
    if (sourceOffset < 0) {
      throw new IllegalArgumentException("sourceOffset must not be negative, was " + sourceOffset);
    }
    if (sourceSchemaVersion < 0) {
      throw new IllegalArgumentException("sourceSchemaVersion must not be negative, was " + sourceSchemaVersion);
    }
  }

  /** The header's value. */
  public byte[] encode() {
    ByteBuffer buffer = ByteBuffer.allocate(1 + sizeOfUnsignedVarlong(sourcePartition)
        + sizeOfUnsignedVarlong(sourceOffset) + sizeOfUnsignedVarlong(sourceSchemaVersion));
    buffer.put(FORMAT);
    writeUnsignedVarlong(sourcePartition, buffer);
    writeUnsignedVarlong(sourceOffset, buffer);
    writeUnsignedVarlong(sourceSchemaVersion, buffer);
    return buffer.array();
  }

  /**
   * Reads a header's value.
   *
   * @throws IllegalArgumentException naming what is wrong: empty, an unknown format, truncated, or
   *     trailing bytes
   */
  public static Provenance decode(byte[] value) {
    if (value == null || value.length == 0) {
      throw new IllegalArgumentException(HEADER + " is empty");
    }
    if (value[0] != FORMAT) {
      throw new IllegalArgumentException(HEADER + " has format " + value[0] + "; this reader knows format " + FORMAT
          + " only");
    }
    ByteBuffer buffer = ByteBuffer.wrap(value, 1, value.length - 1);
    try {
      int partition = readInt(buffer, "partition");
      long offset = readUnsignedVarlong(buffer);
      int version = readInt(buffer, "schema version");
      if (buffer.hasRemaining()) {
        throw new IllegalArgumentException(HEADER + " has " + buffer.remaining() + " trailing bytes");
      }
      return new Provenance(partition, offset, version);
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException(HEADER + " is truncated (" + value.length + " bytes)", e);
    }
  }

  /**
   * The provenance of a record a backfill published: its {@link #HEADER}, or else its readable
   * headers (what coordinators before format 1 wrote); empty on a record that has neither.
   *
   * @throws IllegalArgumentException if a header is there but cannot be read
   */
  public static Optional<Provenance> of(Headers headers) {
    Header compact = headers.lastHeader(HEADER);
    if (compact != null) {
      return Optional.of(decode(compact.value()));
    }
    Header partition = headers.lastHeader(ReplayHeaders.SOURCE_PARTITION);
    Header offset = headers.lastHeader(ReplayHeaders.SOURCE_OFFSET);
    if (partition == null || offset == null) {
      return Optional.empty();
    }
    Header version = headers.lastHeader(ReplayHeaders.SOURCE_SCHEMA_VERSION);
    try {
      return Optional.of(new Provenance(Integer.parseInt(utf8(partition)), Long.parseLong(utf8(offset)),
          version == null ? 0 : Integer.parseInt(utf8(version))));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("unreadable provenance headers: partition '" + utf8(partition)
          + "', offset '" + utf8(offset) + "'", e);
    }
  }

  /** {@code PARTITION@OFFSET}, as {@code reprise retry} and the verifier name a source record. */
  public String coordinates() {
    return sourcePartition + "@" + sourceOffset;
  }

  private static String utf8(Header header) {
    return header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static int sizeOfUnsignedVarlong(long value) {
    int bytes = 1;
    while ((value & 0xffffffffffffff80L) != 0L) {
      bytes++;
      value >>>= 7;
    }
    return bytes;
  }

  private static void writeUnsignedVarlong(long value, ByteBuffer buffer) {
    while ((value & 0xffffffffffffff80L) != 0L) {
      buffer.put((byte) ((value & 0x7f) | 0x80));
      value >>>= 7;
    }
    buffer.put((byte) value);
  }

  private static int readInt(ByteBuffer buffer, String what) {
    long value = readUnsignedVarlong(buffer);
    if (value > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(HEADER + " has a " + what + " of " + value + ", beyond an int");
    }
    return (int) value;
  }

  private static long readUnsignedVarlong(ByteBuffer buffer) {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      byte b = buffer.get();
      value |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new IllegalArgumentException(HEADER + " has a varint longer than 10 bytes");
  }
}
