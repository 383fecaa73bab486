package dev.reprise.coordinator.internal;

import java.time.Clock;
import java.util.OptionalLong;

/**
 * A run's speed for its status: records scanned and plan offsets consumed per second, smoothed
 * over commits, and the ETA they give. Operational time from the injected clock, never event time.
 */
final class RunProgress {

  private final Clock clock;
  private long windowMillis;
  private long windowScanned;
  private long windowConsumed;
  private double recordsPerSecond;
  private double offsetsPerSecond;

  RunProgress(Clock clock) {
    this.clock = clock;
  }

  /** Starts measuring from where {@code state} is now. */
  void startWindow(RunState state) {
    windowMillis = clock.millis();
    windowScanned = state.working.scanned;
    windowConsumed = state.consumed();
  }

  /** Folds what happened since the last update into the rates (at most every 200 ms). */
  void update(RunState state) {
    long now = clock.millis();
    long elapsed = now - windowMillis;
    if (elapsed < 200) {
      return;
    }
    double scannedRate = (state.working.scanned - windowScanned) * 1000.0 / elapsed;
    double consumedRate = (state.consumed() - windowConsumed) * 1000.0 / elapsed;
    // Smoothed so one slow commit does not swing the ETA; the first measurement is taken as is.
    recordsPerSecond = recordsPerSecond == 0 ? scannedRate : 0.7 * recordsPerSecond + 0.3 * scannedRate;
    offsetsPerSecond = offsetsPerSecond == 0 ? consumedRate : 0.7 * offsetsPerSecond + 0.3 * consumedRate;
    windowMillis = now;
    windowScanned = state.working.scanned;
    windowConsumed = state.consumed();
  }

  double recordsPerSecond() {
    return recordsPerSecond;
  }

  /** Seconds until the plan is consumed at the current speed; empty before there is a speed. */
  OptionalLong eta(long remainingOffsets) {
    return offsetsPerSecond > 0 ? OptionalLong.of((long) Math.ceil(remainingOffsets / offsetsPerSecond))
        : OptionalLong.empty();
  }
}
