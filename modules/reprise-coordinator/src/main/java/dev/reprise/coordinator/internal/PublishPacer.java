package dev.reprise.coordinator.internal;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Spaces publishes evenly at a fixed rate; no burst credit is saved up while idle. The request's
 * {@code maxRecordsPerSecond} is a hard ceiling; the adaptive controller adjusts below it.
 */
final class PublishPacer {

  private long intervalNanos;
  private final LongSupplier nanoTime;
  private long nextFreeNanos;

  /** @param ratePerSecond publishes per second; 0 or less means unlimited */
  PublishPacer(double ratePerSecond, LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    rate(ratePerSecond);
  }

  /** Changes the rate (the adaptive controller's); 0 or less means unlimited. */
  void rate(double ratePerSecond) {
    this.intervalNanos = ratePerSecond > 0 ? Math.max(1, (long) (1_000_000_000L / ratePerSecond)) : 0;
  }

  /** How long the next publish must wait, in nanoseconds, and books its slot. */
  long reserve() {
    if (intervalNanos == 0) {
      return 0;
    }
    long now = nanoTime.getAsLong();
    long wait = Math.max(0, nextFreeNanos - now);
    nextFreeNanos = Math.max(now, nextFreeNanos) + intervalNanos;
    return wait;
  }

  /** Waits for the next publish slot. */
  void acquire() {
    long wait = reserve();
    if (wait > 0) {
      LockSupport.parkNanos(wait);
    }
  }
}
