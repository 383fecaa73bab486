package dev.reprise.backpressure;

import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What the {@link ThrottleController} decides from, read once per tick. An empty optional is a
 * signal that could not be read (a monitor that timed out, a group that has not started): the
 * controller holds its rate rather than guessing.
 *
 * @param inFlight records published to the backfill topic and not yet processed by the slowest
 *     subscribed workflow; empty if unknown. Not needed when no workflow is subscribed (then
 *     {@code inFlightRequired} is false).
 * @param inFlightRequired whether in-flight must be known (some workflow subscribes to the backfill)
 * @param liveGroups the protected live groups' lag, one entry per group
 * @param producerThrottleTimeMs the replay producer's average throttle time (broker quotas); empty
 *     if the producer reports none yet
 * @param produceLatencyMs the replay producer's average request latency; empty if unknown
 * @param operatorRateLimit a runtime ceiling set by an operator, below the request's own maximum
 * @param operatorPaused an operator asked to hold publishing
 */
public record ThrottleSignals(OptionalLong inFlight, boolean inFlightRequired, List<LiveGroupLag> liveGroups,
    OptionalDouble producerThrottleTimeMs, OptionalDouble produceLatencyMs, OptionalDouble operatorRateLimit,
    boolean operatorPaused) {

  public ThrottleSignals {
    Objects.requireNonNull(inFlight, "inFlight");
    liveGroups = List.copyOf(liveGroups);
    Objects.requireNonNull(producerThrottleTimeMs, "producerThrottleTimeMs");
    Objects.requireNonNull(produceLatencyMs, "produceLatencyMs");
    Objects.requireNonNull(operatorRateLimit, "operatorRateLimit");
  }

  /**
   * The lag of one protected live consumer group.
   *
   * @param records lag in records (empty if unknown)
   * @param seconds lag in time: how old the next record the group has to read is (empty if unknown)
   */
  public record LiveGroupLag(String group, OptionalLong records, OptionalDouble seconds) {}
}
