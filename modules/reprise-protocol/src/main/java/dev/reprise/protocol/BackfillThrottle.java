package dev.reprise.protocol;

import java.util.Locale;
import java.util.OptionalLong;

/**
 * The adaptive backpressure of a running backfill, as its status reports it.
 *
 * @param ratePerSecond the publish rate the controller set; 0 while it holds publishing
 * @param mode {@code INCREASING}, {@code THROTTLED}, {@code HOLDING} or {@code PAUSED}: the
 *     controller's mode, not the backfill's state (a backfill held by backpressure stays RUNNING)
 * @param reason why it is not speeding up, e.g. {@code "in-flight 4,100 >= 80% of cap 5,000"};
 *     empty at full speed
 * @param inFlight records published and not yet processed by the slowest subscribed workflow
 * @param inFlightCap the most records allowed in flight
 */
public record BackfillThrottle(double ratePerSecond, String mode, String reason, OptionalLong inFlight,
    long inFlightCap) {

  public BackfillThrottle {
    reason = reason == null ? "" : reason;
    inFlight = inFlight == null ? OptionalLong.empty() : inFlight;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "throttle=%s %.0f/s%s%s", mode, ratePerSecond,
        inFlight.isPresent() ? " in-flight " + inFlight.getAsLong() + "/" + inFlightCap : "",
        reason.isEmpty() ? "" : " (" + reason + ")");
  }
}
