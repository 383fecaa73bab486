package dev.reprise.protocol;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The latest known state of a backfill, as published on {@link ControlTopics#STATUS}. While a
 * backfill runs, each status is committed in the same Kafka transaction as the records and source
 * offsets it reports: a status read with {@code isolation.level=read_committed} is exactly what
 * the backfill topic holds.
 *
 * <pre>{@code
 * BackfillStatus status = client.status("b-42").orElseThrow();
 * long published = status.counter(BackfillCounters.PUBLISHED);
 * double done = status.progress();   // 0.0 .. 1.0 of the planned source offsets
 * }</pre>
 *
 * @param reason why it is REJECTED, FAILED or CANCELLED
 * @param request the START request the backfill runs; empty for a request too broken to keep
 * @param owner the coordinator instance that wrote this status
 * @param counters see {@link BackfillCounters}
 * @param partitions the plan and the committed position, per source partition
 * @param countsPerDay matched records per day of event time (UTC)
 * @param recordsPerSecond source records scanned per second, smoothed
 * @param etaSeconds the remaining time at the current rate, once known
 * @param evolution the upcaster chain's counters, see {@code UpcastReport}
 * @param samples a few matched records before and after upcasting (PREVIEW)
 * @param rejectedCommand the last command refused for this backfill, and why
 * @param startedAt when the backfill first started running; kept across pauses and takeovers
 * @param throttle the adaptive controller's rate, mode and reason, when backpressure applies
 * @param estimatedSeconds PREVIEW: how long EXECUTE should take, from a pilot replaying about 1% of
 *     the plan for real, extrapolated with 20% for skew
 * @param failedDays VERIFICATION_FAILED: the days (UTC, event time) whose counts or checksums
 *     differ on some side, so a dashboard can colour them; empty otherwise
 * @param retriedDeadLetters the backfill's own dead letters ({@code partition@offset} of {@link
 *     ControlTopics#deadLetterTopic}) that a RETRY replayed again and that are no longer dead
 *     letters (published, filtered out or a tombstone); each is retried at most once
 */
public record BackfillStatus(
    String backfillId,
    BackfillState state,
    Optional<String> reason,
    Optional<BackfillRequest> request,
    Optional<String> owner,
    Map<String, Long> counters,
    List<PartitionProgress> partitions,
    SortedMap<LocalDate, Long> countsPerDay,
    double recordsPerSecond,
    OptionalLong etaSeconds,
    Map<String, Long> evolution,
    List<UpcastSample> samples,
    Optional<String> rejectedCommand,
    Optional<Instant> startedAt,
    Optional<BackfillThrottle> throttle,
    OptionalLong estimatedSeconds,
    List<LocalDate> failedDays,
    List<String> retriedDeadLetters,
    Instant updatedAt) {

  public BackfillStatus {
    reason = reason == null ? Optional.empty() : reason;
    request = request == null ? Optional.empty() : request;
    owner = owner == null ? Optional.empty() : owner;
    counters = counters == null ? Map.of() : Map.copyOf(counters);
    partitions = partitions == null ? List.of() : List.copyOf(partitions);
    countsPerDay = countsPerDay == null
        ? java.util.Collections.emptySortedMap()
        : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(countsPerDay));
    etaSeconds = etaSeconds == null ? OptionalLong.empty() : etaSeconds;
    evolution = evolution == null ? Map.of() : Map.copyOf(evolution);
    samples = samples == null ? List.of() : List.copyOf(samples);
    rejectedCommand = rejectedCommand == null ? Optional.empty() : rejectedCommand;
    startedAt = startedAt == null ? Optional.empty() : startedAt;
    throttle = throttle == null ? Optional.empty() : throttle;
    estimatedSeconds = estimatedSeconds == null ? OptionalLong.empty() : estimatedSeconds;
    failedDays = failedDays == null ? List.of() : List.copyOf(failedDays);
    retriedDeadLetters = retriedDeadLetters == null ? List.of() : List.copyOf(retriedDeadLetters);
  }

  /** A status without progress: for ACCEPTED and REJECTED. */
  public static BackfillStatus of(
      String backfillId, BackfillState state, Optional<String> reason, Optional<BackfillRequest> request,
      Optional<String> owner, Instant updatedAt) {
    return new BackfillStatus(backfillId, state, reason, request, owner, Map.of(), List.of(), null, 0.0,
        OptionalLong.empty(), Map.of(), List.of(), Optional.empty(), Optional.empty(), Optional.empty(),
        OptionalLong.empty(), List.of(), List.of(), updatedAt);
  }

  /** One counter, 0 if absent. */
  public long counter(String name) {
    return counters.getOrDefault(name, 0L);
  }

  /** Share of the planned source offsets read, 0.0 to 1.0 (1.0 for an empty plan). */
  public double progress() {
    long planned = 0;
    long done = 0;
    for (PartitionProgress p : partitions) {
      planned += p.endOffset() - p.startOffset();
      done += p.consumed();
    }
    return planned == 0 ? (state.canBeVerified() ? 1.0 : 0.0) : (double) done / planned;
  }

  /**
   * The refusal this status reports that {@code before} did not: how a coordinator answers a
   * command it refused for a backfill that exists (its state is left alone).
   */
  public Optional<String> refusalSince(Optional<BackfillStatus> before) {
    return rejectedCommand.filter(note -> !rejectedCommand.equals(before.flatMap(BackfillStatus::rejectedCommand)));
  }

  /**
   * The ACCEPTED status of {@code execute}, the EXECUTE of this completed PREVIEW: the same plan
   * (each partition's start and end offsets, read from its start again) and nothing replayed yet,
   * so that what runs is exactly what was previewed.
   *
   * @throws IllegalBackfillTransitionException if this is not a completed PREVIEW
   */
  public BackfillStatus executing(BackfillRequest execute, String newOwner, Instant at) {
    if (state != BackfillState.COMPLETED || request.map(r -> r.mode() != BackfillRequest.Mode.PREVIEW).orElse(true)) {
      throw new IllegalBackfillTransitionException(backfillId, state, BackfillState.ACCEPTED);
    }
    List<PartitionProgress> plan = partitions.stream()
        .map(p -> new PartitionProgress(p.partition(), p.startOffset(), p.endOffset(), p.startOffset())).toList();
    return new BackfillStatus(backfillId, BackfillState.ACCEPTED, Optional.empty(), Optional.of(execute),
        Optional.of(newOwner), Map.of(), plan, null, 0.0, OptionalLong.empty(), Map.of(), List.of(), Optional.empty(),
        Optional.empty(), Optional.empty(), OptionalLong.empty(), List.of(), List.of(), at);
  }

  /** This status with {@code note} as the last refused command; the backfill itself is unchanged. */
  public BackfillStatus withRejectedCommand(String note, Instant at) {
    return new BackfillStatus(backfillId, state, reason, request, owner, counters, partitions, countsPerDay,
        recordsPerSecond, etaSeconds, evolution, samples, Optional.of(note), startedAt, throttle, estimatedSeconds,
        failedDays, retriedDeadLetters, at);
  }

  /**
   * This completed backfill, verified ({@code failures} empty) or not (then they are the reason and
   * {@code failedDays} the days that differ).
   */
  public BackfillStatus withVerification(Optional<String> failures, List<LocalDate> failedDays, Instant at) {
    if (!state.canBeVerified()) {
      throw new IllegalBackfillTransitionException(backfillId, state,
          failures.isEmpty() ? BackfillState.VERIFIED : BackfillState.VERIFICATION_FAILED);
    }
    return new BackfillStatus(backfillId, failures.isEmpty() ? BackfillState.VERIFIED : BackfillState.VERIFICATION_FAILED,
        failures, request, owner, counters, partitions, countsPerDay, recordsPerSecond, etaSeconds, evolution, samples,
        rejectedCommand, startedAt, throttle, estimatedSeconds, failures.isEmpty() ? List.of() : failedDays,
        retriedDeadLetters, at);
  }

  /** A one-line summary: id, state, reason, counters, progress (the full record is long). */
  @Override
  public String toString() {
    return "BackfillStatus[" + backfillId + " " + state + reason.map(r -> " (" + r + ")").orElse("")
        + rejectedCommand.map(r -> " rejected: " + r).orElse("") + " " + new TreeMap<>(counters)
        + String.format(" %.1f%%", progress() * 100) + owner.map(o -> " owner=" + o).orElse("")
        + throttle.map(t -> " " + t).orElse("") + "]";
  }

  /**
   * The plan and progress of one source partition.
   *
   * @param startOffset first source offset of the plan, inclusive
   * @param endOffset source end offset snapshotted at planning, exclusive
   * @param position the next source offset of the plan to read, as committed: from {@code
   *     startOffset} to {@code endOffset} (reached when the partition's part is read); the
   *     backfill's consumer group may have committed further, past records written after the plan
   *     and not replayed, so {@code (position - startOffset) / (endOffset - startOffset)} is the
   *     partition's progress, never above 1
   */
  public record PartitionProgress(int partition, long startOffset, long endOffset, long position) {

    /** Offsets of the plan already read. */
    public long consumed() {
      return Math.max(0, Math.min(position, endOffset) - startOffset);
    }

    /** Whether the partition's part of the plan is read. */
    public boolean isDone() {
      return position >= endOffset;
    }
  }

  /**
   * A matched record before and after upcasting.
   *
   * @param before the source record as JSON
   * @param after the upcast record as JSON
   */
  public record UpcastSample(int partition, long offset, int sourceVersion, String before, String after) {}
}
