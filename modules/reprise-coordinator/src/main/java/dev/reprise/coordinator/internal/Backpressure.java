package dev.reprise.coordinator.internal;

import dev.reprise.backpressure.ThrottleController;
import dev.reprise.protocol.BackfillRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * The coordinator's backpressure settings, and the ticker that applies them.
 *
 * @param ticker measures and decides for every adaptive run; null when the coordinator runs
 *     without adaptive backpressure
 * @param inFlightCap records published and not yet processed by the slowest named workflow, at most
 * @param maxRate the ceiling of a request without its own maximum rate
 * @param liveLagRecords lag of a protected live group beyond which backfills slow (2× pauses)
 * @param liveLagTime the same in time
 */
public record Backpressure(ThrottleTicker ticker, long inFlightCap, double maxRate, long liveLagRecords,
    Duration liveLagTime) {

  /**
   * Seconds to publish {@code records} if {@code request} runs adaptive: from a tenth of its ceiling,
   * plus 5% of it per tick, up to {@code fastest} (what the source can be read at) — the
   * controller's slow start with no throttling signal. 0 if it would not be adaptive.
   */
  double rampSeconds(BackfillRequest request, long records, double fastest) {
    if (ticker == null || request.workflows().isEmpty() && ticker.liveGroups().isEmpty() || records <= 0) {
      return 0;
    }
    double ceiling = Math.min(request.maxRecordsPerSecond().orElse(maxRate), fastest);
    double rate = Math.min(ceiling, request.maxRecordsPerSecond().orElse(maxRate) / 10);
    double step = request.maxRecordsPerSecond().orElse(maxRate) / 20;
    double tickSeconds = ticker.tickSeconds();
    double seconds = 0;
    double left = records;
    while (left > rate * tickSeconds && rate < ceiling) {
      left -= rate * tickSeconds;
      seconds += tickSeconds;
      rate = Math.min(ceiling, rate + step);
    }
    return seconds + left / rate;
  }

  /** The throttle for a run of {@code request}; empty when nothing downstream is watched. */
  Optional<AdaptiveThrottle> throttleFor(String backfillId, BackfillRequest request, Clock clock,
      Function<String, OptionalDouble> producerMetric) {
    if (ticker == null || request.workflows().isEmpty() && ticker.liveGroups().isEmpty()) {
      return Optional.empty();
    }
    ThrottleController controller = ThrottleController.builder()
        .maxRate(request.maxRecordsPerSecond().orElse(maxRate))
        .minRate(Math.min(10, request.maxRecordsPerSecond().orElse(maxRate)))
        .inFlightCap(inFlightCap)
        .liveLagThreshold(liveLagRecords, liveLagTime)
        .clock(clock)
        .build();
    return Optional.of(new AdaptiveThrottle(backfillId, request.workflows(), controller, producerMetric));
  }
}
