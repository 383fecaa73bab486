package dev.reprise.verify;

import dev.reprise.backpressure.LagMonitor;
import dev.reprise.backpressure.LagUnavailableException;
import dev.reprise.core.RepriseRetriableException;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.BackfillStatus.PartitionProgress;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.protocol.EventTypeChoice;
import dev.reprise.protocol.ReplayCommand;
import dev.reprise.protocol.Provenance;
import dev.reprise.registry.SchemaRegistryClient;
import dev.reprise.registry.serde.AvroWireFormat;
import dev.reprise.replay.EventFilter;
import dev.reprise.replay.EventReplayer;
import dev.reprise.spi.EventChecksum;
import dev.reprise.spi.EventType;
import dev.reprise.spi.EventTypes;
import dev.reprise.spi.upcast.UnsupportedVersionException;
import dev.reprise.spi.upcast.UpcastException;
import dev.reprise.spi.upcast.UpcasterChain;
import dev.reprise.verify.VerificationReport.DayCheck;
import dev.reprise.verify.VerificationReport.Side;
import dev.reprise.workflow.Receipt;
import dev.reprise.workflow.ReceiptOutcome;
import dev.reprise.workflow.WorkflowEffects;
import dev.reprise.workflow.WorkflowReceipts;
import dev.reprise.workflow.WorkflowTopics;
import dev.reprise.workflow.api.Effect;
import dev.reprise.workflow.api.EffectSink;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A backfill is not done until it is verified. After it COMPLETED:
 * <ol>
 *   <li><b>per day</b> of event time: count and an order-independent checksum of the source
 *       records of its plan that upcast and match its range and filters — computed here,
 *       independently of the coordinator's replay code — against the backfill topic, and against
 *       the receipts of every workflow the request names (an event counts once per workflow, as
 *       its latest receipt for this backfill, unless that is FAILED);
 *   <li><b>a sample</b> (default 1,000) of records compared field by field between the upcast
 *       source record and the backfill topic's record, matched by source coordinates;
 *   <li><b>at the sinks</b>, for workflows whose sinks it was given ({@link #checkingSinks}): every
 *       effect performed for the backfill seen exactly once by its sink, where the sink can count.
 * </ol>
 * The backfill's status then moves to VERIFIED or VERIFICATION_FAILED, naming the days and records
 * that differ: the verifier sends the outcome as a VERIFY command, and the coordinator, the only
 * writer of statuses, records it (if the access policy lets this verifier's team verify).
 *
 * <pre>{@code
 * var verifier = new BackfillVerifier(clientConfig, registry, client);
 * VerificationReport report = verifier.verify("orders-2023");   // and records the outcome in the status
 * }</pre>
 *
 * <p><b>On a compacted source</b> a backfill promises every record of its plan's offsets that is
 * still in the log when the coordinator reads it: an older revision that the cleaner removes first
 * is not history (its key's later revision is, or is live traffic). The cleaner keeps running after
 * the replay, so the verifier expects a replayed record that has since left the source as the
 * backfill topic has it, when a later record of its key (or the absence of its key, deleted) explains
 * why it left; the report counts those ({@link VerificationReport#compacted()}, {@link
 * VerificationReport#deleted()}). A record still in the source and missing downstream fails.
 *
 * <p>The upcaster chain must be configured as the coordinator's (default tenant, zone fallback).
 */
public final class BackfillVerifier {

  private static final Duration POLL = Duration.ofMillis(200);
  private static final int LISTED_DIFFERENCES = 20;
  private static final Duration RECORD_TIMEOUT = Duration.ofSeconds(60);

  private final Map<String, Object> clientConfig;
  private final SchemaRegistryClient registry;
  private final BackfillClient client;
  private final EventTypeChoice eventTypes;
  private final Clock clock;
  private final int sampleSize;
  private final Map<String, Map<String, EffectSink>> sinks;

  public BackfillVerifier(Map<String, ?> clientConfig, SchemaRegistryClient registry, BackfillClient client) {
    this(clientConfig, registry, client, new EventTypeChoice(EventTypes.all(), null), Clock.systemUTC(), 1_000);
  }

  /**
   * @param eventType the coordinator's (the same settings, such as a default tenant)
   * @param sampleSize records compared field by field
   */
  public BackfillVerifier(Map<String, ?> clientConfig, SchemaRegistryClient registry, BackfillClient client,
      EventType eventType, Clock clock, int sampleSize) {
    this(clientConfig, registry, client, EventTypeChoice.only(eventType), clock, sampleSize);
  }

  /**
   * @param eventTypes the coordinator's (the same settings, such as a default tenant): a backfill
   *     is verified with the event type its request names
   * @param sampleSize records compared field by field
   */
  public BackfillVerifier(Map<String, ?> clientConfig, SchemaRegistryClient registry, BackfillClient client,
      EventTypeChoice eventTypes, Clock clock, int sampleSize) {
    this(clientConfig, registry, client, eventTypes, clock, sampleSize, Map.of());
  }

  private BackfillVerifier(Map<String, ?> clientConfig, SchemaRegistryClient registry, BackfillClient client,
      EventTypeChoice eventTypes, Clock clock, int sampleSize, Map<String, Map<String, EffectSink>> sinks) {
    this.clientConfig = Map.copyOf(clientConfig);
    this.registry = registry;
    this.client = client;
    this.eventTypes = eventTypes;
    this.clock = clock;
    this.sampleSize = sampleSize;
    this.sinks = Map.copyOf(sinks);
  }

  /**
   * This verifier, also checking at {@code workflow}'s sinks that each effect it performed for the
   * backfill happened there exactly once (stage three), where a sink can count ({@link
   * EffectSink#timesPerformed}); the sinks are the workflow's, configured as its worker has them.
   *
   * <pre>{@code
   * verifier.checkingSinks("notify", List.of(new HttpWebhookSink("webhook", hookUrl, lookupUrl))).verify(id);
   * }</pre>
   */
  public BackfillVerifier checkingSinks(String workflow, Collection<? extends EffectSink> workflowSinks) {
    Map<String, Map<String, EffectSink>> all = new TreeMap<>(sinks);
    Map<String, EffectSink> named = new TreeMap<>(all.getOrDefault(workflow, Map.of()));
    workflowSinks.forEach(sink -> named.put(sink.name(), sink));
    all.put(workflow, Map.copyOf(named));
    return new BackfillVerifier(clientConfig, registry, client, eventTypes, clock, sampleSize, all);
  }

  /**
   * Verifies {@code backfillId} and records the outcome in its status, if every workflow it names
   * has caught up; see {@link #verify(String, Duration)}.
   */
  public VerificationReport verify(String backfillId) {
    return verify(backfillId, Duration.ZERO);
  }

  /**
   * Verifies {@code backfillId} and records the outcome in its status, once every workflow the
   * request names has read the whole backfill topic and performed the effects it asked for:
   * comparing receipts while a workflow is still at work would record a failure that is not one.
   *
   * @param waitForWorkflows how long to wait for them to catch up
   * @throws WorkflowsBehindException if they have not caught up in time; nothing is recorded
   * @throws IllegalArgumentException if it does not exist, is a PREVIEW, or has not completed
   */
  public VerificationReport verify(String backfillId, Duration waitForWorkflows) {
    BackfillStatus status = client.status(backfillId)
        .orElseThrow(() -> new IllegalArgumentException("there is no backfill '" + backfillId + "'"));
    awaitWorkflows(status, waitForWorkflows);
    VerificationReport report = check(status);
    ReplayCommand.Verification outcome = new ReplayCommand.Verification(
        report.verified() ? Optional.empty() : Optional.of(report.failures()),
        report.failedDays().stream().map(VerificationReport.DayCheck::day).toList());
    if (!coordinatorRunning()) {
      throw new VerificationNotRecordedException(report, "no coordinator is running to record it (the group "
          + ControlTopics.COORDINATOR_GROUP + " has no members); start one and verify again");
    }
    client.verify(backfillId, outcome);
    awaitRecorded(status, report, outcome.verdict());
    return report;
  }

  private boolean coordinatorRunning() {
    try (Admin admin = Admin.create(clientConfig)) {
      return !admin.describeConsumerGroups(List.of(ControlTopics.COORDINATOR_GROUP)).all()
          .get(30, TimeUnit.SECONDS).get(ControlTopics.COORDINATOR_GROUP).members().isEmpty();
    } catch (ExecutionException | TimeoutException e) {
      // Cannot tell: send it, and the wait for the answer says whether anyone recorded it.
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  /**
   * Waits for the coordinator to record the outcome (only coordinators write statuses): the next
   * status of the backfill is either the verdict or a refusal, which is thrown.
   */
  private void awaitRecorded(BackfillStatus before, VerificationReport report, BackfillState verdict) {
    Optional<BackfillStatus> was = Optional.of(before);
    BackfillStatus recorded = client.awaitStatus(before.backfillId(), s -> s.updatedAt().isAfter(before.updatedAt())
            && (s.state() == verdict || s.refusalSince(was).isPresent()), RECORD_TIMEOUT, clock)
        .orElseThrow(() -> new VerificationNotRecordedException(report, "no coordinator recorded the outcome within "
            + RECORD_TIMEOUT.toSeconds() + " s (is one running? it records every VERIFY sent on "
            + client.requestTopic() + ")"));
    Optional<String> refused = recorded.refusalSince(was);
    if (refused.isPresent()) {
      throw new VerificationNotRecordedException(report, refused.get());
    }
  }

  private void awaitWorkflows(BackfillStatus status, Duration timeout) {
    List<String> workflows = status.request().map(BackfillRequest::workflows).orElse(List.of());
    if (workflows.isEmpty() || !status.state().canBeVerified()) {
      return;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    try (LagMonitor lag = LagMonitor.create(clientConfig, clock); Admin admin = Admin.create(clientConfig)) {
      while (true) {
        List<String> behind = behind(lag, admin, status.backfillId(), workflows);
        if (behind.isEmpty()) {
          return;
        }
        if (System.nanoTime() >= deadline) {
          throw new WorkflowsBehindException(status.backfillId(), behind);
        }
        LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
      }
    }
  }

  /** What each named workflow still has to do for this backfill, one line each; empty when none. */
  private List<String> behind(LagMonitor lag, Admin admin, String backfillId, List<String> workflows) {
    List<String> behind = new ArrayList<>();
    String topic = ControlTopics.backfillTopic(backfillId);
    Set<String> topics = topics(admin);
    for (String workflow : workflows) {
      long records = lag.lag(ControlTopics.workflowGroup(workflow), List.of(topic)).unread();
      if (records > 0) {
        behind.add("workflow '" + workflow + "' has " + records + " record(s) of " + topic + " to read");
      }
      String outbox = WorkflowTopics.effects(workflow);
      if (topics.contains(outbox)) {
        long effects = lag.lag(WorkflowTopics.effectsGroup(workflow), List.of(outbox)).unread();
        if (effects > 0) {
          behind.add("workflow '" + workflow + "' has " + effects + " effect request(s) to perform");
        }
      }
    }
    return behind;
  }

  private static Set<String> topics(Admin admin) {
    try {
      return admin.listTopics().names().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while listing topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new LagUnavailableException("cannot list topics: " + e, e);
    }
  }

  /** Verifies without recording anything. */
  public VerificationReport check(BackfillStatus status) {
    BackfillRequest request = status.request().orElseThrow(
        () -> new IllegalArgumentException("backfill '" + status.backfillId() + "' has no request to verify against"));
    if (request.mode() != BackfillRequest.Mode.EXECUTE) {
      throw new IllegalArgumentException("backfill '" + status.backfillId() + "' is a PREVIEW: nothing was published");
    }
    if (!status.state().canBeVerified()) {
      throw new IllegalArgumentException("backfill '" + status.backfillId() + "' is " + status.state()
          + "; only a COMPLETED backfill can be verified");
    }
    EventType eventType = eventTypes.of(request).orElseThrow(() -> new IllegalArgumentException("backfill '"
        + status.backfillId() + "' cannot be verified here: " + eventTypes.whyNone(request)));
    int targetVersion = request.targetSchemaVersion().orElse(eventType.versions().latestVersion());
    // The coordinator's own pipeline: what it must have published, recomputed from the source.
    EventReplayer replayer = new EventReplayer(registry, eventType,
        new EventFilter(request.fromMillis(), request.toMillis(), request.filters()), targetVersion, -1);
    long planned = status.partitions().stream().mapToLong(p -> p.endOffset() - p.startOffset()).sum();
    long every = Math.max(1, planned / Math.max(1, sampleSize));

    TreeMap<LocalDate, Side> expected = new TreeMap<>();
    Map<String, GenericRecord> samples = new HashMap<>();
    Checksums checksums = new Checksums(eventType.newChain(), eventType.checksum(),
        EventChecksum.canonical(eventType.versions().schema(targetVersion)));
    Map<Integer, PartitionProgress> plan = new HashMap<>();
    Map<Integer, BitSet> inSource = new HashMap<>();
    for (PartitionProgress p : status.partitions()) {
      BitSet present = new BitSet();
      plan.put(p.partition(), p);
      inSource.put(p.partition(), present);
      read(new TopicPartition(request.sourceTopic(), p.partition()), p.startOffset(), p.endOffset(), record -> {
        present.set(Math.toIntExact(record.offset() - p.startOffset()));
        if (!(replayer.process(record.value()) instanceof EventReplayer.Matched matched)) {
          return;
        }
        GenericRecord upcast = matched.upcast();
        expected.merge(day(eventType, upcast), Side.EMPTY.plus(value(checksums.of(upcast))), BackfillVerifier::add);
        if (record.offset() % every == 0 && samples.size() < sampleSize) {
          samples.put(record.partition() + "@" + record.offset(), upcast);
        }
      });
    }

    TreeMap<LocalDate, Side> published = new TreeMap<>();
    List<String> differences = new ArrayList<>();
    long[] compared = {0};
    long[] mismatches = {0};
    GoneFromSource gone = new GoneFromSource();
    String topic = ControlTopics.backfillTopic(status.backfillId());
    AvroWireFormat.Reader reader = AvroWireFormat.reader();
    for (TopicPartition partition : partitions(topic)) {
      read(partition, -1, -1, record -> {
        Schema writer = registry.schemaById(AvroWireFormat.schemaId(record.value()));
        GenericRecord replayed = reader.decode(record.value(), writer);
        LocalDate day = day(eventType, replayed);
        long checksum = value(checksums.of(replayed));
        published.merge(day, Side.EMPTY.plus(checksum), BackfillVerifier::add);
        String coordinates = provenance(record);
        gone.consider(plan, inSource, coordinates, record.key(), day, checksum);
        GenericRecord source = samples.remove(coordinates);
        if (source != null) {
          compared[0]++;
          List<String> fields = differingFields(source, replayed);
          if (!fields.isEmpty()) {
            mismatches[0]++;
            note(differences, "source " + coordinates + " differs in " + fields);
          }
        }
      });
    }
    gone.resolve(request.sourceTopic(), expected, differences);
    for (String missing : new TreeSet<>(samples.keySet())) {
      compared[0]++;
      mismatches[0]++;
      note(differences, "source " + missing + " is missing from the backfill topic");
    }

    Map<String, TreeMap<LocalDate, Side>> receipts = new TreeMap<>();
    EffectsCheck atSinks = new EffectsCheck();
    for (String workflow : request.workflows()) {
      Map<String, List<Receipt>> byEvent = WorkflowReceipts.of(clientConfig, registry, workflow, status.backfillId());
      receipts.put(workflow, receiptsPerDay(byEvent));
      Map<String, EffectSink> its = sinks.get(workflow);
      if (its != null) {
        atSinks.check(workflow, its, byEvent, WorkflowEffects.of(clientConfig, registry, workflow, status.backfillId()));
      }
    }
    TreeSet<LocalDate> days = new TreeSet<>(expected.keySet());
    days.addAll(published.keySet());
    receipts.values().forEach(r -> days.addAll(r.keySet()));
    List<DayCheck> checks = new ArrayList<>();
    for (LocalDate day : days) {
      Map<String, Side> perWorkflow = new TreeMap<>();
      receipts.forEach((workflow, byDay) -> perWorkflow.put(workflow, byDay.getOrDefault(day, Side.EMPTY)));
      checks.add(new DayCheck(day, expected.getOrDefault(day, Side.EMPTY), published.getOrDefault(day, Side.EMPTY),
          perWorkflow));
    }
    return new VerificationReport(status.backfillId(), checks, compared[0], differences, mismatches[0],
        gone.superseded, gone.deleted, atSinks.result());
  }

  /** Per day, the events whose latest receipt of this backfill says the workflow saw them. */
  private static TreeMap<LocalDate, Side> receiptsPerDay(Map<String, List<Receipt>> byEvent) {
    TreeMap<LocalDate, Side> byDay = new TreeMap<>();
    for (List<Receipt> receipts : byEvent.values()) {
      Receipt latest = receipts.get(receipts.size() - 1);
      if (WorkflowReceipts.handled(receipts) && !latest.eventDay().isEmpty()) {
        byDay.merge(LocalDate.parse(latest.eventDay()), Side.EMPTY.plus(value(latest.checksum())), BackfillVerifier::add);
      }
    }
    return byDay;
  }

  private static List<String> differingFields(GenericRecord expected, GenericRecord actual) {
    List<String> fields = new ArrayList<>();
    if (!expected.getSchema().equals(actual.getSchema())) {
      fields.add("schema (" + expected.getSchema().getFullName() + " vs " + actual.getSchema().getFullName() + ")");
      return fields;
    }
    for (Schema.Field field : expected.getSchema().getFields()) {
      if (!normalized(expected.get(field.pos())).equals(normalized(actual.get(field.pos())))) {
        fields.add(field.name());
      }
    }
    return fields;
  }

  /** Strings as Utf8 or String, maps with either keys: compared by their text. */
  private static Object normalized(Object value) {
    if (value instanceof CharSequence text) {
      return text.toString();
    }
    if (value instanceof Map<?, ?> map) {
      TreeMap<String, Object> sorted = new TreeMap<>();
      map.forEach((k, v) -> sorted.put(k.toString(), normalized(v)));
      return sorted;
    }
    return value == null ? "null" : value.toString();
  }

  private static void note(List<String> differences, String line) {
    if (differences.size() < LISTED_DIFFERENCES) {
      differences.add(line);
    }
  }

  private static Side add(Side a, Side b) {
    return new Side(a.count() + b.count(), a.checksum() + b.checksum());
  }

  /** @param record at the target version or later */
  private static LocalDate day(EventType eventType, GenericRecord record) {
    return LocalDate.ofInstant(Instant.ofEpochMilli(eventType.eventTimeMillis(record)), ZoneOffset.UTC);
  }

  /**
   * Stage three: each performed effect asked of its sink, which must have seen it exactly once.
   * The questions are independent and mostly waiting on the network, so a few run at a time.
   */
  private static final class EffectsCheck {
    private static final int CONCURRENT_QUESTIONS = 16;

    private long checked;
    private long notOnce;
    private long uncountable;
    private final List<String> findings = new ArrayList<>();

    private record Question(String workflow, EffectSink sink, Effect effect) {}

    void check(String workflow, Map<String, EffectSink> sinks, Map<String, List<Receipt>> receipts,
        Map<String, List<Effect>> effects) {
      List<Question> questions = new ArrayList<>();
      effects.forEach((eventId, asked) -> {
        List<Receipt> its = receipts.getOrDefault(eventId, List.of());
        if (its.isEmpty() || its.get(its.size() - 1).outcome() != ReceiptOutcome.PROCESSED) {
          return;   // not performed (yet), or failed: nothing to expect at the sink
        }
        for (Effect effect : asked) {
          EffectSink sink = sinks.get(effect.sink());
          if (sink != null) {
            questions.add(new Question(workflow, sink, effect));
          }
        }
      });
      if (questions.isEmpty()) {
        return;
      }
      ExecutorService pool = Executors.newFixedThreadPool(Math.min(CONCURRENT_QUESTIONS, questions.size()), r -> {
        Thread thread = new Thread(r, "reprise-verify-sinks");
        thread.setDaemon(true);
        return thread;
      });
      try {
        List<Future<OptionalLong>> answers = new ArrayList<>(questions.size());
        for (Question question : questions) {
          answers.add(pool.submit(() -> question.sink().timesPerformed(question.effect())));
        }
        for (int i = 0; i < questions.size(); i++) {
          record(questions.get(i), answer(questions.get(i), answers.get(i)));
        }
      } finally {
        pool.shutdownNow();
      }
    }

    private static OptionalLong answer(Question question, Future<OptionalLong> answer) {
      try {
        return answer.get();
      } catch (ExecutionException e) {
        throw new RepriseRetriableException("cannot ask sink '" + question.effect().sink() + "' of workflow '"
            + question.workflow() + "' about " + question.effect().idempotencyKey() + ": " + e.getCause(), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RepriseRetriableException("interrupted while asking the sinks", e);
      }
    }

    private void record(Question question, OptionalLong times) {
      if (times.isEmpty()) {
        uncountable++;
        return;
      }
      checked++;
      if (times.getAsLong() != 1) {
        notOnce++;
        if (findings.size() < LISTED_DIFFERENCES) {
          findings.add("workflow " + question.workflow() + ", sink " + question.effect().sink() + ": "
              + question.effect().idempotencyKey() + " performed " + times.getAsLong() + " times");
        }
      }
    }

    VerificationReport.EffectsAtSinks result() {
      return new VerificationReport.EffectsAtSinks(checked, notOnce, uncountable, findings);
    }
  }

  /**
   * Replayed records that are no longer in the source: on a compacted topic the cleaner removes a
   * record once a later record of its key (a new revision, or a tombstone) exists, and the
   * tombstone itself after {@code delete.retention.ms}. Such a record cannot be recomputed from the
   * source, so it is expected as the backfill topic has it, once, counted, if the source's present
   * state explains its absence: a later record of its key is there ({@link #superseded}), or no
   * record of its key is left at all ({@link #deleted}). Anything else (its key's latest record is
   * older than it, or its coordinates are outside the plan) stays unexpected, and fails the day.
   */
  private final class GoneFromSource {
    private final Map<Integer, Map<String, Gone>> byPartition = new TreeMap<>();
    long superseded;
    long deleted;

    private record Gone(long offset, ByteBuffer key, LocalDate day, long checksum) {}

    void consider(Map<Integer, PartitionProgress> plan, Map<Integer, BitSet> inSource, String coordinates, byte[] key,
        LocalDate day, long checksum) {
      int at = coordinates.indexOf('@');
      int partition;
      long offset;
      try {
        partition = Integer.parseInt(coordinates.substring(0, at));
        offset = Long.parseLong(coordinates.substring(at + 1));
      } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
        return;   // no provenance: nothing explains it, and the day check fails
      }
      PartitionProgress p = plan.get(partition);
      if (p == null || key == null || offset < p.startOffset() || offset >= p.endOffset()
          || inSource.get(partition).get(Math.toIntExact(offset - p.startOffset()))) {
        return;
      }
      // A record published twice is expected once: the second copy still fails the day.
      byPartition.computeIfAbsent(partition, x -> new HashMap<>())
          .putIfAbsent(coordinates, new Gone(offset, ByteBuffer.wrap(key), day, checksum));
    }

    /** Reads each partition holding such records once, whole, for the latest offset of their keys. */
    void resolve(String sourceTopic, TreeMap<LocalDate, Side> expected, List<String> differences) {
      byPartition.forEach((partition, records) -> {
        Map<ByteBuffer, Long> latest = new HashMap<>();
        records.values().forEach(g -> latest.put(g.key(), -1L));
        read(new TopicPartition(sourceTopic, partition), -1, -1, record -> {
          ByteBuffer key = record.key() == null ? null : ByteBuffer.wrap(record.key());
          if (key != null && latest.containsKey(key)) {
            latest.put(key, record.offset());
          }
        });
        records.forEach((coordinates, g) -> {
          long last = latest.get(g.key());
          if (last > g.offset()) {
            superseded++;
          } else if (last < 0) {
            deleted++;
          } else {
            note(differences, "source " + coordinates + " was published but is not in the source, and a record of its"
                + " key before it is: compaction cannot have removed it");
            return;
          }
          expected.merge(g.day(), Side.EMPTY.plus(g.checksum()), BackfillVerifier::add);
        });
      });
    }
  }

  /**
   * Checksums of records at the target version: of the record upcast to the latest version, as a
   * workflow's receipt has it; a record that a backfill to an older target published but that does
   * not reach the latest version (its later step fails) is summed at its target version instead,
   * the same way on the source side and the backfill side (no workflow can have handled it).
   */
  private static final class Checksums {
    private final UpcasterChain chain;
    private final EventChecksum latest;
    private final EventChecksum target;

    Checksums(UpcasterChain chain, EventChecksum latest, EventChecksum target) {
      this.chain = chain;
      this.latest = latest;
      this.target = target;
    }

    String of(GenericRecord record) {
      try {
        return latest.of(chain.upcastToLatest(record));
      } catch (UpcastException | UnsupportedVersionException e) {
        return target.of(record);
      }
    }
  }

  private static long value(String checksumHex) {
    return checksumHex.isEmpty() ? 0 : Long.parseUnsignedLong(checksumHex, 16);
  }

  /**
   * {@code PARTITION@OFFSET} in the source of a published record, or "?@?" when it carries no
   * readable provenance (it then matches no planned coordinates, and fails its day if unexpected).
   */
  private static String provenance(ConsumerRecord<byte[], byte[]> record) {
    try {
      return Provenance.of(record.headers()).map(Provenance::coordinates).orElse("?@?");
    } catch (IllegalArgumentException e) {
      return "?@?";
    }
  }

  private List<TopicPartition> partitions(String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      var infos = consumer.listTopics(Duration.ofSeconds(30)).get(topic);
      return infos == null ? List.of() : infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    }
  }

  /** Reads {@code [from, to)} of one partition as a read_committed consumer; -1 means its beginning / end. */
  private void read(TopicPartition partition, long from, long to, Consumer<ConsumerRecord<byte[], byte[]>> each) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      consumer.assign(List.of(partition));
      long end = to >= 0 ? to : consumer.endOffsets(List.of(partition)).get(partition);
      if (from >= 0) {
        consumer.seek(partition, from);
      } else {
        consumer.seekToBeginning(List.of(partition));
      }
      while (consumer.position(partition) < end) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          if (record.offset() < end) {
            each.accept(record);
          }
        }
      }
    }
  }

  private KafkaConsumer<byte[], byte[]> consumer() {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
