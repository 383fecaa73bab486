package dev.reprise.observability.internal;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the observer remembers for the dashboard's charts: half an hour at one sample a second, per
 * backfill and per consumer group and topic. Thread-safe: the sampler writes, HTTP threads read.
 */
public final class ObserverHistory {

  /** Half an hour at one sample a second. */
  static final int SAMPLES = 1800;

  private final Map<String, TimeSeries> backfills = new ConcurrentHashMap<>();
  private final Map<String, TimeSeries> lags = new ConcurrentHashMap<>();

  /** A backfill's sample; a missing value is {@code NaN}. */
  public void addBackfill(String backfillId, long epochMillis, double publishRate, double throttleLimit,
      double inFlight, double progress) {
    backfills.computeIfAbsent(backfillId, id -> new TimeSeries(SAMPLES))
        .add(epochMillis, publishRate, throttleLimit, inFlight, progress);
  }

  /** A group's lag on one topic: the sum of its partitions' records and the worst partition's seconds. */
  public void addLag(String group, String topic, long epochMillis, double records, double seconds) {
    lags.computeIfAbsent(key(group, topic), k -> new TimeSeries(SAMPLES)).add(epochMillis, records, seconds);
  }

  /** Columns: time, publish rate, throttle limit, in flight, progress. */
  Optional<TimeSeries> backfill(String backfillId) {
    return Optional.ofNullable(backfills.get(backfillId));
  }

  /** Columns: time, records, seconds. */
  Optional<TimeSeries> lag(String group, String topic) {
    return Optional.ofNullable(lags.get(key(group, topic)));
  }

  private static String key(String group, String topic) {
    return group + "|" + topic;
  }
}
