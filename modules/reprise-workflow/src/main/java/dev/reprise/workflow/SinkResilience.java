package dev.reprise.workflow;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How an effect sink is protected: retries with exponential backoff and jitter, a circuit
 * breaker, a rate limit and a bulkhead (resilience4j). A sink that fails every call opens its
 * breaker before one event has used up its retries ({@code minimumCalls <= maxAttempts}), so an
 * outage pauses the workflow instead of dead-lettering events.
 *
 * <pre>{@code
 * SinkResilience.builder().maxCallsPerSecond(20).openDuration(Duration.ofSeconds(30)).build();
 * }</pre>
 *
 * @param maxAttempts calls per effect, the first included
 * @param initialBackoff wait before the second attempt; then times {@code multiplier}, ±50% jitter
 * @param maxBackoff the longest wait between attempts (a sink's Retry-After may ask for more)
 * @param failureRatePercent failure rate that opens the breaker
 * @param minimumCalls calls before the failure rate counts
 * @param openDuration how long an open breaker waits before letting trial calls through
 * @param maxCallsPerSecond rate limit towards the sink
 * @param maxConcurrentCalls bulkhead
 */
public record SinkResilience(int maxAttempts, Duration initialBackoff, double multiplier, Duration maxBackoff,
    float failureRatePercent, int minimumCalls, Duration openDuration, double maxCallsPerSecond,
    int maxConcurrentCalls) {

  public static Builder builder() {
    return new Builder();
  }

  /** 5 attempts from 200 ms doubling to 10 s; open at 50% of at least 5 calls for 10 s; 100 calls/s, 10 at once. */
  public static SinkResilience defaults() {
    return builder().build();
  }

  /** Builds {@link SinkResilience}; validates at {@link #build()}. */
  public static final class Builder {
    private int maxAttempts = 5;
    private Duration initialBackoff = Duration.ofMillis(200);
    private double multiplier = 2.0;
    private Duration maxBackoff = Duration.ofSeconds(10);
    private float failureRatePercent = 50;
    private int minimumCalls = 5;
    private Duration openDuration = Duration.ofSeconds(10);
    private double maxCallsPerSecond = 100;
    private int maxConcurrentCalls = 10;

    private Builder() {}

    public Builder maxAttempts(int attempts) { this.maxAttempts = attempts; return this; }
    public Builder initialBackoff(Duration backoff) { this.initialBackoff = backoff; return this; }
    public Builder multiplier(double multiplier) { this.multiplier = multiplier; return this; }
    public Builder maxBackoff(Duration backoff) { this.maxBackoff = backoff; return this; }
    public Builder failureRatePercent(float percent) { this.failureRatePercent = percent; return this; }
    public Builder minimumCalls(int calls) { this.minimumCalls = calls; return this; }
    public Builder openDuration(Duration duration) { this.openDuration = duration; return this; }
    public Builder maxCallsPerSecond(double rate) { this.maxCallsPerSecond = rate; return this; }
    public Builder maxConcurrentCalls(int calls) { this.maxConcurrentCalls = calls; return this; }

    public SinkResilience build() {
      List<String> problems = new ArrayList<>();
      if (maxAttempts < 1) {
        problems.add("maxAttempts must be at least 1, was " + maxAttempts);
      }
      if (minimumCalls < 1 || minimumCalls > maxAttempts) {
        problems.add("minimumCalls must be 1.." + maxAttempts + " (maxAttempts), so an outage opens the breaker before"
            + " an event runs out of retries; was " + minimumCalls);
      }
      if (initialBackoff == null || initialBackoff.isNegative() || maxBackoff == null || maxBackoff.compareTo(initialBackoff) < 0) {
        problems.add("backoffs must satisfy 0 <= initialBackoff <= maxBackoff, were " + initialBackoff + " and " + maxBackoff);
      }
      if (multiplier < 1) {
        problems.add("multiplier must be at least 1, was " + multiplier);
      }
      if (failureRatePercent <= 0 || failureRatePercent > 100) {
        problems.add("failureRatePercent must be in (0, 100], was " + failureRatePercent);
      }
      if (openDuration == null || openDuration.isNegative() || openDuration.isZero()) {
        problems.add("openDuration must be positive, was " + openDuration);
      }
      if (!(maxCallsPerSecond > 0)) {
        problems.add("maxCallsPerSecond must be positive, was " + maxCallsPerSecond);
      }
      if (maxConcurrentCalls < 1) {
        problems.add("maxConcurrentCalls must be at least 1, was " + maxConcurrentCalls);
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException("invalid sink resilience: " + String.join("; ", problems));
      }
      return new SinkResilience(maxAttempts, initialBackoff, multiplier, maxBackoff, failureRatePercent, minimumCalls,
          openDuration, maxCallsPerSecond, maxConcurrentCalls);
    }
  }
}
