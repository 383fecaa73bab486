package dev.reprise.backpressure;

import dev.reprise.backpressure.ThrottleDecision.Mode;
import dev.reprise.backpressure.ThrottleSignals.LiveGroupLag;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Sets a backfill's publish rate from downstream signals, gh-ost and GitLab style: any throttling
 * signal cuts the rate (multiplicative decrease), all healthy lets it grow gently (additive
 * increase), a missing signal holds it, a critical one pauses publishing. Call {@link #decide} once
 * per tick with fresh {@link ThrottleSignals}; it is not thread-safe.
 *
 * <p>Signals, in the order they are checked:
 * <ul>
 *   <li><b>operator</b>: a pause, or a rate ceiling at runtime (besides the request's maximum);
 *   <li><b>live health</b> (protected groups): lag beyond {@code criticalFactor} × a threshold
 *       pauses, beyond the threshold throttles;
 *   <li><b>in-flight</b> (published, not yet processed by the slowest subscribed workflow): at or
 *       above {@code inFlightHighWater} × cap throttles, at or above the cap pauses. The publisher also
 *       enforces the cap as a hard window ({@link #admits}); the rate keeps it from being hit often;
 *   <li><b>broker pushback</b>: producer throttle time above 0 (a quota), or produce latency above
 *       {@code latencyThreshold} or rising to three times its usual value (above 50 ms), throttles.
 * </ul>
 * A decrease happens at most once per {@code decreaseCooldown}, so one stale reading (monitors
 * refresh about every second) does not collapse the rate tick after tick. After a pause the rate
 * restarts from half of what it was.
 *
 * <pre>{@code
 * ThrottleController controller = ThrottleController.builder()
 *     .maxRate(5_000).inFlightCap(20_000)
 *     .liveLagThreshold(10_000, Duration.ofSeconds(30))
 *     .clock(clock).build();
 * ThrottleDecision decision = controller.decide(signals);   // rate, mode, reasons
 * }</pre>
 */
public final class ThrottleController {

  private final Builder config;
  private final Clock clock;
  private double rate;
  private double rateBeforePause;
  private Instant lastDecrease = Instant.MIN;
  private ThrottleDecision last;
  private double latencyBaseline;
  /** Latency this many times its usual value is pushback... */
  private static final double RISING_FACTOR = 3;
  /** ...once it is above this much (a 2 ms broker going to 6 ms is noise). */
  private static final double RISING_FLOOR_MS = 50;

  private ThrottleController(Builder config) {
    this.config = config;
    this.clock = config.clock;
    this.rate = Math.min(config.initialRate, config.maxRate);
    this.last = new ThrottleDecision(rate, Mode.HOLDING, List.of("no signals yet"));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The last decision. */
  public ThrottleDecision current() {
    return last;
  }

  /** Whether one more record may be published with {@code inFlight} records in flight (the hard window). */
  public boolean admits(long inFlight) {
    return inFlight < config.inFlightCap;
  }

  /** The in-flight cap. */
  public long inFlightCap() {
    return config.inFlightCap;
  }

  /** Decides the rate for the next tick. */
  public ThrottleDecision decide(ThrottleSignals signals) {
    List<String> pause = new ArrayList<>();
    List<String> slow = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    double ceiling = config.maxRate;
    if (signals.operatorPaused()) {
      pause.add("paused by operator");
    }
    if (signals.operatorRateLimit().isPresent() && signals.operatorRateLimit().getAsDouble() < ceiling) {
      ceiling = Math.max(0, signals.operatorRateLimit().getAsDouble());
    }
    for (LiveGroupLag group : signals.liveGroups()) {
      if (group.records().isEmpty() && group.seconds().isEmpty()) {
        missing.add("lag of live group " + group.group() + " unknown");
        continue;
      }
      if (group.records().isPresent() && config.liveLagRecords > 0) {
        judge(group.records().getAsLong(), config.liveLagRecords,
            "live group " + group.group() + " lag " + count(group.records().getAsLong()) + " records", pause, slow);
      }
      if (group.seconds().isPresent() && config.liveLagSeconds > 0) {
        judge(group.seconds().getAsDouble(), config.liveLagSeconds,
            String.format(Locale.ROOT, "live group %s lag %.1f s", group.group(), group.seconds().getAsDouble()), pause, slow);
      }
    }
    if (signals.inFlight().isPresent()) {
      long inFlight = signals.inFlight().getAsLong();
      if (inFlight >= config.inFlightCap) {
        pause.add("in-flight " + count(inFlight) + " >= cap " + count(config.inFlightCap));
      } else if (inFlight >= config.inFlightHighWater * config.inFlightCap) {
        slow.add("in-flight " + count(inFlight) + " >= " + Math.round(config.inFlightHighWater * 100) + "% of cap "
            + count(config.inFlightCap));
      }
    } else if (signals.inFlightRequired()) {
      missing.add("in-flight unknown");
    }
    if (signals.producerThrottleTimeMs().isPresent() && signals.producerThrottleTimeMs().getAsDouble() > 0) {
      slow.add(String.format(Locale.ROOT, "broker quota: producer throttled %.0f ms",
          signals.producerThrottleTimeMs().getAsDouble()));
    }
    if (signals.produceLatencyMs().isPresent()) {
      double latency = signals.produceLatencyMs().getAsDouble();
      if (config.latencyThresholdMs > 0 && latency > config.latencyThresholdMs) {
        slow.add(String.format(Locale.ROOT, "produce latency %.0f ms > %d ms", latency, config.latencyThresholdMs));
      } else if (latencyBaseline > 0 && latency > RISING_FLOOR_MS && latency > RISING_FACTOR * latencyBaseline) {
        slow.add(String.format(Locale.ROOT, "produce latency rising: %.0f ms, %.1fx its usual %.0f ms", latency,
            latency / latencyBaseline, latencyBaseline));
      } else {
        // The usual latency, learnt slowly and only from unremarkable readings.
        latencyBaseline = latencyBaseline == 0 ? latency : 0.9 * latencyBaseline + 0.1 * latency;
      }
    }

    Instant now = clock.instant();
    if (!pause.isEmpty()) {
      if (rate > 0) {
        rateBeforePause = rate;
      }
      rate = 0;
      return remember(new ThrottleDecision(0, Mode.PAUSED, concat(pause, slow, missing)));
    }
    if (rate == 0) {
      // Leaving a pause: restart below where trouble began.
      rate = Math.max(config.minRate, rateBeforePause / 2);
      lastDecrease = now;
    }
    if (!slow.isEmpty()) {
      if (!now.isBefore(lastDecrease.plus(config.decreaseCooldown))) {
        rate = Math.max(config.minRate, rate * config.decreaseFactor);
        lastDecrease = now;
      }
      rate = Math.min(rate, ceiling);
      return remember(new ThrottleDecision(rate, Mode.THROTTLED, concat(slow, missing)));
    }
    if (!missing.isEmpty()) {
      rate = Math.min(rate, ceiling);
      return remember(new ThrottleDecision(rate, Mode.HOLDING, missing));
    }
    rate = Math.min(ceiling, rate + config.additiveStep);
    List<String> reasons = rate >= config.maxRate ? List.of()
        : ceiling < config.maxRate && rate >= ceiling ? List.of("operator limit " + count((long) ceiling) + "/s")
        : List.of();
    return remember(new ThrottleDecision(rate, Mode.INCREASING, reasons));
  }

  private void judge(double value, double threshold, String what, List<String> pause, List<String> slow) {
    if (value > config.criticalFactor * threshold) {
      pause.add(what + " > critical " + count(Math.round(config.criticalFactor * threshold)));
    } else if (value > threshold) {
      slow.add(what + " > " + count(Math.round(threshold)));
    }
  }

  private ThrottleDecision remember(ThrottleDecision decision) {
    last = decision;
    return decision;
  }

  @SafeVarargs
  private static List<String> concat(List<String>... lists) {
    List<String> all = new ArrayList<>();
    for (List<String> list : lists) {
      all.addAll(list);
    }
    return all;
  }

  private static String count(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }

  /** Configures a {@link ThrottleController}; validates at {@link #build()}. */
  public static final class Builder {
    private double maxRate = Double.NaN;
    private double initialRate = Double.NaN;
    private double minRate = 10;
    private double additiveStep = Double.NaN;
    private double decreaseFactor = 0.5;
    private Duration decreaseCooldown = Duration.ofSeconds(1);
    private long inFlightCap = 50_000;
    private double inFlightHighWater = 0.8;
    private double liveLagRecords;
    private double liveLagSeconds;
    private double criticalFactor = 2;
    private long latencyThresholdMs = 500;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The ceiling: the request's maximum rate, or what the cluster can take. Required. */
    public Builder maxRate(double perSecond) { this.maxRate = perSecond; return this; }

    /** Where to start; default a tenth of {@link #maxRate}: a backfill proves itself before it runs fast. */
    public Builder initialRate(double perSecond) { this.initialRate = perSecond; return this; }

    /** The floor while throttled (not paused); default 10/s. */
    public Builder minRate(double perSecond) { this.minRate = perSecond; return this; }

    /** Added per healthy tick; default 5% of {@link #maxRate}. */
    public Builder additiveStep(double perSecond) { this.additiveStep = perSecond; return this; }

    /** Multiplier on a throttling signal; default 0.5. */
    public Builder decreaseFactor(double factor) { this.decreaseFactor = factor; return this; }

    /** Minimum time between two decreases; default 1 s. */
    public Builder decreaseCooldown(Duration cooldown) { this.decreaseCooldown = cooldown; return this; }

    /** Records in flight at most; default 50,000. */
    public Builder inFlightCap(long records) { this.inFlightCap = records; return this; }

    /** Share of the cap from which in-flight throttles; default 0.8. */
    public Builder inFlightHighWater(double share) { this.inFlightHighWater = share; return this; }

    /** Lag of a protected live group beyond which the backfill slows; 0 disables that half. */
    public Builder liveLagThreshold(long records, Duration time) {
      this.liveLagRecords = records;
      this.liveLagSeconds = time.toMillis() / 1000.0;
      return this;
    }

    /** How many times a threshold is critical (pause); default 2. */
    public Builder criticalFactor(double factor) { this.criticalFactor = factor; return this; }

    /** Produce latency that counts as broker pushback; default 500 ms, 0 disables. */
    public Builder latencyThreshold(Duration latency) { this.latencyThresholdMs = latency.toMillis(); return this; }

    public Builder clock(Clock clock) { this.clock = clock; return this; }

    public ThrottleController build() {
      List<String> problems = new ArrayList<>();
      if (!(maxRate > 0)) {
        problems.add("maxRate must be positive, was " + maxRate);
      }
      if (Double.isNaN(initialRate)) {
        initialRate = maxRate / 10;
      }
      if (Double.isNaN(additiveStep)) {
        additiveStep = maxRate / 20;
      }
      if (!(minRate > 0) || minRate > maxRate) {
        problems.add("minRate must be in (0, maxRate], was " + minRate);
      }
      if (!(initialRate >= minRate)) {
        problems.add("initialRate must be at least minRate " + minRate + ", was " + initialRate);
      }
      if (!(additiveStep > 0)) {
        problems.add("additiveStep must be positive, was " + additiveStep);
      }
      if (!(decreaseFactor > 0 && decreaseFactor < 1)) {
        problems.add("decreaseFactor must be in (0, 1), was " + decreaseFactor);
      }
      if (decreaseCooldown == null || decreaseCooldown.isNegative()) {
        problems.add("decreaseCooldown must be zero or positive, was " + decreaseCooldown);
      }
      if (inFlightCap < 1) {
        problems.add("inFlightCap must be at least 1, was " + inFlightCap);
      }
      if (!(inFlightHighWater > 0 && inFlightHighWater <= 1)) {
        problems.add("inFlightHighWater must be in (0, 1], was " + inFlightHighWater);
      }
      if (liveLagRecords < 0 || liveLagSeconds < 0) {
        problems.add("liveLagThreshold must not be negative");
      }
      if (!(criticalFactor >= 1)) {
        problems.add("criticalFactor must be at least 1, was " + criticalFactor);
      }
      if (latencyThresholdMs < 0) {
        problems.add("latencyThreshold must not be negative");
      }
      if (clock == null) {
        problems.add("clock is required");
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException("invalid throttle controller configuration: " + String.join("; ", problems));
      }
      return new ThrottleController(this);
    }
  }
}
