package dev.reprise.coordinator.internal;

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
import dev.reprise.protocol.ReplayCommand;
import dev.reprise.registry.serde.RegistryAvroSerdeConfig;
import dev.reprise.replay.EventFilter;
import dev.reprise.replay.EventReplayer;
import dev.reprise.spi.EventType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
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
 *
 * <p>This class is the run's state machine (PLANNED → RUNNING ⇄ PAUSED → COMPLETED, CANCELLED or
 * FAILED) and its loop; the work is its collaborators', each handed the {@link RunState}: {@link
 * RunPlanner} makes the plan, {@link SourceReader} reads the source up to it, {@link ReplayWorkers}
 * decode and upcast, {@link ReplayPublisher} publishes and commits, {@link RunRate} paces, {@link
 * Pilot} times a PREVIEW, {@link RunProgress} measures.
 */
public final class BackfillRun implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(BackfillRun.class);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);
  private static final long MAX_BACKOFF_MILLIS = 30_000;
  private static final int MAX_SAMPLES = 5;

  private record Signal(ReplayCommand.Type type, String note, OptionalDouble rate) {}

  /** Wakes the run from a wait (paused, backing off) to notice {@link #stop}. */
  private static final Signal WAKE = new Signal(null, null, OptionalDouble.empty());

  private final RunContext ctx;
  private final String backfillId;
  private final BackfillRequest request;
  private final boolean execute;
  /** A PREVIEW naming workflows: they dry-run what it publishes to its scratch topic. */
  private final boolean dryRun;
  private final BlockingDeque<Signal> signals = new LinkedBlockingDeque<>();
  private final CountDownLatch finished = new CountDownLatch(1);
  private final ReplayPublisher publisher;
  private final RunProgress progress;
  private final List<UpcastSample> samples = new ArrayList<>();
  private volatile boolean stopRequested;
  private volatile BackfillState state;

  /** The plan, positions and counters; null until planned or loaded. */
  private RunState run;
  private SourceReader reader;
  private ReplayWorkers workers;
  /** How fast it may publish; made with the first plan and kept across restarts of the clients. */
  private volatile RunRate rate;
  /** A PREVIEW's pilot while it runs; null otherwise. */
  private Pilot pilot;
  private double pilotOffsetsPerSecond;
  private Long estimatedSeconds;
  private String rejectedCommand;
  private Instant startedAt;
  private static final int FIRST_CHUNK = 200;
  // Named once: every replayed record is sent to one of them.
  private final String backfillTopic;
  private final String previewTopic;
  private String transientReason;

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
    this.dryRun = !execute && !request.workflows().isEmpty();
    this.state = status.state();
    this.rejectedCommand = status.rejectedCommand().orElse(null);
    this.publisher = new ReplayPublisher(ctx, backfillId, request.sourceTopic());
    this.backfillTopic = ControlTopics.backfillTopic(backfillId);
    this.previewTopic = ControlTopics.previewTopic(backfillId);
    this.progress = new RunProgress(ctx.clock());
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
    RunRate current = rate;
    return current == null ? Optional.empty() : current.status();
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
      if (rate != null) {
        rate.close();
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
        publisher.open();
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
    if (status == null || status.state() == BackfillState.ACCEPTED) {
      // An ACCEPTED status has no plan yet, unless it executes a PREVIEW: then it is the preview's.
      plan(status == null ? List.of() : status.partitions());
      return true;
    }
    if (status.rejectedCommand().isPresent()) {
      rejectedCommand = status.rejectedCommand().get();
    }
    startedAt = status.startedAt().orElse(null);
    state = status.state();
    int partitions = status.partitions().size();
    long[] start = new long[partitions];
    long[] end = new long[partitions];
    for (PartitionProgress p : status.partitions()) {
      start[p.partition()] = p.startOffset();
      end[p.partition()] = p.endOffset();
    }
    // Fresh until the reader, built for the plan, reads where an EXECUTE committed.
    run = RunState.fresh(start, end);
    prepare();
    if (execute) {
      long[] positions = reader.committedPositions(start, CLIENT_TIMEOUT);
      for (PartitionProgress p : status.partitions()) {
        // The status says at most the end; the group may have committed past it.
        if (p.position() != Math.min(positions[p.partition()], p.endOffset())) {
          // Offsets and status commit in one transaction; a difference means someone moved the group.
          log.warn("backfill '{}' partition {}: committed offset {} but status says {}; continuing from the offset",
              backfillId, p.partition(), positions[p.partition()], p.position());
        }
      }
      run = RunState.resumed(start, end, positions,
          RunCounters.restore(status.counters(), status.countsPerDay(), status.evolution()));
    }
    // A preview holds no offsets; after a takeover it scans again from the start.
    log.info("backfill '{}' resumes {} from {} (instance {})", backfillId, state, run.positionsText(), ctx.instanceId());
    if (!execute) {
      pilot = Pilot.prepare(ctx, backfillId, run).orElse(null);
    }
    seekAll();
    progress.startWindow(run);
    return true;
  }

  /**
   * Plans (see {@link RunPlanner}) and commits the PLANNED status.
   *
   * @param previewed a PREVIEW's plan this EXECUTE runs on; empty: snapshot the source now
   */
  private void plan(List<PartitionProgress> previewed) {
    run = new RunPlanner(ctx, backfillId, request).plan(previewed);
    prepare();
    if (!execute) {
      pilot = Pilot.prepare(ctx, backfillId, run).orElse(null);
    }
    seekAll();
    progress.startWindow(run);
    commit(BackfillState.PLANNED);
    log.info("backfill '{}' planned: {} offsets in {} partitions of '{}'", backfillId, run.planned(), run.partitionCount,
        request.sourceTopic());
  }

  /** Builds what reading and replaying need, once the plan is known. */
  private void prepare() {
    if (execute) {
      // Its topics exist by now; their metadata arrives while the target schema is registered.
      publisher.warm(backfillTopic, ControlTopics.deadLetterTopic(backfillId));
    }
    // Resolved here, on the run's thread: a status adopted from a coordinator with other plugins
    // fails this backfill with the reason, not the coordinator.
    EventType type = ctx.eventType(request);
    publisher.headersFor(run.partitionCount, type.versions().latestVersion());
    int targetVersion = request.targetSchemaVersion().orElse(type.versions().latestVersion());
    int targetSchemaId = ctx.registry().register(
        RegistryAvroSerdeConfig.subject(ControlTopics.backfillTopic(backfillId), false),
        type.versions().schema(targetVersion));
    if (workers != null) {
      workers.close();
    }
    workers = new ReplayWorkers(ctx, backfillId, type,
        new EventFilter(request.fromMillis(), request.toMillis(), request.filters()), targetVersion, targetSchemaId);
    if (rate == null) {
      rate = new RunRate(ctx, backfillId, request, publisher::metric);
    }
    reader = new SourceReader(ctx, backfillId, request.sourceTopic(), run.partitionCount,
        execute ? ControlTopics.replayGroup(backfillId) : null);
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
        if (pilot != null && pilot.done(run)) {
          finishPilot();
          continue;
        }
        if (run.allDone()) {
          if (pilotOffsetsPerSecond > 0) {
            estimatedSeconds = Pilot.estimate(pilotOffsetsPerSecond, run.planned(), run.working.matched, request,
                ctx.backpressure());
          }
          commit(BackfillState.COMPLETED);
          log.info("backfill '{}' completed: {}", backfillId, run.working.asMap(run.planned()));
          return;
        }
        if (rate.gated()) {
          holdForBackpressure();
          continue;
        }
        step();
        if (publisher.transactionAgeMillis() >= ctx.commitInterval().toMillis() || firstTransactionFull()) {
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
    if (publisher.inTransaction() && run.working.published > run.committed.published
        || publisher.transactionAgeMillis() >= ctx.commitInterval().toMillis()) {
      commit(BackfillState.RUNNING);
      publisher.restartTransactionClock();
    }
    Signal signal = signals.poll(POLL.toMillis(), TimeUnit.MILLISECONDS);
    if (signal != null) {
      signals.offerFirst(signal);
    }
  }

  /** Applies a command or a note; true if the run is over. */
  private boolean handle(Signal signal) {
    if (signal == WAKE) {
      return false;
    }
    if (signal.type() == ReplayCommand.Type.THROTTLE) {
      log.info("backfill '{}': operator rate limit {}", backfillId,
          signal.rate().isPresent() ? Math.round(signal.rate().getAsDouble()) + "/s" : "lifted");
      rate.operatorLimit(signal.rate());
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
    publisher.begin();
    long[] positions = run.positions;
    SourceReader.Batch batch = reader.poll(this::limit, run.end);
    List<ConsumerRecord<byte[], byte[]>> todo = batch.records();
    Map<Integer, Long> pastLimit = batch.pastLimit();
    int chunk = rate.chunkSize();
    rate.beforeStep();
    int size;
    for (int from = 0; from < todo.size(); from += size) {
      // The in-flight window shrinks as this step publishes: size every chunk by what is left.
      size = rate.nextChunk(chunk);
      if (run.committed.scanned == 0) {
        size = Math.min(size, FIRST_CHUNK);
      }
      if (shouldYield() || size <= 0 || rate.gated() || firstTransactionFull()) {
        Set<Integer> unfinished = reader.seekBack(todo, from);
        pastLimit.forEach((p, offset) -> {
          if (!unfinished.contains(p)) {
            positions[p] = Math.max(positions[p], offset);
          }
        });
        markDone();
        return;
      }
      List<ConsumerRecord<byte[], byte[]>> slice = todo.subList(from, Math.min(todo.size(), from + size));
      EventReplayer.Outcome[] outcomes = workers.process(slice);
      for (int i = 0; i < outcomes.length; i++) {
        ConsumerRecord<byte[], byte[]> record = slice.get(i);
        apply(record, outcomes[i]);
        positions[record.partition()] = record.offset() + 1;
      }
      rate.observe(run);
    }
    pastLimit.forEach((p, offset) -> positions[p] = Math.max(positions[p], offset));
    reader.advancePastGaps(positions);
    markDone();
  }

  private boolean shouldYield() {
    return stopRequested || !signals.isEmpty() || publisher.transactionAgeMillis() >= ctx.commitInterval().toMillis();
  }

  /**
   * Whether this transaction is the run's first to hold records, and holds them: it commits at
   * once, with at most {@link #FIRST_CHUNK} records, so that the first records (and the first
   * progress) reach readers without waiting for a whole interval of a cold start (measured: a fresh
   * coordinator took 0.5 s for the first poll's 2,000 records, a quarter of a millisecond each).
   */
  private boolean firstTransactionFull() {
    return run.committed.scanned == 0 && run.working.scanned > 0;
  }

  private void apply(ConsumerRecord<byte[], byte[]> record, EventReplayer.Outcome outcome) {
    RunCounters working = run.working;
    working.scanned++;
    if (outcome instanceof EventReplayer.Matched m) {
      working.matchedOn(m.eventTimeMillis());
      if (samples.size() < MAX_SAMPLES && ctx.samples().enabled()) {
        samples.add(new UpcastSample(record.partition(), record.offset(), m.sourceVersion(),
            ctx.samples().show(m.source()), ctx.samples().show(m.upcast())));
      }
      if (execute) {
        rate.acquire();
        publisher.replayed(backfillTopic, record, m);
        working.published++;
      } else {
        // Unpaced: the pilot measures the pipeline; rate limits are applied by the estimate. A dry
        // run's scratch topic gets every match (the pilot times its first share of them), so the
        // named workflows see exactly what EXECUTE would publish.
        if (pilot != null) {
          pilot.publishing();
        }
        String scratch = dryRun ? previewTopic : pilot != null ? pilot.topic() : null;
        if (scratch != null) {
          publisher.replayed(scratch, record, m);
        }
      }
    } else if (outcome instanceof EventReplayer.FilteredOut) {
      working.filteredOut++;
    } else if (outcome instanceof EventReplayer.Tombstone) {
      working.tombstones++;
    } else if (outcome instanceof EventReplayer.DeadLetter d) {
      working.deadLettered++;
      if (execute) {
        publisher.deadLetter(record, d);
      }
    }
  }

  /**
   * Commits the open transaction (or a new one) with a status in {@code target} state and the
   * source offsets; only then does the run count as being in that state.
   */
  private void commit(BackfillState target) {
    workers.takeEvolution().forEach(run.working::addEvolution);
    progress.update(run);
    if (target == BackfillState.RUNNING && startedAt == null) {
      startedAt = ctx.clock().instant();
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = null;
    if (execute) {
      offsets = new HashMap<>();
      for (int p = 0; p < run.partitionCount; p++) {
        offsets.put(new TopicPartition(request.sourceTopic(), p), new OffsetAndMetadata(run.positions[p]));
      }
    }
    BackfillStatus committed = snapshot(target);
    publisher.commit(committed, offsets);
    run.committedNow();
    rate.observe(run);
    if (target != state) {
      ctx.audit().transition(backfillId, Optional.of(state), target, committed.reason());
    }
    state = target;
    transientReason = null;
  }

  /** A commit on the way out that must not mask why we are leaving. */
  private void commitQuietly() {
    try {
      if (publisher.isOpen() && workers != null && !state.isTerminal()) {
        commit(state);
      }
    } catch (RuntimeException e) {
      log.info("backfill '{}': could not commit on stop ({}); the next owner resumes from the last commit",
          backfillId, e.toString());
    }
  }

  /** Aborts the open transaction and goes back to the last committed point. */
  private void rewind() {
    publisher.abort();
    if (workers != null) {
      workers.takeEvolution();
    }
    if (run == null) {
      return;
    }
    run.rewind();
    if (rate != null) {
      rate.observe(run);
    }
    seekAll();
  }

  private void fail(Exception cause) {
    String reason = cause instanceof RepriseException ? cause.getMessage() : cause.toString();
    log.error("backfill '{}' failed: {}", backfillId, reason, cause);
    try {
      if (!publisher.isOpen()) {
        return;
      }
      if (run != null) {
        run.rewind();
      }
      publisher.publishAlone(snapshotWithReason(BackfillState.FAILED, reason));
      ctx.audit().transition(backfillId, Optional.of(state), BackfillState.FAILED, Optional.of(reason));
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
    // Before a plan (a run failing to plan): no partitions, nothing counted.
    RunState at = run != null ? run : RunState.fresh(new long[0], new long[0]);
    OptionalLong eta = target == BackfillState.COMPLETED ? OptionalLong.of(0) : progress.eta(at.planned() - at.consumed());
    return new BackfillStatus(backfillId, target, Optional.ofNullable(reason), Optional.of(request),
        Optional.of(ctx.instanceId()), at.working.asMap(at.planned()), at.progress(), at.working.perDay(),
        progress.recordsPerSecond(), eta, at.working.evolution(), samples, Optional.ofNullable(rejectedCommand),
        Optional.ofNullable(startedAt),
        rate == null || target.isTerminal() ? Optional.empty() : rate.status(),
        estimatedSeconds == null ? OptionalLong.empty() : OptionalLong.of(estimatedSeconds), List.of(), List.of(),
        ctx.clock().instant());
  }

  /** Where reading a partition stops for now: its plan's end, or its pilot's. */
  private long limit(int partition) {
    return pilot != null ? pilot.end(partition) : run.end[partition];
  }

  /** Ends the pilot; its speed is what the estimate extrapolates ({@link Pilot#estimate}). */
  private void finishPilot() {
    commit(BackfillState.RUNNING);
    pilotOffsetsPerSecond = pilot.finish(ctx, run);
    log.info("backfill '{}': pilot replayed {} of {} offsets at {} offsets/s", backfillId, pilot.offsets(run),
        run.planned(), Math.round(pilotOffsetsPerSecond));
    pilot = null;
    seekAll();
  }

  private void markDone() {
    reader.pauseDone(run.positions, this::limit);
  }

  private void seekAll() {
    reader.seekAll(run.positions, this::limit);
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

  private void closeClients() {
    publisher.close();
    if (workers != null) {
      workers.close();
      workers = null;
    }
    if (reader != null) {
      reader.close();
      reader = null;
    }
  }
}
