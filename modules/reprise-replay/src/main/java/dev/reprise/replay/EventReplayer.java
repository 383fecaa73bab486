package dev.reprise.replay;

import dev.reprise.registry.SchemaRegistryClient;
import dev.reprise.registry.UnknownSchemaIdException;
import dev.reprise.registry.serde.AvroWireFormat;
import dev.reprise.registry.serde.MalformedRecordException;
import dev.reprise.spi.EventType;
import dev.reprise.spi.upcast.UnsupportedVersionException;
import dev.reprise.spi.upcast.UpcastException;
import dev.reprise.spi.upcast.UpcasterChain;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
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
 * What happens to one source value in a replay, for any {@link EventType}: decoded with its writer
 * schema, upcast, filtered, encoded with the target schema. The coordinator publishes what it
 * returns, the verifier recomputes with it what the coordinator must have published: one pipeline,
 * no second copy to drift. Pure (no Kafka), one instance per thread (it reuses decoders and
 * buffers).
 *
 * <pre>{@code
 * var replayer = new EventReplayer(registry, type, filter, type.versions().latestVersion(), targetSchemaId);
 * switch (replayer.process(record.value())) {
 *   case EventReplayer.Matched m -> publish(m.value());
 *   case EventReplayer.DeadLetter d -> deadLetter(d.stage(), d.error());
 *   default -> { }   // tombstone or filtered out: counted
 * }
 * }</pre>
 *
 * <p>Upcasting comes before filtering because the range is on the event's own time, which old
 * versions may only have after upcasting. Records that fail to upcast are filtered on what the raw
 * record tells ({@link EventType#windowOf}); only those that might match are dead-lettered.
 *
 * <p>{@link dev.reprise.registry.SchemaRegistryUnavailableException} is thrown, never
 * dead-lettered: a registry outage says nothing about the record.
 */
public final class EventReplayer {

  /** What became of a value. */
  public sealed interface Outcome permits Tombstone, FilteredOut, Matched, DeadLetter {}

  /** A null value: a deletion in a compacted topic. */
  public record Tombstone() implements Outcome {}

  /** Not wanted by the filter. */
  public record FilteredOut() implements Outcome {}

  /**
   * @param value the framed target record; null when the replayer does not encode
   * @param source the decoded source record (for samples)
   * @param upcast the upcast record
   */
  public record Matched(byte[] value, int sourceVersion, long eventTimeMillis, GenericRecord source, GenericRecord upcast)
      implements Outcome {}

  /** @param stage {@code decode}, {@code schema} or {@code upcast} */
  public record DeadLetter(String stage, Exception error) implements Outcome {}

  private static final Tombstone TOMBSTONE = new Tombstone();
  private static final FilteredOut FILTERED_OUT = new FilteredOut();

  private final SchemaRegistryClient registry;
  private final EventType type;
  private final EventFilter filter;
  private final int targetVersion;
  private final int targetSchemaId;
  private final boolean fastPaths;
  private final Map<Integer, Reader> readers = new HashMap<>();
  private final GenericDatumWriter<GenericRecord> writer;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);
  private BinaryDecoder decoder;
  private BinaryEncoder encoder;
  private UpcasterChain chain;

  private record Reader(Schema schema, OptionalInt version, GenericDatumReader<GenericRecord> datumReader) {}

  /**
   * @param targetVersion at least the type's {@link EventType#minTargetVersion()}
   * @param targetSchemaId the registry id of the target schema, written into every output value;
   *     negative: matched records are not encoded (the verifier only compares them)
   */
  public EventReplayer(SchemaRegistryClient registry, EventType type, EventFilter filter, int targetVersion,
      int targetSchemaId) {
    this(registry, type, filter, targetVersion, targetSchemaId, true);
  }

  /**
   * @param fastPaths false: every matched record takes the reference path (decode, upcast,
   *     encode), which the fast paths are tested equal to, record for record
   */
  EventReplayer(SchemaRegistryClient registry, EventType type, EventFilter filter, int targetVersion,
      int targetSchemaId, boolean fastPaths) {
    this.fastPaths = fastPaths;
    if (targetVersion < type.minTargetVersion() || targetVersion > type.versions().latestVersion()) {
      throw new IllegalArgumentException("target version of '" + type.name() + "' must be "
          + type.minTargetVersion() + ".." + type.versions().latestVersion() + ", was " + targetVersion);
    }
    this.registry = registry;
    this.type = type;
    this.filter = filter;
    this.targetVersion = targetVersion;
    this.targetSchemaId = targetSchemaId;
    this.chain = type.newChain();
    this.writer = new GenericDatumWriter<>(type.versions().schema(targetVersion));
  }

  /**
   * Replays one source value.
   *
   * @throws dev.reprise.registry.SchemaRegistryUnavailableException if the registry cannot be
   *     reached (retry; the record is not at fault)
   */
  public Outcome process(byte[] value) {
    if (value == null) {
      return TOMBSTONE;
    }
    GenericRecord source;
    Reader reader;
    int schemaId;
    try {
      schemaId = AvroWireFormat.schemaId(value);
      reader = reader(schemaId);
      decoder = DecoderFactory.get().binaryDecoder(value, AvroWireFormat.HEADER_SIZE,
          value.length - AvroWireFormat.HEADER_SIZE, decoder);
      source = reader.datumReader().read(null, decoder);
      if (!decoder.isEnd()) {
        throw new MalformedRecordException("value for schema id " + schemaId + " has bytes left over after the Avro record");
      }
    } catch (UnknownSchemaIdException e) {
      return new DeadLetter("schema", e);
    } catch (MalformedRecordException e) {
      return new DeadLetter("decode", e);
    } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException
        | ClassCastException e) {
      return new DeadLetter("decode", new MalformedRecordException("value is not valid Avro for its schema: " + e, e));
    }
    if (reader.version().isEmpty()) {
      return new DeadLetter("schema", new UnsupportedVersionException("schema " + reader.schema().getFullName()
          + " is not a known version of '" + type.name() + "'"));
    }
    int sourceVersion = reader.version().getAsInt();
    GenericRecord upcast;
    try {
      upcast = chain.upcast(source, targetVersion);
    } catch (UpcastException | UnsupportedVersionException e) {
      return filter.mayMatch(type.windowOf(source, sourceVersion)) ? new DeadLetter("upcast", e) : FILTERED_OUT;
    }
    long eventTime = type.eventTimeMillis(upcast);
    // Most replays filter on time alone: the attributes are read only when a filter needs them.
    if (!filter.matches(eventTime, filter.attributes().isEmpty() ? Map.of() : type.attributes(upcast))) {
      return FILTERED_OUT;
    }
    byte[] framed;
    if (targetSchemaId < 0) {
      framed = null;
    } else if (fastPaths && sourceVersion == targetVersion) {
      // Already in the target version: its writer schema has the target's parsing canonical form
      // (that is how its version was told), so its Avro bytes are the target's. Only the schema
      // id in the frame may differ; re-encoding would write the same bytes again.
      framed = reframed(value, schemaId);
    } else {
      framed = encode(upcast);
    }
    return new Matched(framed, sourceVersion, eventTime, source, upcast);
  }

  /** The evolution counters since the last call, and starts counting afresh. */
  public Map<String, Long> takeEvolution() {
    Map<String, Long> counted = chain.report().snapshot();
    chain = type.newChain();
    return counted;
  }

  private Reader reader(int schemaId) {
    Reader reader = readers.get(schemaId);
    if (reader == null) {
      Schema schema = registry.schemaById(schemaId);
      reader = new Reader(schema, type.versions().versionOf(schema), new GenericDatumReader<>(schema));
      readers.put(schemaId, reader);
    }
    return reader;
  }

  private byte[] reframed(byte[] value, int schemaId) {
    if (schemaId == targetSchemaId) {
      return value;
    }
    byte[] framed = value.clone();
    framed[1] = (byte) (targetSchemaId >>> 24);
    framed[2] = (byte) (targetSchemaId >>> 16);
    framed[3] = (byte) (targetSchemaId >>> 8);
    framed[4] = (byte) targetSchemaId;
    return framed;
  }

  private byte[] encode(GenericRecord record) {
    buffer.reset();
    buffer.write(AvroWireFormat.MAGIC_BYTE);
    buffer.write(targetSchemaId >>> 24);
    buffer.write(targetSchemaId >>> 16);
    buffer.write(targetSchemaId >>> 8);
    buffer.write(targetSchemaId);
    encoder = EncoderFactory.get().binaryEncoder(buffer, encoder);
    try {
      writer.write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toByteArray();
  }
}
