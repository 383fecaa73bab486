package dev.reprise.coordinator.internal;

import dev.reprise.core.KafkaClientObserver;
import dev.reprise.core.RepriseException;
import dev.reprise.core.RepriseNonRetriableException;
import dev.reprise.core.RepriseRetriableException;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus.PartitionProgress;
import dev.reprise.protocol.BackfillStatus.UpcastSample;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.BackfillThrottle;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.protocol.IllegalBackfillTransitionException;
import dev.reprise.protocol.LivePositions;
import dev.reprise.protocol.ReplayCommand;
import dev.reprise.protocol.ReplayHeaders;
import dev.reprise.protocol.internal.Topics;
import dev.reprise.registry.serde.RegistryAvroSerdeConfig;
import dev.reprise.replay.EventFilter;
import dev.reprise.replay.EventReplayer;
import dev.reprise.spi.EventType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One backfill, replayed by one thread: plan, then read the source from the committed position,
 * and publish upcast records, dead letters, the status and the source offsets in one transaction
 * per commit interval.
 *
 * <p>Invariants, which the resume path relies on:
 *
 * <ul>
 *   <li>A committed transaction holds the records, the source offsets (under {@link
 *       ControlTopics#replayGroup}) and a status whose counters and positions describe exactly that
 *       point. A new owner continues from the committed offsets with the committed counters.
 *   <li>An aborted transaction leaves nothing: the run seeks back to its last committed positions
 *       and restores its last committed counters ({@link #rewind}).
 *   <li>The producer's transactional id is stable per backfill, so {@code initTransactions} by a
 *       new owner fences the old one and aborts whatever it left open.
 *   <li>The plan (end offsets) is fixed once, in the PLANNED status; live writes after it are not
 *       part of the backfill.
 * </ul>
 */
public final class BackfillRun implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(BackfillRun.class);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);
  private static final long MAX_BACKOFF_MILLIS = 30_000;
  private static final int MAX_SAMPLES = 5;
  /** The share of a PREVIEW's plan its pilot replays for real. */
  static final double PILOT_SHARE = 0.01;
  /** ... and at least this many offsets per partition. */
  static final long PILOT_MIN_OFFSETS = 1_000;
  /** Added to the pilot's extrapolation: days and partitions are not even. */
  static final double PILOT_SKEW_BUFFER = 0.2;

  private record Signal(ReplayCommand.Type type, String note, OptionalDouble rate) {}

  /** Wakes the run from a wait (paused, backing off) to notice {@link #stop}. */
  private static final Signal WAKE = new Signal(null, null, OptionalDouble.empty());

  private final RunContext ctx;
  private final String backfillId;
  private final BackfillRequest request;
  private final boolean execute;
  private final BlockingDeque<Signal> signals = new LinkedBlockingDeque<>();
  private final CountDownLatch finished = new CountDownLatch(1);
  private final AtomicReference<Exception> sendError = new AtomicReference<>();
  private volatile boolean stopRequested;
  private volatile BackfillState state;

  private KafkaProducer<byte[], byte[]> producer;
  private KafkaConsumer<byte[], byte[]> consumer;
  private AutoCloseable producerMetrics;
  private AutoCloseable consumerMetrics;
  private boolean inTransaction;
  private long transactionStartMillis;
  private int partitionCount;
  private long[] start;
  private long[] end;
  private long[] positions;
  private long[] committedPositions;
  private RunCounters working = new RunCounters();
  private RunCounters committed = new RunCounters();
  private EventReplayer[] replayers;
  private ExecutorService workers;
  private PublishPacer pacer;
  private volatile AdaptiveThrottle throttle;
  /** A PREVIEW's pilot: the first share of each partition's plan, replayed for real into a scratch topic. */
  private long[] pilotEnd;
  private long pilotStartNanos;
  private double pilotOffsetsPerSecond;
  private Long estimatedSeconds;
  private OptionalDouble operatorLimit = OptionalDouble.empty();
  private final List<UpcastSample> samples = new ArrayList<>();
  private final byte[] backfillIdBytes;
  private final byte[] sourceTopicBytes;
  private byte[][] versionBytes;
  private final Map<Long, byte[]> dayBytes = new HashMap<>();
  private byte[][] partitionBytes;
  private String rejectedCommand;
  private Instant startedAt;
  private String transientReason;
  private long rateMillis;
  private long rateScanned;
  private long rateConsumed;
  private double recordsPerSecond;
  private double offsetsPerSecond;

  /**
   * @param status the status the backfill is known by (ACCEPTED for a new one); the run re-reads
   *     the latest committed status once it has fenced any previous owner
   */
  public BackfillRun(RunContext ctx, BackfillStatus status) {
    this.ctx = ctx;
    this.backfillId = status.backfillId();
    this.request = status.request().orElseThrow(
        () -> new IllegalArgumentException("backfill '" + status.backfillId() + "' has no request to run"));
    this.execute = request.mode() == BackfillRequest.Mode.EXECUTE;
    this.state = status.state();
    this.rejectedCommand = status.rejectedCommand().orElse(null);
    this.backfillIdBytes = utf8(backfillId);
    this.sourceTopicBytes = utf8(request.sourceTopic());
  }

  public String backfillId() {
    return backfillId;
  }

  public BackfillRequest request() {
    return request;
  }

  /** The state as this run last committed it. */
  public BackfillState state() {
    return state;
  }

  /** The adaptive throttle now; empty if the run is not adaptive. */
  public Optional<BackfillThrottle> throttleStatus() {
    AdaptiveThrottle current = throttle;
    return current == null ? Optional.empty() : Optional.of(current.status());
  }

  /** Passes PAUSE, RESUME or CANCEL to the run; it answers within one poll (about 100 ms). */
  public void command(ReplayCommand.Type type) {
    signals.add(new Signal(type, null, OptionalDouble.empty()));
  }

  /**
   * Sets (or with an empty rate lifts) the operator's ceiling on the publish rate, below the
   * request's own maximum.
   */
  public void throttle(OptionalDouble maxRecordsPerSecond) {
    signals.add(new Signal(ReplayCommand.Type.THROTTLE, null, maxRecordsPerSecond));
  }

  /** Records a refused command in the backfill's next status. */
  public void note(String rejection) {
    signals.add(new Signal(null, rejection, OptionalDouble.empty()));
  }

  /**
   * Ends the run without changing the backfill's state: commits what it has (the next owner
   * continues from there) and returns. For shutdown and for a rebalance that moves the backfill.
   */
  public void stop() {
    stopRequested = true;
    signals.add(WAKE);
  }

  /** Waits until the run's thread has ended. */
  public boolean awaitFinished(Duration timeout) throws InterruptedException {
    return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public boolean isFinished() {
    return finished.getCount() == 0;
  }

  @Override
  public void run() {
    try {
      if (!start()) {
        return;
      }
      loop();
    } catch (RepriseNonRetriableException | AuthorizationException | AuthenticationException
        | UnsupportedVersionException | IllegalStateException e) {
      fail(e);
    } catch (RuntimeException e) {
      if (stopRequested) {
        log.info("backfill '{}' stopped: {}", backfillId, e.toString());
      } else {
        fail(e);
      }
    } finally {
      if (throttle != null && ctx.backpressure().ticker() != null) {
        ctx.backpressure().ticker().unregister(throttle);
      }
      closeClients();
      finished.countDown();
    }
  }

  /**
   * Fences any previous owner and loads (or makes) the plan, retrying what may pass (a registry
   * or broker outage) until it works or the run is stopped; false if there is nothing to do.
   */
  private boolean start() {
    int failures = 0;
    while (!stopRequested) {
      try {
        openProducer();
        return load();
      } catch (RepriseRetriableException | org.apache.kafka.common.errors.RetriableException e) {
        failures++;
        long backoff = Math.min(MAX_BACKOFF_MILLIS, 200L << Math.min(failures, 8));
        log.warn("backfill '{}': cannot start yet ({}); retrying in {} ms", backfillId, e.getMessage(), backoff);
        closeClients();
        backOff(backoff);
      }
    }
    return false;
  }

  /** Reads where the backfill stands after fencing; false if there is nothing to do. */
  private boolean load() {
    ctx.statusStore().catchUp(CLIENT_TIMEOUT);
    BackfillStatus status = ctx.statusStore().latest(backfillId).orElse(null);
    if (status != null && status.state().isTerminal()) {
      log.info("backfill '{}' is already {}", backfillId, status.state());
      state = status.state();
      return false;
    }
    if (status == null || status.partitions().isEmpty()) {
      plan();
      return true;
    }
    if (status.rejectedCommand().isPresent()) {
      rejectedCommand = status.rejectedCommand().get();
    }
    startedAt = status.startedAt().orElse(null);
    state = status.state();
    partitionCount = status.partitions().size();
    start = new long[partitionCount];
    end = new long[partitionCount];
    for (PartitionProgress p : status.partitions()) {
      start[p.partition()] = p.startOffset();
      end[p.partition()] = p.endOffset();
    }
    prepare();
    if (execute) {
      Map<TopicPartition, OffsetAndMetadata> offsets = consumer.committed(new java.util.HashSet<>(allPartitions()), CLIENT_TIMEOUT);
      positions = new long[partitionCount];
      for (int p = 0; p < partitionCount; p++) {
        OffsetAndMetadata offset = offsets.get(new TopicPartition(request.sourceTopic(), p));
        positions[p] = offset == null ? start[p] : offset.offset();
      }
      for (PartitionProgress p : status.partitions()) {
        if (p.position() != positions[p.partition()]) {
          // Offsets and status commit in one transaction; a difference means someone moved the group.
          log.warn("backfill '{}' partition {}: committed offset {} but status says {}; continuing from the offset",
              backfillId, p.partition(), positions[p.partition()], p.position());
        }
      }
      working = RunCounters.restore(status.counters(), status.countsPerDay(), status.evolution());
    } else {
      // A preview holds no offsets; after a takeover it scans again from the start.
      positions = start.clone();
      working = new RunCounters();
    }
    log.info("backfill '{}' resumes {} from {} (instance {})", backfillId, state, positionsText(), ctx.instanceId());
    committed = working.copy();
    committedPositions = positions.clone();
    if (!execute) {
      preparePilot();
    }
    seekAll();
    startRateWindow();
    return true;
  }

  private void startRateWindow() {
    rateMillis = ctx.clock().millis();
    rateScanned = working.scanned;
    rateConsumed = consumed();
  }

  /** Snapshots the source's offsets, creates the topics, and commits the PLANNED status. */
  private void plan() {
    partitionCount = Topics.describe(ctx.admin(), request.sourceTopic()).partitions().size();
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (TopicPartition tp : allPartitions()) {
      earliest.put(tp, OffsetSpec.earliest());
      latest.put(tp, OffsetSpec.latest());
    }
    // The last stable offset: records of a transaction still open on the source are not history yet.
    Map<TopicPartition, Long> startOffsets = listOffsets(earliest, IsolationLevel.READ_UNCOMMITTED);
    Map<TopicPartition, Long> endOffsets = listOffsets(latest, IsolationLevel.READ_COMMITTED);
    start = new long[partitionCount];
    end = new long[partitionCount];
    for (TopicPartition tp : allPartitions()) {
      start[tp.partition()] = startOffsets.get(tp);
      end[tp.partition()] = endOffsets.get(tp);
    }
    if (request.isHandover()) {
      handOver();
    }
    if (execute) {
      Map<String, String> configs = Map.of(
          TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
          TopicConfig.RETENTION_MS_CONFIG, String.valueOf(ctx.backfillRetention().toMillis()),
          // Retention runs on record timestamps; stamping the append time keeps 2023's events from
          // being deleted the moment they are republished. Event time travels in a header.
          TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
      Topics.ensure(ctx.admin(), new NewTopic(ControlTopics.backfillTopic(backfillId), Optional.of(partitionCount),
          ctx.replicationFactor()).configs(configs));
      Topics.ensure(ctx.admin(), new NewTopic(ControlTopics.deadLetterTopic(backfillId), Optional.of(partitionCount),
          ctx.replicationFactor()).configs(configs));
    }
    positions = start.clone();
    committedPositions = positions.clone();
    prepare();
    if (!execute) {
      preparePilot();
    }
    seekAll();
    startRateWindow();
    commit(BackfillState.PLANNED);
    log.info("backfill '{}' planned: {} offsets in {} partitions of '{}'", backfillId, planned(), partitionCount,
        request.sourceTopic());
  }

  /**
   * Ends the plan at the handover workflows' live positions on the source instead of the snapshot:
   * the history of a workflow is exactly what it will not read live. A workflow without a position
   * gets the snapshot as its position first (before it ever reads the topic), so everything from
   * there on is live to it and everything before is this backfill's. With several workflows, the
   * plan ends at the furthest position: a record one of them already handled live comes again
   * through the backfill, and its dedup store answers DUPLICATE (no gap, no second effect).
   *
   * <p>Done before the PLANNED status is committed; a coordinator that dies in between plans again
   * and finds the positions it set (or the workflow's progress since), which is just as gapless.
   * A PREVIEW sets nothing: it reports where the handover would be now.
   */
  private void handOver() {
    Map<Integer, Long> snapshot = new HashMap<>();
    for (int p = 0; p < partitionCount; p++) {
      snapshot.put(p, end[p]);
    }
    long[] handover = new long[partitionCount];
    for (String workflow : request.handoverWorkflows()) {
      String group = ControlTopics.workflowGroup(workflow);
      Map<Integer, Long> positions;
      if (execute) {
        LivePositions.Handover set = LivePositions.establish(ctx.admin(), group, request.sourceTopic(), snapshot);
        positions = set.positions();
        log.info("backfill '{}': workflow '{}' reads '{}' live from {} ({}); this backfill is its history before that",
            backfillId, workflow, request.sourceTopic(), positions,
            set.set().isEmpty() ? "its committed positions" : "set now on partitions " + set.set());
      } else {
        positions = new HashMap<>(snapshot);
        positions.putAll(LivePositions.committed(ctx.admin(), group, request.sourceTopic()));
      }
      for (int p = 0; p < partitionCount; p++) {
        handover[p] = Math.max(handover[p], positions.getOrDefault(p, snapshot.get(p)));
      }
    }
    for (int p = 0; p < partitionCount; p++) {
      // A position below the log start (compaction, retention) has nothing before it to replay.
      end[p] = Math.max(start[p], handover[p]);
    }
  }

  /** Builds what reading and replaying need, once the plan is known. */
  private void prepare() {
    // Resolved here, on the run's thread: a status adopted from a coordinator with other plugins
    // fails this backfill with the reason, not the coordinator.
    EventType type = ctx.eventType(request);
    versionBytes = new byte[type.versions().latestVersion() + 1][];
    for (int v = 1; v < versionBytes.length; v++) {
      versionBytes[v] = utf8(Integer.toString(v));
    }
    int targetVersion = request.targetSchemaVersion().orElse(type.versions().latestVersion());
    int targetSchemaId = ctx.registry().register(
        RegistryAvroSerdeConfig.subject(ControlTopics.backfillTopic(backfillId), false),
        type.versions().schema(targetVersion));
    EventFilter filter = new EventFilter(request.fromMillis(), request.toMillis(), request.filters());
    replayers = new EventReplayer[ctx.replayThreads()];
    for (int i = 0; i < replayers.length; i++) {
      replayers[i] = new EventReplayer(ctx.registry(), type, filter, targetVersion, targetSchemaId);
    }
    if (replayers.length > 1 && workers == null) {
      workers = Executors.newFixedThreadPool(replayers.length - 1, runnable -> {
        Thread thread = new Thread(runnable, "reprise-replay-" + backfillId);
        thread.setDaemon(true);
        return thread;
      });
    }
    pacer = new PublishPacer(fixedRate(), System::nanoTime);
    if (execute && throttle == null) {
      throttle = ctx.backpressure().throttleFor(backfillId, request, ctx.clock(), this::producerMetric).orElse(null);
      if (throttle != null) {
        ctx.backpressure().ticker().register(throttle);
      }
    }
    Map<String, Object> config = new HashMap<>(ctx.clientConfig());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, ctx.maxPollRecords());
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "reprise-replay-" + backfillId);
    if (execute) {
      config.put(ConsumerConfig.GROUP_ID_CONFIG, ControlTopics.replayGroup(backfillId));
    } else {
      config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    }
    consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumerMetrics = ctx.clients().opened(consumer);
    consumer.assign(allPartitions());
    partitionBytes = new byte[partitionCount][];
    for (int p = 0; p < partitionCount; p++) {
      partitionBytes[p] = utf8(Integer.toString(p));
    }
  }

  private void loop() {
    if (state == BackfillState.PLANNED) {
      commit(BackfillState.RUNNING);
    }
    int failures = 0;
    while (true) {
      if (stopRequested) {
        commitQuietly();
        return;
      }
      try {
        Signal signal = state == BackfillState.PAUSED ? signals.poll(POLL.toMillis(), TimeUnit.MILLISECONDS) : signals.poll();
        if (signal != null) {
          boolean over;
          try {
            over = handle(signal);
          } catch (RuntimeException e) {
            // Not applied: it is retried after the rewind below.
            signals.offerFirst(signal);
            throw e;
          }
          if (over) {
            return;
          }
          continue;
        }
        if (state != BackfillState.RUNNING) {
          continue;
        }
        if (pilotEnd != null && pilotDone()) {
          finishPilot();
          continue;
        }
        if (allDone()) {
          if (pilotOffsetsPerSecond > 0) {
            estimatedSeconds = estimate();
          }
          commit(BackfillState.COMPLETED);
          log.info("backfill '{}' completed: {}", backfillId, working.asMap(planned()));
          return;
        }
        if (throttle != null && throttle.gated()) {
          holdForBackpressure();
          continue;
        }
        step();
        if (ctx.clock().millis() - transactionStartMillis >= ctx.commitInterval().toMillis()) {
          commit(BackfillState.RUNNING);
        }
        failures = 0;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stopRequested = true;
      } catch (ProducerFencedException | InvalidProducerEpochException e) {
        if (stopRequested) {
          return;
        }
        // Fenced without losing ownership: e.g. the transaction timed out. Rebuild and continue
        // from the last commit; a real new owner would have revoked us and set stopRequested.
        log.warn("backfill '{}': producer fenced ({}); rebuilding and resuming from the last commit", backfillId,
            e.toString());
        closeClients();
        if (!start()) {
          return;
        }
      } catch (RepriseNonRetriableException | AuthorizationException | AuthenticationException
          | UnsupportedVersionException e) {
        throw e;
      } catch (RepriseRetriableException | KafkaException e) {
        failures++;
        long backoff = Math.min(MAX_BACKOFF_MILLIS, 200L << Math.min(failures, 8));
        transientReason = "retrying in " + backoff + " ms after: " + e.getMessage();
        log.warn("backfill '{}': {} (attempt {})", backfillId, transientReason, failures);
        rewind();
        backOff(backoff);
      }
    }
  }

  /**
   * Publishing is held by backpressure: make what was sent visible downstream (it cannot be
   * processed before it commits), keep the status current, and wait a little, answering commands
   * at once.
   */
  private void holdForBackpressure() throws InterruptedException {
    if (inTransaction && working.published > committed.published
        || ctx.clock().millis() - transactionStartMillis >= ctx.commitInterval().toMillis()) {
      commit(BackfillState.RUNNING);
      transactionStartMillis = ctx.clock().millis();
    }
    Signal signal = signals.poll(POLL.toMillis(), TimeUnit.MILLISECONDS);
    if (signal != null) {
      signals.offerFirst(signal);
    }
  }

  /** A metric of the run's producer ({@code producer-metrics} group), empty while it has no value. */
  private OptionalDouble producerMetric(String name) {
    KafkaProducer<byte[], byte[]> current = producer;
    if (current == null) {
      return OptionalDouble.empty();
    }
    try {
      for (var entry : current.metrics().entrySet()) {
        if (entry.getKey().name().equals(name) && entry.getKey().group().equals("producer-metrics")
            && entry.getValue().metricValue() instanceof Double value && !value.isNaN()) {
          return OptionalDouble.of(value);
        }
      }
    } catch (RuntimeException e) {
      // A producer being replaced: no reading this tick.
    }
    return OptionalDouble.empty();
  }

  /** Applies a command or a note; true if the run is over. */
  private boolean handle(Signal signal) {
    if (signal == WAKE) {
      return false;
    }
    if (signal.type() == ReplayCommand.Type.THROTTLE) {
      operatorLimit = signal.rate();
      log.info("backfill '{}': operator rate limit {}", backfillId,
          operatorLimit.isPresent() ? Math.round(operatorLimit.getAsDouble()) + "/s" : "lifted");
      if (throttle != null) {
        throttle.operatorLimit(operatorLimit);
      } else if (pacer != null) {
        pacer.rate(fixedRate());
      }
      return false;
    }
    if (signal.note() != null) {
      rejectedCommand = signal.note();
      if (state == BackfillState.PAUSED) {
        commit(state);
      }
      return false;
    }
    BackfillState target = switch (signal.type()) {
      case PAUSE -> BackfillState.PAUSED;
      case RESUME -> BackfillState.RUNNING;
      case CANCEL -> BackfillState.CANCELLED;
      default -> throw new IllegalArgumentException("not a run command: " + signal.type());
    };
    try {
      state.checkTransition(backfillId, target);
    } catch (IllegalBackfillTransitionException e) {
      rejectedCommand = signal.type() + " refused: " + e.getMessage();
      if (state == BackfillState.PAUSED) {
        commit(state);
      }
      return false;
    }
    log.info("backfill '{}': {} -> {}", backfillId, state, target);
    commit(target);
    return target.isTerminal();
  }

  /**
   * Reads one poll's worth of records and replays them in chunks, stopping between chunks for a
   * signal or a commit. Within a chunk, decoding and upcasting run on {@code replayThreads}
   * threads; publishing stays on this one, in source order. A chunk is always published whole,
   * so the evolution counters never count a record twice.
   */
  private void step() {
    if (!inTransaction) {
      producer.beginTransaction();
      inTransaction = true;
      transactionStartMillis = ctx.clock().millis();
    }
    ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
    List<ConsumerRecord<byte[], byte[]>> todo = new ArrayList<>(records.count());
    // Per partition, the first record read at or past its limit (live writes after the plan). The
    // position moves there only once every record before it is replayed: moved at once, a chunk
    // that yields (a commit, a rate limit) would commit a position past records it never replayed,
    // and the backfill would complete without them.
    Map<Integer, Long> pastLimit = new HashMap<>();
    for (TopicPartition tp : records.partitions()) {
      int p = tp.partition();
      for (ConsumerRecord<byte[], byte[]> record : records.records(tp)) {
        if (record.offset() >= limit(p)) {
          if (pilotEnd != null && record.offset() < end[p]) {
            // Past the pilot: read again after it.
            consumer.seek(tp, record.offset());
          } else {
            pastLimit.put(p, record.offset());
          }
          break;
        }
        todo.add(record);
      }
    }
    int chunk = chunkSize();
    if (throttle != null) {
      pacer.rate(throttle.rate());
    }
    int size;
    for (int from = 0; from < todo.size(); from += size) {
      // The in-flight window shrinks as this step publishes: size every chunk by what is left.
      size = throttle == null ? chunk : (int) Math.min(chunk, throttle.allowance());
      if (shouldYield() || size <= 0 || throttle != null && throttle.gated()) {
        java.util.Set<Integer> unfinished = seekBack(todo, from);
        pastLimit.forEach((p, offset) -> {
          if (!unfinished.contains(p)) {
            positions[p] = Math.max(positions[p], offset);
          }
        });
        markDone();
        return;
      }
      List<ConsumerRecord<byte[], byte[]>> slice = todo.subList(from, Math.min(todo.size(), from + size));
      EventReplayer.Outcome[] outcomes = processAll(slice);
      for (int i = 0; i < outcomes.length; i++) {
        ConsumerRecord<byte[], byte[]> record = slice.get(i);
        apply(record, outcomes[i]);
        positions[record.partition()] = record.offset() + 1;
      }
      if (throttle != null) {
        throttle.observe(working.published, committed.published);
      }
    }
    pastLimit.forEach((p, offset) -> positions[p] = Math.max(positions[p], offset));
    for (TopicPartition tp : consumer.assignment()) {
      if (!consumer.paused().contains(tp)) {
        // Also moves past transaction markers and compaction gaps no record shows.
        positions[tp.partition()] = Math.max(positions[tp.partition()], consumer.position(tp));
      }
    }
    markDone();
  }

  /** The rate of a run without adaptive throttle: the request's maximum under the operator's; 0 is unlimited. */
  private double fixedRate() {
    double requested = request.maxRecordsPerSecond().orElse(0);
    if (operatorLimit.isEmpty()) {
      return requested;
    }
    return requested > 0 ? Math.min(requested, operatorLimit.getAsDouble()) : operatorLimit.getAsDouble();
  }

  /** Records per chunk: a whole poll, or about a quarter second's worth under a rate limit. */
  private int chunkSize() {
    double rate = throttle != null ? throttle.rate() : fixedRate();
    long chunk = rate > 0 ? (long) Math.max(1, rate / 4) : Integer.MAX_VALUE;
    return (int) Math.min(Integer.MAX_VALUE, chunk);
  }

  /**
   * Seeks every partition back to its first record at or after {@code from} that was not
   * published; returns those partitions.
   */
  private java.util.Set<Integer> seekBack(List<ConsumerRecord<byte[], byte[]>> todo, int from) {
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    for (ConsumerRecord<byte[], byte[]> record : todo.subList(from, todo.size())) {
      if (seen.add(record.partition())) {
        consumer.seek(new TopicPartition(record.topic(), record.partition()), record.offset());
      }
    }
    return seen;
  }

  private EventReplayer.Outcome[] processAll(List<ConsumerRecord<byte[], byte[]>> slice) {
    EventReplayer.Outcome[] outcomes = new EventReplayer.Outcome[slice.size()];
    int threads = slice.size() < 256 ? 1 : replayers.length;
    int share = (slice.size() + threads - 1) / threads;
    List<Future<?>> pending = new ArrayList<>();
    for (int t = 1; t < threads; t++) {
      int first = t * share;
      int last = Math.min(slice.size(), first + share);
      EventReplayer replayer = replayers[t];
      pending.add(workers.submit(() -> {
        for (int i = first; i < last; i++) {
          outcomes[i] = replayer.process(slice.get(i).value());
        }
      }));
    }
    for (int i = 0; i < Math.min(share, slice.size()); i++) {
      outcomes[i] = replayers[0].process(slice.get(i).value());
    }
    for (Future<?> future : pending) {
      try {
        future.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RepriseRetriableException("interrupted while replaying backfill '" + backfillId + "'", e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException runtime) {
          throw runtime;
        }
        throw new IllegalStateException(e.getCause());
      }
    }
    return outcomes;
  }

  private boolean shouldYield() {
    return stopRequested || !signals.isEmpty()
        || ctx.clock().millis() - transactionStartMillis >= ctx.commitInterval().toMillis();
  }

  private void apply(ConsumerRecord<byte[], byte[]> record, EventReplayer.Outcome outcome) {
    working.scanned++;
    if (outcome instanceof EventReplayer.Matched m) {
      working.matchedOn(m.eventTimeMillis());
      if (samples.size() < MAX_SAMPLES) {
        samples.add(new UpcastSample(record.partition(), record.offset(), m.sourceVersion(), m.source().toString(),
            m.upcast().toString()));
      }
      if (execute) {
        pacer.acquire();
        send(new ProducerRecord<>(ControlTopics.backfillTopic(backfillId), record.partition(), null, record.key(),
            m.value(), provenance(record, m)));
        working.published++;
      } else if (pilotEnd != null) {
        if (pilotStartNanos == 0) {
          pilotStartNanos = System.nanoTime();
        }
        // Unpaced: the pilot measures the pipeline; rate limits are applied by the estimate.
        send(new ProducerRecord<>(pilotTopic(), record.partition(), null, record.key(), m.value(), provenance(record, m)));
      }
    } else if (outcome instanceof EventReplayer.FilteredOut) {
      working.filteredOut++;
    } else if (outcome instanceof EventReplayer.Tombstone) {
      working.tombstones++;
    } else if (outcome instanceof EventReplayer.DeadLetter d) {
      working.deadLettered++;
      if (execute) {
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.add(ReplayHeaders.BACKFILL_ID, utf8(backfillId));
        headers.add(ReplayHeaders.SOURCE_TOPIC, utf8(record.topic()));
        headers.add(ReplayHeaders.SOURCE_PARTITION, utf8(Integer.toString(record.partition())));
        headers.add(ReplayHeaders.SOURCE_OFFSET, utf8(Long.toString(record.offset())));
        headers.add(ReplayHeaders.ERROR_STAGE, utf8(d.stage()));
        headers.add(ReplayHeaders.ERROR_CLASS, utf8(d.error().getClass().getName()));
        headers.add(ReplayHeaders.ERROR_MESSAGE, utf8(String.valueOf(d.error().getMessage())));
        send(new ProducerRecord<>(ControlTopics.deadLetterTopic(backfillId), record.partition(), null, record.key(),
            record.value(), headers));
      }
    }
  }

  private RecordHeaders provenance(ConsumerRecord<byte[], byte[]> record, EventReplayer.Matched m) {
    // Values constant per backfill, partition, version or day are encoded once, not per record.
    RecordHeaders headers = new RecordHeaders();
    headers.add(ReplayHeaders.BACKFILL_ID, backfillIdBytes);
    headers.add(ReplayHeaders.SOURCE_TOPIC, sourceTopicBytes);
    headers.add(ReplayHeaders.SOURCE_PARTITION, partitionBytes[record.partition()]);
    headers.add(ReplayHeaders.SOURCE_OFFSET, utf8(Long.toString(record.offset())));
    headers.add(ReplayHeaders.SOURCE_SCHEMA_VERSION, versionBytes[m.sourceVersion()]);
    headers.add(ReplayHeaders.EVENT_DATE, dayBytes.computeIfAbsent(Math.floorDiv(m.eventTimeMillis(), 86_400_000L),
        day -> utf8(LocalDate.ofEpochDay(day).toString())));
    return headers;
  }

  private void send(ProducerRecord<byte[], byte[]> record) {
    producer.send(record, (metadata, error) -> {
      if (error != null) {
        sendError.compareAndSet(null, error);
      }
    });
  }

  /**
   * Commits the open transaction (or a new one) with a status in {@code target} state and the
   * source offsets; only then does the run count as being in that state.
   */
  private void commit(BackfillState target) {
    if (!inTransaction) {
      producer.beginTransaction();
      inTransaction = true;
      transactionStartMillis = ctx.clock().millis();
    }
    Exception failed = sendError.getAndSet(null);
    if (failed != null) {
      throw new RepriseRetriableException("a record of backfill '" + backfillId + "' could not be sent: " + failed, failed);
    }
    takeEvolution().forEach(working::addEvolution);
    updateRate();
    if (target == BackfillState.RUNNING && startedAt == null) {
      startedAt = ctx.clock().instant();
    }
    BackfillStatus status = snapshot(target);
    producer.send(new ProducerRecord<>(ControlTopics.STATUS, null, null, utf8(backfillId), ctx.codec().encode(status)));
    if (execute) {
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      for (int p = 0; p < partitionCount; p++) {
        offsets.put(new TopicPartition(request.sourceTopic(), p), new OffsetAndMetadata(positions[p]));
      }
      producer.sendOffsetsToTransaction(offsets, new ConsumerGroupMetadata(ControlTopics.replayGroup(backfillId)));
    }
    producer.commitTransaction();
    inTransaction = false;
    committed = working.copy();
    if (throttle != null) {
      throttle.observe(working.published, committed.published);
    }
    committedPositions = positions.clone();
    state = target;
    transientReason = null;
  }

  /** Each replayer's evolution counters since the last call. */
  private List<Map<String, Long>> takeEvolution() {
    List<Map<String, Long>> taken = new ArrayList<>();
    if (replayers != null) {
      for (EventReplayer replayer : replayers) {
        taken.add(replayer.takeEvolution());
      }
    }
    return taken;
  }

  /** A commit on the way out that must not mask why we are leaving. */
  private void commitQuietly() {
    try {
      if (producer != null && replayers != null && !state.isTerminal()) {
        commit(state);
      }
    } catch (RuntimeException e) {
      log.info("backfill '{}': could not commit on stop ({}); the next owner resumes from the last commit",
          backfillId, e.toString());
    }
  }

  /** Aborts the open transaction and goes back to the last committed point. */
  private void rewind() {
    sendError.set(null);
    if (inTransaction) {
      try {
        producer.abortTransaction();
      } catch (ProducerFencedException | InvalidProducerEpochException e) {
        throw e;
      } catch (KafkaException e) {
        // The producer may be unusable; rebuild it rather than fail the run.
        log.warn("backfill '{}': abort failed ({}); rebuilding the producer", backfillId, e.toString());
        closeProducer();
        openProducer();
      }
      inTransaction = false;
    }
    takeEvolution();
    if (committedPositions == null) {
      return;
    }
    working = committed.copy();
    positions = committedPositions.clone();
    if (throttle != null) {
      throttle.observe(working.published, committed.published);
    }
    seekAll();
  }

  private void fail(Exception cause) {
    String reason = cause instanceof RepriseException ? cause.getMessage() : cause.toString();
    log.error("backfill '{}' failed: {}", backfillId, reason, cause);
    try {
      if (producer == null) {
        return;
      }
      if (inTransaction) {
        producer.abortTransaction();
        inTransaction = false;
      }
      working = committed.copy();
      positions = committedPositions != null ? committedPositions.clone() : start != null ? start.clone() : new long[0];
      partitionCount = positions.length;
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(ControlTopics.STATUS, null, null, utf8(backfillId),
          ctx.codec().encode(snapshotWithReason(BackfillState.FAILED, reason))));
      producer.commitTransaction();
      state = BackfillState.FAILED;
    } catch (RuntimeException e) {
      log.error("backfill '{}': could not publish the FAILED status: {}", backfillId, e.toString());
    }
  }

  private BackfillStatus snapshot(BackfillState target) {
    String reason = switch (target) {
      case CANCELLED -> "cancelled by request";
      case RUNNING -> transientReason;
      default -> null;
    };
    return snapshotWithReason(target, reason);
  }

  private BackfillStatus snapshotWithReason(BackfillState target, String reason) {
    List<PartitionProgress> partitions = new ArrayList<>();
    for (int p = 0; p < partitionCount; p++) {
      partitions.add(new PartitionProgress(p, start[p], end[p], positions[p]));
    }
    long remaining = planned() - consumed();
    OptionalLong eta = target == BackfillState.COMPLETED ? OptionalLong.of(0)
        : offsetsPerSecond > 0 ? OptionalLong.of((long) Math.ceil(remaining / offsetsPerSecond)) : OptionalLong.empty();
    return new BackfillStatus(backfillId, target, Optional.ofNullable(reason), Optional.of(request),
        Optional.of(ctx.instanceId()), working.asMap(planned()), partitions, working.perDay(), recordsPerSecond, eta,
        working.evolution(), samples, Optional.ofNullable(rejectedCommand), Optional.ofNullable(startedAt),
        throttle == null || target.isTerminal() ? Optional.empty() : Optional.of(throttle.status()),
        estimatedSeconds == null ? OptionalLong.empty() : OptionalLong.of(estimatedSeconds), List.of(),
        ctx.clock().instant());
  }

  private void updateRate() {
    long now = ctx.clock().millis();
    long elapsed = now - rateMillis;
    if (elapsed < 200) {
      return;
    }
    double scannedRate = (working.scanned - rateScanned) * 1000.0 / elapsed;
    double consumedRate = (consumed() - rateConsumed) * 1000.0 / elapsed;
    // Smoothed so one slow commit does not swing the ETA; the first measurement is taken as is.
    recordsPerSecond = recordsPerSecond == 0 ? scannedRate : 0.7 * recordsPerSecond + 0.3 * scannedRate;
    offsetsPerSecond = offsetsPerSecond == 0 ? consumedRate : 0.7 * offsetsPerSecond + 0.3 * consumedRate;
    rateMillis = now;
    rateScanned = working.scanned;
    rateConsumed = consumed();
  }

  /** Where reading a partition stops for now: its plan's end, or its pilot's. */
  private long limit(int partition) {
    return pilotEnd != null ? pilotEnd[partition] : end[partition];
  }

  private boolean pilotDone() {
    for (int p = 0; p < partitionCount; p++) {
      if (positions[p] < pilotEnd[p]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Starts a PREVIEW's pilot on a fresh plan: about 1% of each partition's offsets (at least 1,000),
   * replayed exactly as EXECUTE would (decode, upcast, filter, encode, publish in transactions) into
   * the scratch topic {@code reprise.pilot.<id>}.
   */
  private void preparePilot() {
    for (int p = 0; p < partitionCount; p++) {
      if (positions[p] != start[p]) {
        return;
      }
    }
    pilotEnd = new long[partitionCount];
    for (int p = 0; p < partitionCount; p++) {
      long planned = end[p] - start[p];
      // About 1%, but enough offsets to outweigh a pilot's fixed costs (first fetch, commit).
      pilotEnd[p] = start[p] + Math.min(planned, Math.max(PILOT_MIN_OFFSETS, (long) Math.ceil(planned * PILOT_SHARE)));
    }
    Topics.ensure(ctx.admin(), new NewTopic(pilotTopic(), Optional.of(partitionCount), ctx.replicationFactor())
        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(Duration.ofHours(1).toMillis()))));
  }

  /**
   * Ends the pilot: its speed is what the estimate extrapolates (see {@link #estimate}); the scratch
   * topic goes.
   */
  private void finishPilot() {
    commit(BackfillState.RUNNING);
    double seconds = pilotStartNanos == 0 ? 0 : (System.nanoTime() - pilotStartNanos) / 1e9;
    long pilotOffsets = 0;
    for (int p = 0; p < partitionCount; p++) {
      pilotOffsets += pilotEnd[p] - start[p];
    }
    pilotOffsetsPerSecond = seconds > 0 ? pilotOffsets / seconds : 0;
    log.info("backfill '{}': pilot replayed {} of {} offsets in {} s", backfillId, pilotOffsets, planned(),
        String.format(java.util.Locale.ROOT, "%.2f", seconds));
    pilotEnd = null;
    seekAll();
    ctx.admin().deleteTopics(List.of(pilotTopic()));
  }

  /**
   * The EXECUTE's duration from the pilot, once the preview knows how many records match: the
   * pilot's speed over every planned offset or, if slower, publishing the matched records at the
   * request's maximum rate or under the adaptive controller's slow start (when EXECUTE will be
   * adaptive); plus 20% for skew.
   */
  private long estimate() {
    double scan = planned() / pilotOffsetsPerSecond;
    double limited = request.maxRecordsPerSecond().isPresent()
        ? working.matched / request.maxRecordsPerSecond().getAsDouble() : 0;
    double ramp = ctx.backpressure().rampSeconds(request, working.matched, pilotOffsetsPerSecond);
    return Math.round(Math.max(scan, Math.max(limited, ramp)) * (1 + PILOT_SKEW_BUFFER));
  }

  private String pilotTopic() {
    return "reprise.pilot." + backfillId;
  }

  private void markDone() {
    List<TopicPartition> done = new ArrayList<>();
    for (TopicPartition tp : consumer.assignment()) {
      if (positions[tp.partition()] >= limit(tp.partition()) && !consumer.paused().contains(tp)) {
        done.add(tp);
      }
    }
    // Paused, the consumer fetches nothing past the plan's end.
    consumer.pause(done);
  }

  private void seekAll() {
    consumer.resume(consumer.paused());
    for (int p = 0; p < partitionCount; p++) {
      consumer.seek(new TopicPartition(request.sourceTopic(), p), positions[p]);
    }
    markDone();
  }

  private boolean allDone() {
    for (int p = 0; p < partitionCount; p++) {
      if (positions[p] < end[p]) {
        return false;
      }
    }
    return true;
  }

  private long planned() {
    long planned = 0;
    for (int p = 0; p < partitionCount; p++) {
      planned += end[p] - start[p];
    }
    return planned;
  }

  private long consumed() {
    long consumed = 0;
    for (int p = 0; p < partitionCount; p++) {
      consumed += Math.max(0, Math.min(positions[p], end[p]) - start[p]);
    }
    return consumed;
  }

  private List<TopicPartition> allPartitions() {
    List<TopicPartition> partitions = new ArrayList<>();
    for (int p = 0; p < partitionCount; p++) {
      partitions.add(new TopicPartition(request.sourceTopic(), p));
    }
    return partitions;
  }

  private String positionsText() {
    List<String> parts = new ArrayList<>();
    for (int p = 0; p < partitionCount; p++) {
      parts.add(p + ":" + positions[p] + "/" + end[p]);
    }
    return String.join(" ", parts);
  }

  private Map<TopicPartition, Long> listOffsets(Map<TopicPartition, OffsetSpec> specs, IsolationLevel isolation) {
    try {
      return ctx.admin().listOffsets(specs, new ListOffsetsOptions(isolation)).all()
          .get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RepriseRetriableException("interrupted while planning backfill '" + backfillId + "'", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new RepriseRetriableException("cannot list offsets of '" + request.sourceTopic() + "': " + e, e);
    }
  }

  /**
   * Waits out a back-off on the signal queue, so a command (or {@link #stop}) ends the wait at
   * once; the signal stays queued for the loop to handle.
   */
  private void backOff(long millis) {
    try {
      Signal signal = signals.pollFirst(millis, TimeUnit.MILLISECONDS);
      if (signal != null) {
        signals.offerFirst(signal);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopRequested = true;
    }
  }

  private void openProducer() {
    Map<String, Object> config = new HashMap<>(ctx.clientConfig());
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, ControlTopics.transactionalId(backfillId));
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 10);
    config.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "reprise-replay-" + backfillId);
    // As Kafka Streams does for exactly-once: a transaction lives about one commit interval, and a
    // crashed owner's open transaction blocks readers of the status topic until it times out.
    config.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
    producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    producerMetrics = ctx.clients().opened(producer);
    producer.initTransactions();
    inTransaction = false;
  }

  private void closeProducer() {
    KafkaClientObserver.closeQuietly(producerMetrics);
    producerMetrics = null;
    if (producer != null) {
      try {
        producer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        log.debug("closing the producer of '{}': {}", backfillId, e.toString());
      }
      producer = null;
    }
  }

  private void closeClients() {
    closeProducer();
    if (workers != null) {
      workers.shutdownNow();
      workers = null;
    }
    KafkaClientObserver.closeQuietly(consumerMetrics);
    consumerMetrics = null;
    if (consumer != null) {
      try {
        consumer.close();
      } catch (RuntimeException e) {
        log.debug("closing the consumer of '{}': {}", backfillId, e.toString());
      }
      consumer = null;
    }
  }

  private static byte[] utf8(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }
}
