package dev.reprise.workflow.internal;

import dev.reprise.core.RepriseNonRetriableException;
import dev.reprise.protocol.BackfillRequest.EffectsPolicy;
import dev.reprise.protocol.ReplayHeaders;
import dev.reprise.registry.SchemaRegistryClient;
import dev.reprise.registry.serde.AvroWireFormat;
import dev.reprise.spi.EventChecksum;
import dev.reprise.spi.EventType;
import dev.reprise.spi.upcast.UpcasterChain;
import dev.reprise.workflow.Receipt;
import dev.reprise.workflow.ReceiptOutcome;
import dev.reprise.workflow.WorkflowHeaders;
import dev.reprise.workflow.WorkflowTopics;
import dev.reprise.workflow.api.Effect;
import dev.reprise.workflow.api.Event;
import dev.reprise.workflow.api.EventId;
import dev.reprise.workflow.api.MissingEventIdentityException;
import dev.reprise.workflow.api.Workflow;
import dev.reprise.workflow.api.WorkflowContext;
import dev.reprise.workflow.api.WorkflowState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
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
 * workflow, record the id. Under {@code exactly_once_v2} the store update, the workflow's state and
 * view rows, the receipt or the effect request, and the input offset commit together.
 *
 * <p>Effects are not performed here: an event whose handler asked for effects (and whose effects
 * are enabled) goes to the outbox ({@link WorkflowTopics#effects}) and the {@link EffectExecutor}
 * performs them once the transaction is committed, then writes the receipt. A call to the outside
 * world inside the stream task would be repeated whenever the task's transaction aborts.
 *
 * <p>Records from the redrive topic are retried dead letters (handled like any other record, with
 * the backfill named in their headers) or "forget" orders for events whose effects failed.
 */
public final class HandleProcessor implements Processor<byte[], byte[], byte[], byte[]> {

  private static final Logger log = LoggerFactory.getLogger(HandleProcessor.class);

  /** Child node names. */
  public static final String RECEIPTS = "receipts";
  public static final String DEAD_LETTERS = "dead-letters";
  public static final String EFFECTS = "effects";
  public static final String VIEW = "view";
  public static final String DRY_RUNS = "dry-runs";

  private final Workflow workflow;
  private final OutcomeCounter outcomes;
  private final String handledStore;
  private final String stateStore;
  private final SchemaRegistryClient registry;
  private final ReceiptCodec receipts;
  private final EffectRequestCodec requests;
  private final Set<String> sinks;
  private final Function<String, Optional<EffectsPolicy>> policies;
  private final Function<String, Optional<EffectsPolicy>> dryRuns;
  private final Duration retention;
  private final String redriveTopic;
  private final boolean replayEffectsAllowed;
  private final EventType eventType;
  private final UpcasterChain chain;
  private final EventChecksum checksums;
  // One per processor: a Streams task runs on one thread.
  private final AvroWireFormat.Reader reader = AvroWireFormat.reader();
  // What each input topic is (a preview's, a backfill's, live): told by a pattern once per topic.
  private final Map<String, Optional<String>> previewByTopic = new HashMap<>();
  private final Map<String, Optional<String>> backfillByTopic = new HashMap<>();
  private ProcessorContext<byte[], byte[]> context;
  private KeyValueStore<String, Long> handled;
  private KeyValueStore<String, String> state;

  /**
   * @param sinks the names of the configured effect sinks
   * @param policies the effects policy of a backfill, by id; empty for a backfill of another event
   *     type, whose records the workflow passes by
   * @param dryRuns the effects policy a PREVIEW's dry run judges by, by id; empty for a preview that
   *     does not name this workflow, whose records it passes by
   * @param retention how long an event id is remembered after it was handled
   * @param outcomes counts the receipts this processor writes
   */
  public HandleProcessor(Workflow workflow, EventType eventType, String handledStore, String stateStore,
      SchemaRegistryClient registry, Set<String> sinks, Function<String, Optional<EffectsPolicy>> policies,
      Function<String, Optional<EffectsPolicy>> dryRuns, Duration retention, OutcomeCounter outcomes) {
    this.dryRuns = dryRuns;
    this.eventType = eventType;
    this.chain = eventType.newChain();
    this.checksums = eventType.checksum();
    this.workflow = workflow;
    this.outcomes = outcomes;
    this.handledStore = handledStore;
    this.stateStore = stateStore;
    this.registry = registry;
    this.receipts = new ReceiptCodec(registry, workflow.name());
    this.requests = new EffectRequestCodec(registry, workflow.name());
    this.sinks = Set.copyOf(sinks);
    this.policies = policies;
    this.retention = retention;
    this.redriveTopic = WorkflowTopics.redrive(workflow.name());
    this.replayEffectsAllowed = workflow.replayRules().effectsAllowed();
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
    this.handled = context.getStateStore(handledStore);
    this.state = context.getStateStore(stateStore);
    // Forgetting is by the time an id was handled (operational time), not by event time: a
    // replay of 2023 must still find the ids that were handled live in 2023.
    context.schedule(Duration.ofHours(1), PunctuationType.WALL_CLOCK_TIME, this::forgetExpired);
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    RecordMetadata input = context.recordMetadata().orElseThrow();
    Optional<String> preview = previewByTopic.computeIfAbsent(input.topic(), WorkflowTopics::previewOf);
    if (preview.isPresent()) {
      dryRun(record, input, preview.get());
      return;
    }
    Optional<String> backfillId = backfillByTopic.computeIfAbsent(input.topic(), WorkflowTopics::backfillOf);
    if (input.topic().equals(redriveTopic)) {
      String order = header(record.headers(), WorkflowHeaders.REDRIVE);
      if ("forget".equals(order)) {
        String id = new String(record.key(), StandardCharsets.UTF_8);
        handled.delete(id);
        log.info("workflow '{}': forgot {} (its effects failed), so a retry handles it again", workflow.name(), id);
        return;
      }
      backfillId = Optional.ofNullable(header(record.headers(), ReplayHeaders.BACKFILL_ID));
    }
    if (record.value() == null) {
      return;
    }
    Optional<EffectsPolicy> replayPolicy = backfillId.isEmpty() ? Optional.empty() : policies.apply(backfillId.get());
    if (backfillId.isPresent() && replayPolicy.isEmpty()) {
      return;
    }
    Event event;
    try {
      event = decode(record.value(), backfillId);
    } catch (RepriseNonRetriableException e) {
      deadLetter(record, input, backfillId, null, "", "", e);
      return;
    }
    EventId id = event.id();
    String day = event.logicalDate().toString();
    String checksum = checksums.of(event.record());
    if (handled.get(id.asKey()) != null) {
      emit(new Receipt(workflow.name(), backfillId, id.asKey(), day, checksum, ReceiptOutcome.DUPLICATE, List.of(),
          Optional.empty()));
      return;
    }
    // A replayed event's effects run only if the backfill enables them and the workflow allows it.
    boolean effectsEnabled = backfillId.isEmpty()
        || replayEffectsAllowed && replayPolicy.get() == EffectsPolicy.ENABLE;
    Context handlerContext = new Context(backfillId, event.logicalDate(), effectsEnabled);
    try {
      workflow.handle(event, handlerContext);
    } catch (Exception e) {
      deadLetter(record, input, backfillId, id.asKey(), day, checksum, e);
      return;
    }
    handlerContext.apply();
    handled.put(id.asKey(), context.currentSystemTimeMs());
    List<Effect> performed = performable(backfillId, handlerContext.effects);
    if (effectsEnabled && !performed.isEmpty()) {
      EffectRequest request = new EffectRequest(workflow.name(), backfillId, id.asKey(), day, checksum,
          input.topic(), input.partition(), input.offset(), record.value(), performed);
      context.forward(new Record<>(id.asKey().getBytes(StandardCharsets.UTF_8), requests.encode(request),
          context.currentSystemTimeMs()), EFFECTS);
      return;
    }
    // Suppressed: what it would have done, live-only effects among them.
    emit(new Receipt(workflow.name(), backfillId, id.asKey(), day, checksum,
        withoutEffects(effectsEnabled, performed, handlerContext.effects), describe(handlerContext.effects),
        Optional.empty()));
  }

  /**
   * A PREVIEW's dry run of one event: handled exactly as EXECUTE would handle it — the same dedup
   * lookup, the same state read, the same effects policy — and what would happen written as a
   * receipt on the dry-run topic. Nothing else is written: not the dedup store, not the state, not
   * the view, not the outbox, not the receipts, not a dead letter. So an EXECUTE after the preview
   * behaves as if there had been none.
   */
  private void dryRun(Record<byte[], byte[]> record, RecordMetadata input, String previewId) {
    if (record.value() == null) {
      return;
    }
    Optional<EffectsPolicy> policy = dryRuns.apply(previewId);
    if (policy.isEmpty()) {
      return;
    }
    Optional<String> path = Optional.of(previewId);
    Event event;
    try {
      event = decode(record.value(), path);
    } catch (RepriseNonRetriableException e) {
      emitDryRun(new Receipt(workflow.name(), path, coordinates(input), "", "", ReceiptOutcome.FAILED, List.of(),
          Optional.of(e.getClass().getSimpleName() + ": " + e.getMessage())));
      return;
    }
    String id = event.id().asKey();
    String day = event.logicalDate().toString();
    String checksum = checksums.of(event.record());
    if (handled.get(id) != null) {
      emitDryRun(new Receipt(workflow.name(), path, id, day, checksum, ReceiptOutcome.DUPLICATE, List.of(),
          Optional.empty()));
      return;
    }
    boolean effectsEnabled = replayEffectsAllowed && policy.get() == EffectsPolicy.ENABLE;
    Context handlerContext = new Context(path, event.logicalDate(), effectsEnabled);
    try {
      workflow.handle(event, handlerContext);
    } catch (Exception e) {
      emitDryRun(new Receipt(workflow.name(), path, id, day, checksum, ReceiptOutcome.FAILED, List.of(),
          Optional.of(e.getClass().getSimpleName() + ": " + e.getMessage())));
      return;
    }
    // Never handlerContext.apply(): the state writes and view rows it buffered are dropped.
    // The receipt EXECUTE would end with: its executor's (PROCESSED, what it performed) or its own.
    List<Effect> performed = performable(path, handlerContext.effects);
    boolean wouldPerform = effectsEnabled && !performed.isEmpty();
    List<Effect> listed = wouldPerform ? performed : handlerContext.effects;
    emitDryRun(new Receipt(workflow.name(), path, id, day, checksum,
        wouldPerform ? ReceiptOutcome.PROCESSED : withoutEffects(effectsEnabled, performed, handlerContext.effects),
        describe(listed), Optional.empty(), listed.stream().map(e -> e.target().orElse("")).toList(),
        listed.stream().map(Effect::payload).filter(java.util.Objects::nonNull).findFirst()
            .map(p -> p.length() <= Receipt.SAMPLE_CHARS ? p : p.substring(0, Receipt.SAMPLE_CHARS))));
  }

  /** The effects that may run for the event: all of them live, none that are live-only in a replay. */
  private static List<Effect> performable(Optional<String> backfillId, List<Effect> effects) {
    return backfillId.isEmpty() ? effects : effects.stream().filter(e -> !e.liveOnly()).toList();
  }

  /** The outcome of an event handled without performing effects: SUPPRESSED if it asked for any that did not run. */
  private static ReceiptOutcome withoutEffects(boolean effectsEnabled, List<Effect> performed, List<Effect> asked) {
    return !effectsEnabled || performed.size() < asked.size() ? ReceiptOutcome.SUPPRESSED : ReceiptOutcome.PROCESSED;
  }

  /** Effects as receipts list them. */
  private static List<String> describe(List<Effect> effects) {
    return effects.stream().map(e -> e.sink() + ": " + e.description()).toList();
  }

  private void emitDryRun(Receipt receipt) {
    context.forward(new Record<>(receipt.eventId().getBytes(StandardCharsets.UTF_8), receipts.encode(receipt),
        context.currentSystemTimeMs()), DRY_RUNS);
  }

  /** The record decoded with its writer schema and upcast to the latest version, as an event. */
  private Event decode(byte[] value, Optional<String> backfillId) {
    var writer = registry.schemaById(AvroWireFormat.schemaId(value));
    return event(chain.upcastToLatest(reader.decode(value, writer)), backfillId);
  }

  /**
   * The event as the workflow sees it, its identity and time read by its type's plugin; a plugin
   * that cannot read them from a record makes it a dead letter, not a crash of the task.
   */
  private Event event(GenericRecord upcast, Optional<String> backfillId) {
    String id;
    long eventTime;
    try {
      id = eventType.eventId(upcast);
      eventTime = eventType.eventTimeMillis(upcast);
    } catch (RuntimeException e) {
      if (e instanceof RepriseNonRetriableException known) {
        throw known;
      }
      throw new MissingEventIdentityException("event type '" + eventType.name() + "' cannot read the identity or time of "
          + upcast.getSchema().getFullName() + ": " + e, e);
    }
    return new Event(EventId.of(id), eventType.name(), upcast, Instant.ofEpochMilli(eventTime), backfillId);
  }

  private void deadLetter(Record<byte[], byte[]> record, RecordMetadata input, Optional<String> backfillId,
      String eventId, String day, String checksum, Exception error) {
    log.warn("workflow '{}': dead-lettering {} ({})", workflow.name(), coordinates(input), error.toString());
    Headers headers = DeadLetters.headers(record.headers(), WorkflowHeaders.STAGE_HANDLE, error, input.topic(),
        input.partition(), input.offset(), eventId, backfillId);
    context.forward(new Record<>(record.key(), record.value(), record.timestamp(), headers), DEAD_LETTERS);
    emit(new Receipt(workflow.name(), backfillId, eventId == null ? coordinates(input) : eventId, day, checksum,
        ReceiptOutcome.FAILED, List.of(), Optional.of(error.getClass().getSimpleName() + ": " + error.getMessage())));
  }

  private void emit(Receipt receipt) {
    outcomes.count(receipt.outcome());
    context.forward(new Record<>(receipt.eventId().getBytes(StandardCharsets.UTF_8), receipts.encode(receipt),
        context.currentSystemTimeMs()), RECEIPTS);
  }

  private static String coordinates(RecordMetadata input) {
    return input.topic() + "-" + input.partition() + "@" + input.offset();
  }

  private static String header(Headers headers, String name) {
    Header header = headers.lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
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

  /**
   * The handler's view of the world. Effects, state writes and view rows are buffered and applied
   * only if the handler returns: a failed event leaves no trace but its dead letter.
   */
  private final class Context implements WorkflowContext, WorkflowState {
    private final Optional<String> backfillId;
    private final LocalDate logicalDate;
    private final boolean effectsEnabled;
    private final List<Effect> effects = new ArrayList<>();
    private final Map<String, Optional<String>> writes = new HashMap<>();
    private final Map<String, String> rows = new LinkedHashMap<>();

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
    public void perform(Effect effect) {
      if (!sinks.contains(effect.sink())) {
        throw new IllegalArgumentException("workflow '" + workflow.name() + "' has no effect sink '" + effect.sink()
            + "'; configured: " + sinks);
      }
      effects.add(effect);
    }

    @Override
    public WorkflowState state() {
      return this;
    }

    @Override
    public void publish(String key, String value) {
      rows.put(key, value);
    }

    @Override
    public Optional<String> get(String key) {
      Optional<String> written = writes.get(key);
      return written != null ? written : Optional.ofNullable(state.get(key));
    }

    @Override
    public void put(String key, String value) {
      writes.put(key, Optional.of(value));
    }

    @Override
    public void delete(String key) {
      writes.put(key, Optional.empty());
    }

    void apply() {
      writes.forEach((key, value) -> {
        if (value.isPresent()) {
          state.put(key, value.get());
        } else {
          state.delete(key);
        }
      });
      rows.forEach((key, value) -> context.forward(new Record<>(key.getBytes(StandardCharsets.UTF_8),
          value == null ? null : value.getBytes(StandardCharsets.UTF_8), context.currentSystemTimeMs()), VIEW));
    }
  }
}
