package dev.reprise.backpressure;

import java.util.List;

/**
 * What the {@link ThrottleController} chose, and why: the rate to publish at now, the mode, and the
 * reasons (empty at full speed) that the backfill status shows.
 *
 * @param ratePerSecond the publish rate; 0 when paused
 * @param reasons why it is not speeding up: one line per signal, e.g. {@code "in-flight 4,800 >= 80%
 *     of cap 5,000"}
 */
public record ThrottleDecision(double ratePerSecond, Mode mode, List<String> reasons) {

  public ThrottleDecision {
    reasons = List.copyOf(reasons);
  }

  /** How the controller is acting. */
  public enum Mode {
    /** Every signal healthy: speeding up gently (additive increase), or at the ceiling. */
    INCREASING,
    /** A signal asks to slow down: the rate was cut (multiplicative decrease). */
    THROTTLED,
    /** A signal is missing: the rate is held until it is back. */
    HOLDING,
    /** A critical signal, or the operator: publishing stops until it clears. */
    PAUSED
  }

  /** The reasons on one line, for logs and status. */
  public String reason() {
    return reasons.isEmpty() ? "" : String.join("; ", reasons);
  }
}
