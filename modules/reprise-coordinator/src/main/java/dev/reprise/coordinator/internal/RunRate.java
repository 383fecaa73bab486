package dev.reprise.coordinator.internal;

import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillThrottle;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * How fast a run may publish: the request's maximum under the operator's limit (a THROTTLE
 * command), paced record by record; for an adaptive run the {@link AdaptiveThrottle} decides the
 * rate and an in-flight allowance from downstream lag, and may hold publishing altogether.
 */
final class RunRate {

  private final RunContext ctx;
  private final BackfillRequest request;
  private final PublishPacer pacer;
  private final AdaptiveThrottle throttle;
  private OptionalDouble operatorLimit = OptionalDouble.empty();

  /**
   * @param producerMetric the run's producer metrics, which the adaptive throttle watches
   */
  RunRate(RunContext ctx, String backfillId, BackfillRequest request, Function<String, OptionalDouble> producerMetric) {
    this.ctx = ctx;
    this.request = request;
    this.pacer = new PublishPacer(fixedRate(), System::nanoTime);
    this.throttle = request.mode() == BackfillRequest.Mode.EXECUTE
        ? ctx.backpressure().throttleFor(backfillId, request, ctx.clock(), producerMetric::apply).orElse(null) : null;
    if (throttle != null) {
      ctx.backpressure().ticker().register(throttle);
    }
  }

  /** The operator's ceiling below the request's maximum; empty lifts it. */
  void operatorLimit(OptionalDouble limit) {
    operatorLimit = limit;
    if (throttle != null) {
      throttle.operatorLimit(limit);
    } else {
      pacer.rate(fixedRate());
    }
  }

  /** Whether backpressure holds publishing now. */
  boolean gated() {
    return throttle != null && throttle.gated();
  }

  /** Records per chunk: a whole poll, or about a quarter second's worth under a rate limit. */
  int chunkSize() {
    double rate = throttle != null ? throttle.rate() : fixedRate();
    long chunk = rate > 0 ? (long) Math.max(1, rate / 4) : Integer.MAX_VALUE;
    return (int) Math.min(Integer.MAX_VALUE, chunk);
  }

  /** Takes the adaptive rate for the step about to run. */
  void beforeStep() {
    if (throttle != null) {
      pacer.rate(throttle.rate());
    }
  }

  /** The next chunk's size: {@code chunk}, or less if the in-flight window has less room. */
  int nextChunk(int chunk) {
    return throttle == null ? chunk : (int) Math.min(chunk, throttle.allowance());
  }

  /** Waits for the next record's turn. */
  void acquire() {
    pacer.acquire();
  }

  /** Tells the adaptive throttle what is published and what of it is committed (visible downstream). */
  void observe(RunState state) {
    if (throttle != null) {
      throttle.observe(state.working.published, state.committed.published);
    }
  }

  /** The adaptive throttle's state; empty if the run is not adaptive. */
  Optional<BackfillThrottle> status() {
    return throttle == null ? Optional.empty() : Optional.of(throttle.status());
  }

  /** Stops adapting. */
  void close() {
    if (throttle != null && ctx.backpressure().ticker() != null) {
      ctx.backpressure().ticker().unregister(throttle);
    }
  }

  /** The rate of a run without adaptive throttle: the request's maximum under the operator's; 0 is unlimited. */
  private double fixedRate() {
    double requested = request.maxRecordsPerSecond().orElse(0);
    if (operatorLimit.isEmpty()) {
      return requested;
    }
    return requested > 0 ? Math.min(requested, operatorLimit.getAsDouble()) : operatorLimit.getAsDouble();
  }
}
