package dev.reprise.coordinator.internal;

import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.internal.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * A PREVIEW's pilot: the first share of each partition's plan (about 1%, at least 1,000 offsets),
 * replayed exactly as EXECUTE would — decode, upcast, filter, encode, publish in transactions —
 * into the scratch topic {@code reprise.pilot.<id>}, timed, so the preview can say how long the
 * EXECUTE will take ({@link #estimate}).
 */
final class Pilot {

  /** The share of a PREVIEW's plan its pilot replays for real. */
  static final double SHARE = 0.01;
  /** ... and at least this many offsets per partition. */
  static final long MIN_OFFSETS = 1_000;
  /** Added to the pilot's extrapolation: days and partitions are not even. */
  static final double SKEW_BUFFER = 0.2;

  private final String topic;
  private final long[] end;
  private final Clock clock;
  /** When the pilot published its first record; null before. */
  private Instant started;

  private Pilot(String topic, long[] end, Clock clock) {
    this.topic = topic;
    this.end = end;
    this.clock = clock;
  }

  /**
   * The pilot of a fresh plan, its scratch topic created; empty once the plan has progressed (a
   * preview resumed after a takeover scans on without one).
   */
  static Optional<Pilot> prepare(RunContext ctx, String backfillId, RunState state) {
    if (!state.atStart()) {
      return Optional.empty();
    }
    long[] end = new long[state.partitionCount];
    for (int p = 0; p < state.partitionCount; p++) {
      long planned = state.end[p] - state.start[p];
      // About 1%, but enough offsets to outweigh a pilot's fixed costs (first fetch, commit).
      end[p] = state.start[p] + Math.min(planned, Math.max(MIN_OFFSETS, (long) Math.ceil(planned * SHARE)));
    }
    Pilot pilot = new Pilot("reprise.pilot." + backfillId, end, ctx.clock());
    Topics.ensure(ctx.admin(), new NewTopic(pilot.topic, Optional.of(state.partitionCount), ctx.replicationFactor())
        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(Duration.ofHours(1).toMillis()))));
    return Optional.of(pilot);
  }

  /** Its scratch topic. */
  String topic() {
    return topic;
  }

  /** Where the pilot stops reading {@code partition}. */
  long end(int partition) {
    return end[partition];
  }

  /** Whether the pilot has read all its offsets. */
  boolean done(RunState state) {
    return state.reached(end);
  }

  /** Starts the clock at the first record the pilot publishes. */
  void publishing() {
    if (started == null) {
      started = clock.instant();
    }
  }

  /** Ends the pilot: its speed in offsets per second (0 if it published nothing); drops the scratch topic. */
  double finish(RunContext ctx, RunState state) {
    // Operational time from the injected clock, like the run's rate and ETA.
    double seconds = started == null ? 0 : Duration.between(started, clock.instant()).toNanos() / 1e9;
    ctx.admin().deleteTopics(List.of(topic));
    return seconds > 0 ? offsets(state) / seconds : 0;
  }

  /** Offsets the pilot covers. */
  long offsets(RunState state) {
    long offsets = 0;
    for (int p = 0; p < state.partitionCount; p++) {
      offsets += end[p] - state.start[p];
    }
    return offsets;
  }

  /**
   * The EXECUTE's duration, once the preview knows how many records match: the pilot's speed over
   * every planned offset or, if slower, publishing the matched records at the request's maximum
   * rate or under the adaptive controller's slow start (when EXECUTE will be adaptive); plus 20%
   * for skew.
   */
  static long estimate(double offsetsPerSecond, long planned, long matched, BackfillRequest request,
      Backpressure backpressure) {
    double scan = planned / offsetsPerSecond;
    double limited = request.maxRecordsPerSecond().isPresent() ? matched / request.maxRecordsPerSecond().getAsDouble() : 0;
    double ramp = backpressure.rampSeconds(request, matched, offsetsPerSecond);
    return Math.round(Math.max(scan, Math.max(limited, ramp)) * (1 + SKEW_BUFFER));
  }
}
