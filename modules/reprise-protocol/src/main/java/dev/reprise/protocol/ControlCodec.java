package dev.reprise.protocol;

import dev.reprise.protocol.BackfillStatus.PartitionProgress;
import dev.reprise.protocol.BackfillStatus.UpcastSample;
import dev.reprise.registry.SchemaRegistryClient;
import dev.reprise.registry.serde.AvroWireFormat;
import dev.reprise.registry.serde.RegistryAvroSerdeConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;

/**
 * Reads and writes the control plane's Avro events ({@code schemas/control}) in the registry's wire
 * format: {@link ReplayCommand}s on {@link ControlTopics#REQUESTS}, {@link BackfillStatus} on
 * {@link ControlTopics#STATUS}. Registers the schemas under the usual {@code <topic>-value} subjects
 * on first use; reads resolve any compatible writer schema to the version this build knows.
 *
 * <pre>{@code
 * var codec = new ControlCodec(registry);
 * producer.send(new ProducerRecord<>(ControlTopics.REQUESTS, id, codec.encode(ReplayCommand.start(request))));
 * BackfillStatus status = codec.decodeStatus(record.value());
 * }</pre>
 */
public final class ControlCodec {

  /** {@code schemas/control/replay-request-v1.avsc}. */
  public static final Schema REPLAY_REQUEST_SCHEMA;
  /** {@code schemas/control/backfill-status-v1.avsc}, which holds the request schema inline. */
  public static final Schema STATUS_SCHEMA;
  /** {@code schemas/control/audit-entry-v1.avsc}. */
  public static final Schema AUDIT_SCHEMA;
  private static final Schema THROTTLE_SCHEMA;
  private static final Schema VERIFICATION_SCHEMA;

  static {
    // Each file alone, as any other client parses it: every schema file is self-contained.
    REPLAY_REQUEST_SCHEMA = schema("replay-request-v1.avsc");
    STATUS_SCHEMA = schema("backfill-status-v1.avsc");
    AUDIT_SCHEMA = schema("audit-entry-v1.avsc");
    THROTTLE_SCHEMA = STATUS_SCHEMA.getField("throttle").schema().getTypes().get(1);
    VERIFICATION_SCHEMA = REPLAY_REQUEST_SCHEMA.getField("verification").schema().getTypes().get(1);
  }

  private final SchemaRegistryClient registry;
  private volatile int requestSchemaId = -1;
  private volatile int statusSchemaId = -1;
  private volatile int auditSchemaId = -1;

  public ControlCodec(SchemaRegistryClient registry) {
    this.registry = registry;
  }

  /** {@code command} framed for {@link ControlTopics#REQUESTS}. */
  public byte[] encode(ReplayCommand command) {
    if (requestSchemaId < 0) {
      requestSchemaId = registry.register(RegistryAvroSerdeConfig.subject(ControlTopics.REQUESTS, false), REPLAY_REQUEST_SCHEMA);
    }
    return AvroWireFormat.encode(requestSchemaId, toAvro(command));
  }

  /** {@code status} framed for {@link ControlTopics#STATUS}. */
  public byte[] encode(BackfillStatus status) {
    if (statusSchemaId < 0) {
      statusSchemaId = registry.register(RegistryAvroSerdeConfig.subject(ControlTopics.STATUS, false), STATUS_SCHEMA);
    }
    return AvroWireFormat.encode(statusSchemaId, toAvro(status));
  }

  /** {@code entry} framed for {@link ControlTopics#AUDIT}. */
  public byte[] encode(AuditEntry entry) {
    if (auditSchemaId < 0) {
      auditSchemaId = registry.register(RegistryAvroSerdeConfig.subject(ControlTopics.AUDIT, false), AUDIT_SCHEMA);
    }
    return AvroWireFormat.encode(auditSchemaId, toAvro(entry));
  }

  /** Reads an audit entry. */
  public AuditEntry decodeAudit(byte[] bytes) {
    return auditFromAvro(AvroWireFormat.decode(bytes, registry.schemaById(AvroWireFormat.schemaId(bytes)), AUDIT_SCHEMA));
  }

  /**
   * Reads a command.
   *
   * @throws dev.reprise.registry.serde.MalformedRecordException if the bytes are not a framed
   *     replay request
   */
  public ReplayCommand decodeCommand(byte[] bytes) {
    return commandFromAvro(AvroWireFormat.decode(bytes, registry.schemaById(AvroWireFormat.schemaId(bytes)), REPLAY_REQUEST_SCHEMA));
  }

  /** Reads a status. */
  public BackfillStatus decodeStatus(byte[] bytes) {
    return statusFromAvro(AvroWireFormat.decode(bytes, registry.schemaById(AvroWireFormat.schemaId(bytes)), STATUS_SCHEMA));
  }

  static GenericRecord toAvro(ReplayCommand command) {
    GenericRecord avro = command.request().map(ControlCodec::requestToAvro)
        .orElseGet(() -> {
          GenericRecord bare = new GenericData.Record(REPLAY_REQUEST_SCHEMA);
          bare.put("formIds", List.of());
          bare.put("tenantIds", List.of());
          bare.put("workflows", List.of());
          bare.put("handoverWorkflows", List.of());
          bare.put("retryItems", List.of());
          bare.put("filters", Map.of());
          bare.put("mode", symbol("mode", "EXECUTE"));
          bare.put("effectsPolicy", symbol("effectsPolicy", "SUPPRESS"));
          return bare;
        });
    avro.put("backfillId", command.backfillId());
    avro.put("command", symbol("command", command.type().name()));
    if (command.type() == ReplayCommand.Type.THROTTLE) {
      avro.put("maxRecordsPerSecond",
          command.maxRecordsPerSecond().isPresent() ? command.maxRecordsPerSecond().getAsDouble() : null);
    }
    avro.put("requester", command.requester().orElse(null));
    avro.put("requestedBy", command.requestedBy().orElse(null));
    avro.put("retryItems", command.retryItems());
    avro.put("retryWorkflow", command.retryWorkflow().orElse(null));
    avro.put("verification", command.verification().map(v -> {
      GenericRecord verification = new GenericData.Record(VERIFICATION_SCHEMA);
      verification.put("failures", v.failures().orElse(null));
      verification.put("failedDays", v.failedDays().stream().map(LocalDate::toString).toList());
      return verification;
    }).orElse(null));
    return avro;
  }

  private static GenericRecord requestToAvro(BackfillRequest request) {
    GenericRecord avro = new GenericData.Record(REPLAY_REQUEST_SCHEMA);
    avro.put("backfillId", request.backfillId());
    avro.put("command", symbol("command", "START"));
    avro.put("sourceTopic", request.sourceTopic());
    avro.put("from", request.from() == null ? null : request.from().toEpochMilli());
    avro.put("to", request.to() == null ? null : request.to().toEpochMilli());
    // The legacy filter fields stay empty: the filters travel in 'filters', of any event type.
    avro.put("formIds", List.of());
    avro.put("tenantIds", List.of());
    avro.put("eventType", request.eventType().orElse(null));
    Map<String, List<String>> filters = new TreeMap<>();
    request.filters().forEach((attribute, values) -> filters.put(attribute, sortedList(values)));
    avro.put("filters", filters);
    avro.put("targetSchemaVersion", request.targetSchemaVersion().isPresent() ? request.targetSchemaVersion().getAsInt() : null);
    avro.put("mode", symbol("mode", request.mode().name()));
    avro.put("workflows", request.workflows());
    avro.put("maxRecordsPerSecond", request.maxRecordsPerSecond().isPresent() ? request.maxRecordsPerSecond().getAsDouble() : null);
    avro.put("effectsPolicy", symbol("effectsPolicy", request.effectsPolicy().name()));
    avro.put("requestedBy", request.requestedBy().orElse(null));
    avro.put("reason", request.reason().orElse(null));
    avro.put("handoverWorkflows", request.handoverWorkflows());
    avro.put("requester", request.requester().orElse(null));
    avro.put("retryItems", List.of());
    return avro;
  }

  static ReplayCommand commandFromAvro(GenericRecord avro) {
    ReplayCommand.Type type = ReplayCommand.Type.valueOf(avro.get("command").toString());
    String backfillId = string(avro.get("backfillId"));
    Double rate = (Double) avro.get("maxRecordsPerSecond");
    GenericRecord verification = (GenericRecord) avro.get("verification");
    return new ReplayCommand(backfillId, type,
        type == ReplayCommand.Type.START ? Optional.of(requestFromAvro(avro)) : Optional.empty(),
        type == ReplayCommand.Type.THROTTLE && rate != null ? OptionalDouble.of(rate) : OptionalDouble.empty(),
        Optional.ofNullable(verification).map(v -> new ReplayCommand.Verification(
            Optional.ofNullable(string(v.get("failures"))),
            strings(v.get("failedDays")).stream().map(LocalDate::parse).toList())),
        Optional.ofNullable(string(avro.get("requester"))),
        Optional.ofNullable(string(avro.get("requestedBy"))),
        type == ReplayCommand.Type.RETRY ? strings(avro.get("retryItems")) : List.of(),
        type == ReplayCommand.Type.RETRY ? Optional.ofNullable(string(avro.get("retryWorkflow"))) : Optional.empty());
  }

  private static BackfillRequest requestFromAvro(GenericRecord avro) {
    Long from = (Long) avro.get("from");
    Long to = (Long) avro.get("to");
    Integer target = (Integer) avro.get("targetSchemaVersion");
    Double rate = (Double) avro.get("maxRecordsPerSecond");
    return new BackfillRequest(
        string(avro.get("backfillId")),
        string(avro.get("sourceTopic")),
        Optional.ofNullable(string(avro.get("eventType"))),
        from == null ? null : Instant.ofEpochMilli(from),
        to == null ? null : Instant.ofEpochMilli(to),
        filters(avro),
        target == null ? OptionalInt.empty() : OptionalInt.of(target),
        BackfillRequest.Mode.valueOf(avro.get("mode").toString()),
        strings(avro.get("workflows")),
        rate == null ? OptionalDouble.empty() : OptionalDouble.of(rate),
        BackfillRequest.EffectsPolicy.valueOf(avro.get("effectsPolicy").toString()),
        Optional.ofNullable(string(avro.get("requestedBy"))),
        Optional.ofNullable(string(avro.get("reason"))),
        strings(avro.get("handoverWorkflows")),
        Optional.ofNullable(string(avro.get("requester"))));
  }

  /**
   * The request's filters: its {@code filters} map, and the two fields of requests written before
   * event types existed, which were the filters of the attributes {@code formId} and {@code
   * tenantId} (the only event type there was then). Only this compatibility shim names them.
   */
  private static Map<String, Set<String>> filters(GenericRecord avro) {
    Map<String, Set<String>> filters = new TreeMap<>();
    Object map = avro.get("filters");
    if (map instanceof Map<?, ?> entries) {
      entries.forEach((attribute, values) -> filters.put(attribute.toString(), new LinkedHashSet<>(strings(values))));
    }
    filters.computeIfAbsent("formId", a -> new LinkedHashSet<>()).addAll(strings(avro.get("formIds")));
    filters.computeIfAbsent("tenantId", a -> new LinkedHashSet<>()).addAll(strings(avro.get("tenantIds")));
    // An attribute without values filters nothing; BackfillRequest drops it.
    return filters;
  }

  static GenericRecord toAvro(BackfillStatus status) {
    GenericRecord avro = new GenericData.Record(STATUS_SCHEMA);
    avro.put("backfillId", status.backfillId());
    avro.put("state", symbol("state", status.state().name()));
    avro.put("reason", status.reason().orElse(null));
    avro.put("request", status.request().map(ControlCodec::requestToAvro).orElse(null));
    avro.put("owner", status.owner().orElse(null));
    avro.put("counters", new TreeMap<>(status.counters()));
    Schema partitionSchema = STATUS_SCHEMA.getField("partitions").schema().getElementType();
    List<GenericRecord> partitions = new ArrayList<>();
    for (PartitionProgress p : status.partitions()) {
      GenericRecord progress = new GenericData.Record(partitionSchema);
      progress.put("partition", p.partition());
      progress.put("startOffset", p.startOffset());
      progress.put("endOffset", p.endOffset());
      progress.put("position", p.position());
      partitions.add(progress);
    }
    avro.put("partitions", partitions);
    Map<String, Long> days = new TreeMap<>();
    status.countsPerDay().forEach((day, count) -> days.put(day.toString(), count));
    avro.put("countsPerDay", days);
    avro.put("recordsPerSecond", status.recordsPerSecond());
    avro.put("etaSeconds", status.etaSeconds().isPresent() ? status.etaSeconds().getAsLong() : null);
    avro.put("evolution", new TreeMap<>(status.evolution()));
    Schema sampleSchema = STATUS_SCHEMA.getField("samples").schema().getElementType();
    List<GenericRecord> samples = new ArrayList<>();
    for (UpcastSample s : status.samples()) {
      GenericRecord sample = new GenericData.Record(sampleSchema);
      sample.put("partition", s.partition());
      sample.put("offset", s.offset());
      sample.put("sourceVersion", s.sourceVersion());
      sample.put("before", s.before());
      sample.put("after", s.after());
      samples.add(sample);
    }
    avro.put("samples", samples);
    avro.put("rejectedCommand", status.rejectedCommand().orElse(null));
    avro.put("startedAt", status.startedAt().map(Instant::toEpochMilli).orElse(null));
    avro.put("throttle", status.throttle().map(t -> {
      GenericRecord throttle = new GenericData.Record(THROTTLE_SCHEMA);
      throttle.put("ratePerSecond", t.ratePerSecond());
      throttle.put("mode", t.mode());
      throttle.put("reason", t.reason());
      throttle.put("inFlight", t.inFlight().isPresent() ? t.inFlight().getAsLong() : null);
      throttle.put("inFlightCap", t.inFlightCap());
      return throttle;
    }).orElse(null));
    avro.put("estimatedSeconds", status.estimatedSeconds().isPresent() ? status.estimatedSeconds().getAsLong() : null);
    avro.put("failedDays", status.failedDays().stream().map(LocalDate::toString).toList());
    avro.put("retriedDeadLetters", status.retriedDeadLetters());
    avro.put("updatedAt", status.updatedAt().toEpochMilli());
    return avro;
  }

  static BackfillStatus statusFromAvro(GenericRecord avro) {
    List<PartitionProgress> partitions = new ArrayList<>();
    for (Object o : (Collection<?>) avro.get("partitions")) {
      GenericRecord p = (GenericRecord) o;
      partitions.add(new PartitionProgress((Integer) p.get("partition"), (Long) p.get("startOffset"),
          (Long) p.get("endOffset"), (Long) p.get("position")));
    }
    // A status carries a count per day of history (a thousand and more), and every coordinator,
    // dashboard and client decodes every status: read the days straight from Avro's Utf8 keys.
    TreeMap<LocalDate, Long> days = new TreeMap<>();
    ((Map<?, ?>) avro.get("countsPerDay")).forEach((day, count) -> days.put(isoDate((CharSequence) day), (Long) count));
    List<UpcastSample> samples = new ArrayList<>();
    for (Object o : (Collection<?>) avro.get("samples")) {
      GenericRecord s = (GenericRecord) o;
      samples.add(new UpcastSample((Integer) s.get("partition"), (Long) s.get("offset"),
          (Integer) s.get("sourceVersion"), string(s.get("before")), string(s.get("after"))));
    }
    Long eta = (Long) avro.get("etaSeconds");
    Long startedAt = (Long) avro.get("startedAt");
    GenericRecord request = (GenericRecord) avro.get("request");
    return new BackfillStatus(
        string(avro.get("backfillId")),
        BackfillState.valueOf(avro.get("state").toString()),
        Optional.ofNullable(string(avro.get("reason"))),
        Optional.ofNullable(request).map(ControlCodec::requestFromAvro),
        Optional.ofNullable(string(avro.get("owner"))),
        longs(avro.get("counters")),
        partitions,
        days,
        (Double) avro.get("recordsPerSecond"),
        eta == null ? OptionalLong.empty() : OptionalLong.of(eta),
        longs(avro.get("evolution")),
        samples,
        Optional.ofNullable(string(avro.get("rejectedCommand"))),
        Optional.ofNullable(startedAt).map(Instant::ofEpochMilli),
        Optional.ofNullable((GenericRecord) avro.get("throttle")).map(t -> new BackfillThrottle(
            (Double) t.get("ratePerSecond"), string(t.get("mode")), string(t.get("reason")),
            t.get("inFlight") == null ? OptionalLong.empty() : OptionalLong.of((Long) t.get("inFlight")),
            (Long) t.get("inFlightCap"))),
        avro.get("estimatedSeconds") == null ? OptionalLong.empty() : OptionalLong.of((Long) avro.get("estimatedSeconds")),
        ((Collection<?>) avro.get("failedDays")).stream().map(day -> LocalDate.parse(day.toString())).toList(),
        strings(avro.get("retriedDeadLetters")),
        Instant.ofEpochMilli((Long) avro.get("updatedAt")));
  }

  static GenericRecord toAvro(AuditEntry entry) {
    GenericRecord avro = new GenericData.Record(AUDIT_SCHEMA);
    avro.put("at", entry.at().toEpochMilli());
    avro.put("backfillId", entry.backfillId().orElse(null));
    avro.put("kind", new GenericData.EnumSymbol(AUDIT_SCHEMA.getField("kind").schema(), entry.kind().name()));
    avro.put("command", entry.command().orElse(null));
    avro.put("requester", entry.requester().orElse(null));
    avro.put("requestedBy", entry.requestedBy().orElse(null));
    avro.put("decision", entry.decision().orElse(null));
    avro.put("reason", entry.reason().orElse(null));
    avro.put("fromState", entry.fromState().orElse(null));
    avro.put("toState", entry.toState().orElse(null));
    avro.put("coordinator", entry.coordinator());
    avro.put("source", entry.source().orElse(null));
    return avro;
  }

  static AuditEntry auditFromAvro(GenericRecord avro) {
    return new AuditEntry(Instant.ofEpochMilli((Long) avro.get("at")),
        Optional.ofNullable(string(avro.get("backfillId"))),
        AuditEntry.Kind.valueOf(avro.get("kind").toString()),
        Optional.ofNullable(string(avro.get("command"))),
        Optional.ofNullable(string(avro.get("requester"))),
        Optional.ofNullable(string(avro.get("requestedBy"))),
        Optional.ofNullable(string(avro.get("decision"))),
        Optional.ofNullable(string(avro.get("reason"))),
        Optional.ofNullable(string(avro.get("fromState"))),
        Optional.ofNullable(string(avro.get("toState"))),
        string(avro.get("coordinator")),
        Optional.ofNullable(string(avro.get("source"))));
  }

  private static GenericData.EnumSymbol symbol(String field, String value) {
    Schema schema = REPLAY_REQUEST_SCHEMA.getField(field) != null
        ? REPLAY_REQUEST_SCHEMA.getField(field).schema()
        : STATUS_SCHEMA.getField(field).schema();
    return new GenericData.EnumSymbol(schema, value);
  }

  private static String string(Object value) {
    return value == null ? null : value.toString();
  }

  private static List<String> strings(Object value) {
    return ((Collection<?>) value).stream().map(Object::toString).toList();
  }

  private static List<String> sortedList(Collection<String> values) {
    return values.stream().sorted().toList();
  }

  /** An ISO date ({@code 2023-03-14}) without {@link LocalDate#parse}'s general formatter. */
  static LocalDate isoDate(CharSequence text) {
    // Avro's Utf8 answers length() by decoding itself into a String: read its bytes instead.
    if (text instanceof Utf8 utf8) {
      byte[] bytes = utf8.getBytes();
      if (utf8.getByteLength() == 10 && bytes[4] == '-' && bytes[7] == '-') {
        int year = digits(bytes, 0, 4);
        int month = digits(bytes, 5, 7);
        int day = digits(bytes, 8, 10);
        if (year >= 0 && month >= 0 && day >= 0) {
          return LocalDate.of(year, month, day);   // throws DateTimeException for 2023-02-30
        }
      }
      return LocalDate.parse(utf8.toString());   // anything else: its own error message
    }
    return LocalDate.parse(text);
  }

  private static int digits(byte[] text, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      byte c = text[i];
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static Map<String, Long> longs(Object value) {
    return ((Map<?, ?>) value).entrySet().stream()
        .collect(Collectors.toMap(e -> e.getKey().toString(), e -> (Long) e.getValue(), (a, b) -> b, TreeMap::new));
  }

  /** One of the control plane's schema files ({@code schemas/control/}), parsed alone. */
  static Schema schema(String file) {
    try (InputStream in = ControlCodec.class.getResourceAsStream("schemas/" + file)) {
      if (in == null) {
        throw new IllegalStateException("schema resource " + file + " is missing from the classpath");
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read schema " + file, e);
    }
  }
}
