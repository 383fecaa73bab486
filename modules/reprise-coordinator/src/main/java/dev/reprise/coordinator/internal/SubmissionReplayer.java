package dev.reprise.coordinator.internal;

import dev.reprise.registry.SchemaRegistryClient;
import dev.reprise.registry.UnknownSchemaIdException;
import dev.reprise.registry.serde.AvroWireFormat;
import dev.reprise.registry.serde.MalformedRecordException;
import dev.reprise.submissions.SubmissionSchemas;
import dev.reprise.submissions.upcast.UnsupportedSubmissionVersionException;
import dev.reprise.submissions.upcast.UpcastException;
import dev.reprise.submissions.upcast.UpcasterChain;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Supplier;
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
 * What happens to one source value in a replay: decoded with its writer schema, upcast, filtered,
 * encoded with the target schema. Pure (no Kafka), one instance per run thread (it reuses decoders
 * and buffers, so it is not thread-safe).
 *
 * <p>Upcasting comes before filtering because the range is on the event's own UTC time, which v1
 * records only have after upcasting. Records that fail to upcast are filtered on what the raw
 * record tells: the exact time from v2 on, a ±18 h window around a v1 local time (the widest UTC
 * offset range). Only those that might match are dead-lettered.
 *
 * <p>{@link dev.reprise.registry.SchemaRegistryUnavailableException} is thrown, never
 * dead-lettered: a registry outage says nothing about the record.
 */
final class SubmissionReplayer {

  /** Offsets from UTC span -12 h..+14 h; ±18 h is what {@link ZoneOffset} allows. */
  private static final long LOCAL_TIME_SLACK_MILLIS = Duration.ofHours(18).toMillis();

  sealed interface Outcome permits Tombstone, FilteredOut, Matched, DeadLetter {}

  record Tombstone() implements Outcome {}

  record FilteredOut() implements Outcome {}

  /**
   * @param value the framed target record
   * @param source the decoded source record (for samples)
   * @param upcast the upcast record
   */
  record Matched(byte[] value, int sourceVersion, long eventTimeMillis, GenericRecord source, GenericRecord upcast)
      implements Outcome {}

  /** @param stage {@code decode}, {@code schema} or {@code upcast} */
  record DeadLetter(String stage, Exception error) implements Outcome {}

  private static final Tombstone TOMBSTONE = new Tombstone();
  private static final FilteredOut FILTERED_OUT = new FilteredOut();

  private final SchemaRegistryClient registry;
  private final ReplayFilter filter;
  private final int targetVersion;
  private final int targetSchemaId;
  private final String defaultTenant;
  private final Supplier<UpcasterChain> chains;
  private final Map<Integer, Reader> readers = new HashMap<>();
  private final GenericDatumWriter<GenericRecord> writer;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);
  private BinaryDecoder decoder;
  private BinaryEncoder encoder;
  private UpcasterChain chain;

  private record Reader(Schema schema, OptionalInt version, GenericDatumReader<GenericRecord> datumReader) {}

  /**
   * @param targetSchemaId the registry id of the target schema, written into every output value
   * @param chains makes a fresh chain whenever the evolution counters are taken ({@link
   *     #takeEvolution})
   */
  SubmissionReplayer(SchemaRegistryClient registry, ReplayFilter filter, int targetVersion, int targetSchemaId,
      String defaultTenant, Supplier<UpcasterChain> chains) {
    if (targetVersion < 2) {
      throw new IllegalArgumentException("target version must be 2 or later (v1 has no UTC event time), was " + targetVersion);
    }
    this.registry = registry;
    this.filter = filter;
    this.targetVersion = targetVersion;
    this.targetSchemaId = targetSchemaId;
    this.defaultTenant = defaultTenant;
    this.chains = chains;
    this.chain = chains.get();
    this.writer = new GenericDatumWriter<>(SubmissionSchemas.forVersion(targetVersion));
  }

  /**
   * Replays one source value.
   *
   * @throws dev.reprise.registry.SchemaRegistryUnavailableException if the registry cannot be
   *     reached (retry; the record is not at fault)
   */
  Outcome process(byte[] value) {
    if (value == null) {
      return TOMBSTONE;
    }
    GenericRecord source;
    Reader reader;
    try {
      int schemaId = AvroWireFormat.schemaId(value);
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
      return new DeadLetter("schema", new UnsupportedSubmissionVersionException("schema " + reader.schema().getFullName()
          + " is not a known submission version"));
    }
    int sourceVersion = reader.version().getAsInt();
    GenericRecord upcast;
    try {
      upcast = chain.upcast(source, targetVersion);
    } catch (UpcastException | UnsupportedSubmissionVersionException e) {
      return mayMatch(source, sourceVersion) ? new DeadLetter("upcast", e) : FILTERED_OUT;
    }
    long eventTime = (Long) upcast.get("submittedAt");
    if (!filter.matches(eventTime, upcast.get("formId").toString(), tenantOf(upcast))) {
      return FILTERED_OUT;
    }
    return new Matched(encode(upcast), sourceVersion, eventTime, source, upcast);
  }

  /** The evolution counters since the last call, and starts counting afresh. */
  Map<String, Long> takeEvolution() {
    Map<String, Long> counted = chain.report().snapshot();
    chain = chains.get();
    return counted;
  }

  private Reader reader(int schemaId) {
    Reader reader = readers.get(schemaId);
    if (reader == null) {
      Schema schema = registry.schemaById(schemaId);
      reader = new Reader(schema, SubmissionSchemas.versionOf(schema), new GenericDatumReader<>(schema));
      readers.put(schemaId, reader);
    }
    return reader;
  }

  private String tenantOf(GenericRecord record) {
    Object tenant = record.getSchema().getField("tenantId") == null ? null : record.get("tenantId");
    return tenant == null || tenant.toString().isBlank() ? defaultTenant : tenant.toString();
  }

  private boolean mayMatch(GenericRecord raw, int version) {
    if (version == 1) {
      String formId = raw.get("formRef").toString();
      try {
        long local = LocalDateTime.parse(raw.get("submittedAtLocal").toString()).toInstant(ZoneOffset.UTC).toEpochMilli();
        return filter.mayMatch(local - LOCAL_TIME_SLACK_MILLIS, local + LOCAL_TIME_SLACK_MILLIS, formId, defaultTenant);
      } catch (DateTimeParseException e) {
        return filter.mayMatch(Long.MIN_VALUE, Long.MAX_VALUE, formId, defaultTenant);
      }
    }
    long eventTime = (Long) raw.get("submittedAt");
    return filter.mayMatch(eventTime, eventTime, raw.get("formId").toString(), tenantOf(raw));
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
