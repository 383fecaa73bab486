package dev.reprise.workflow.internal;

import dev.reprise.coordinator.BackfillRequest.EffectsPolicy;
import dev.reprise.core.RepriseNonRetriableException;
import dev.reprise.registry.SchemaRegistryClient;
import dev.reprise.registry.serde.AvroWireFormat;
import dev.reprise.submissions.SubmissionSchemas;
import dev.reprise.submissions.upcast.UpcasterChain;
import dev.reprise.workflow.Effect;
import dev.reprise.workflow.SinkUnavailableException;
import dev.reprise.workflow.EventId;
import dev.reprise.workflow.Receipt;
import dev.reprise.workflow.ReceiptOutcome;
import dev.reprise.workflow.SubmissionEvent;
import dev.reprise.workflow.Workflow;
import dev.reprise.workflow.WorkflowContext;
import dev.reprise.workflow.WorkflowTopics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles each event once: decode and upcast, look the event id up in the dedup store, run the
 * workflow with effects performed or suppressed, record the id, emit a receipt. Under {@code
 * exactly_once_v2} the store update, the receipt and the input offset commit together.
 *
 * <p>An open circuit breaker ({@link SinkUnavailableException}) is not the event's fault: the
 * processor fails the stream thread instead of dead-lettering, the runtime has already paused
 * consumption, and the replaced thread handles the event again from the last commit once the sink
 * recovers.
 *
 * <p>What exactly-once does not cover: an effect is a call to the outside world. If the instance
 * dies after the call and before the commit, the event is handled again on restart and the effect
 * repeated; that is why effects carry the event id as idempotency key.
 */
public final class HandleProcessor implements Processor<byte[], byte[], byte[], byte[]> {

  private static final Logger log = LoggerFactory.getLogger(HandleProcessor.class);

  /** Child node names. */
  public static final String RECEIPTS = "receipts";
  public static final String DEAD_LETTERS = "dead-letters";

  private final Workflow workflow;
  private final String storeName;
  private final SchemaRegistryClient registry;
  private final ReceiptCodec receipts;
  private final Map<String, GuardedSink> sinks;
  private final Function<String, EffectsPolicy> policies;
  private final Duration retention;
  private final UpcasterChain chain = UpcasterChain.forSubmissions().build();
  private final MessageDigest sha256;
  // Every event is upcast to the latest version: one writer, one buffer, reused per record.
  private final GenericDatumWriter<GenericRecord> latestWriter = new GenericDatumWriter<>(SubmissionSchemas.latest());
  private final ByteArrayOutputStream checksumBuffer = new ByteArrayOutputStream(512);
  private BinaryEncoder checksumEncoder;
  private ProcessorContext<byte[], byte[]> context;
  private KeyValueStore<String, Long> handled;

  /**
   * @param policies the effects policy of a backfill, by id
   * @param retention how long an event id is remembered after it was handled
   */
  public HandleProcessor(Workflow workflow, String storeName, SchemaRegistryClient registry, Map<String, GuardedSink> sinks,
      Function<String, EffectsPolicy> policies, Duration retention) {
    this.workflow = workflow;
    this.storeName = storeName;
    this.registry = registry;
    this.receipts = new ReceiptCodec(registry, workflow.name());
    this.sinks = Map.copyOf(sinks);
    this.policies = policies;
    this.retention = retention;
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
    this.handled = context.getStateStore(storeName);
    // Forgetting is by the time an id was handled (operational time), not by event time: a
    // replay of 2023 must still find the ids that were handled live in 2023.
    context.schedule(Duration.ofHours(1), PunctuationType.WALL_CLOCK_TIME, this::forgetExpired);
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    if (record.value() == null) {
      return;
    }
    String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("?");
    Optional<String> backfillId = WorkflowTopics.backfillOf(topic);
    GenericRecord submission;
    EventId id;
    try {
      int schemaId = AvroWireFormat.schemaId(record.value());
      var writer = registry.schemaById(schemaId);
      submission = chain.upcastToLatest(AvroWireFormat.decode(record.value(), writer, writer));
      id = EventId.of(submission);
    } catch (RepriseNonRetriableException e) {
      deadLetter(record, backfillId, coordinates(), "", "", e);
      return;
    }
    SubmissionEvent event = new SubmissionEvent(id, submission, backfillId);
    String day = event.logicalDate().toString();
    String checksum = checksum(submission);
    if (handled.get(id.asKey()) != null) {
      emit(new Receipt(workflow.name(), backfillId, id.asKey(), day, checksum, ReceiptOutcome.DUPLICATE, List.of(),
          Optional.empty()));
      return;
    }
    boolean effectsEnabled = backfillId.map(b -> policies.apply(b) == EffectsPolicy.ENABLE).orElse(true);
    Context handlerContext = new Context(backfillId, event.logicalDate(), effectsEnabled);
    try {
      workflow.handle(event, handlerContext);
    } catch (SinkUnavailableException e) {
      throw e;
    } catch (Exception e) {
      if (handlerContext.unavailable != null) {
        throw handlerContext.unavailable;
      }
      deadLetter(record, backfillId, id.asKey(), day, checksum, e);
      return;
    }
    if (handlerContext.unavailable != null) {
      // The handler swallowed it; the event is still not handled: do it again after the pause.
      throw handlerContext.unavailable;
    }
    handled.put(id.asKey(), context.currentSystemTimeMs());
    emit(new Receipt(workflow.name(), backfillId, id.asKey(), day, checksum,
        effectsEnabled ? ReceiptOutcome.PROCESSED : ReceiptOutcome.SUPPRESSED, handlerContext.effects, Optional.empty()));
  }

  private void deadLetter(Record<byte[], byte[]> record, Optional<String> backfillId, String eventId, String day,
      String checksum, Exception error) {
    log.warn("workflow '{}': dead-lettering {} ({})", workflow.name(), coordinates(), error.toString());
    RecordHeaders headers = new RecordHeaders(record.headers().toArray());
    headers.add("reprise.error.class", error.getClass().getName().getBytes(StandardCharsets.UTF_8));
    headers.add("reprise.error.message", String.valueOf(error.getMessage()).getBytes(StandardCharsets.UTF_8));
    headers.add("reprise.source", coordinates().getBytes(StandardCharsets.UTF_8));
    context.forward(new Record<>(record.key(), record.value(), record.timestamp(), headers), DEAD_LETTERS);
    emit(new Receipt(workflow.name(), backfillId, eventId, day, checksum, ReceiptOutcome.FAILED, List.of(),
        Optional.of(error.getClass().getSimpleName() + ": " + error.getMessage())));
  }

  private void emit(Receipt receipt) {
    context.forward(new Record<>(receipt.eventId().getBytes(StandardCharsets.UTF_8), receipts.encode(receipt),
        context.currentSystemTimeMs()), RECEIPTS);
  }

  private String coordinates() {
    return context.recordMetadata().map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("?");
  }

  private String checksum(GenericRecord submission) {
    try {
      checksumBuffer.reset();
      checksumEncoder = EncoderFactory.get().directBinaryEncoder(checksumBuffer, checksumEncoder);
      latestWriter.write(submission, checksumEncoder);
      byte[] digest = sha256.digest(checksumBuffer.toByteArray());
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private void forgetExpired(long now) {
    long cutoff = now - retention.toMillis();
    List<String> expired = new ArrayList<>();
    try (KeyValueIterator<String, Long> all = handled.all()) {
      all.forEachRemaining(entry -> {
        if (entry.value < cutoff) {
          expired.add(entry.key);
        }
      });
    }
    expired.forEach(handled::delete);
  }

  private final class Context implements WorkflowContext {
    private final Optional<String> backfillId;
    private final LocalDate logicalDate;
    private final boolean effectsEnabled;
    private final List<String> effects = new ArrayList<>();
    private SinkUnavailableException unavailable;

    Context(Optional<String> backfillId, LocalDate logicalDate, boolean effectsEnabled) {
      this.backfillId = backfillId;
      this.logicalDate = logicalDate;
      this.effectsEnabled = effectsEnabled;
    }

    @Override
    public Optional<String> backfillId() {
      return backfillId;
    }

    @Override
    public LocalDate logicalDate() {
      return logicalDate;
    }

    @Override
    public boolean effectsEnabled() {
      return effectsEnabled;
    }

    @Override
    public void perform(Effect effect) throws Exception {
      GuardedSink sink = sinks.get(effect.sink());
      if (sink == null) {
        throw new RepriseNonRetriableException("workflow '" + workflow.name() + "' has no effect sink '" + effect.sink()
            + "'; known: " + sinks.keySet());
      }
      effects.add(effect.sink() + ": " + effect.description());
      if (effectsEnabled) {
        try {
          sink.perform(effect);
        } catch (SinkUnavailableException e) {
          unavailable = e;
          throw e;
        }
      }
    }
  }
}
