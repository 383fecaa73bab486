package dev.reprise.coordinator.internal;

import dev.reprise.backpressure.LagMonitor;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ticks every running backfill's {@link AdaptiveThrottle} on one thread of the coordinator, so that
 * measuring lag (a few Admin round trips) never slows a replay loop.
 */
public final class ThrottleTicker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ThrottleTicker.class);

  private final LagMonitor monitor;
  private final List<String> liveGroups;
  private final Set<AdaptiveThrottle> throttles = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService executor;
  private final long intervalNanos;
  private volatile double tickSeconds;
  private long lastTickNanos;

  /** @param liveGroups consumer groups of live traffic that a backfill must not hurt */
  public ThrottleTicker(LagMonitor monitor, List<String> liveGroups, Duration interval) {
    this.monitor = monitor;
    this.liveGroups = List.copyOf(liveGroups);
    this.intervalNanos = interval.toNanos();
    this.tickSeconds = interval.toMillis() / 1000.0;
    this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "reprise-throttle");
      thread.setDaemon(true);
      return thread;
    });
    executor.scheduleWithFixedDelay(this::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The live groups the coordinator protects. */
  public List<String> liveGroups() {
    return liveGroups;
  }

  void register(AdaptiveThrottle throttle) {
    throttles.add(throttle);
  }

  void unregister(AdaptiveThrottle throttle) {
    throttles.remove(throttle);
  }

  /**
   * The real time between two decisions, smoothed: the interval plus how long measuring takes
   * (Admin round trips per watched group). What the rate's slow start actually moves at.
   */
  public double tickSeconds() {
    return tickSeconds;
  }

  private void tick() {
    long now = System.nanoTime();
    if (lastTickNanos != 0 && !throttles.isEmpty()) {
      double measured = (now - lastTickNanos) / 1e9;
      tickSeconds = 0.8 * tickSeconds + 0.2 * measured;
    }
    lastTickNanos = now;
    for (AdaptiveThrottle throttle : throttles) {
      try {
        throttle.tick(monitor, liveGroups);
      } catch (RuntimeException e) {
        log.warn("throttle tick failed: {}", e.toString());
      }
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    monitor.close();
  }
}
