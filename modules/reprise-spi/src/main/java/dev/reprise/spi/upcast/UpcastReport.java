package dev.reprise.spi.upcast;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What an {@link UpcasterChain} did during one run: the schema-evolution report a backfill shows.
 * Thread-safe; {@link #snapshot()} gives a sorted, immutable copy.
 *
 * <p>Counter names, stable because status events and dashboards carry them:
 *
 * <ul>
 *   <li>{@code records.v<N>}: records read that were written with version N;
 *   <li>{@code upcast.v<N>_to_v<N+1>}: records converted by that step;
 *   <li>{@code default.v<N>_to_v<N+1>.<field>}: records that got a documented default for the field;
 *   <li>a name of the step's own ({@link #noted}), e.g. {@code normalised_to_utc}: local date-times
 *       converted to UTC instants;
 *   <li>{@code failed.v<N>_to_v<N+1>.<field>}: records that step could not convert;
 *   <li>{@code failed.unsupported_version}: records of an unknown or too new version.
 * </ul>
 */
public final class UpcastReport {

  private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
  // Counting happens several times per record on the replay's hot path: counter names are built
  // once per (kind, step, field), not concatenated per record.
  private final Map<Integer, LongAdder> reads = new ConcurrentHashMap<>();
  private final Map<Integer, LongAdder> steps = new ConcurrentHashMap<>();
  private final Map<Integer, Map<String, LongAdder>> defaults = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> notes = new ConcurrentHashMap<>();

  /** Counts a record read that was written with {@code version} (the chain does). */
  public void recordRead(int version) {
    reads.computeIfAbsent(version, v -> adder("records.v" + v)).increment();
  }

  /** Counts a record converted by the step {@code from → to} (the chain does). */
  public void stepApplied(int from, int to) {
    steps.computeIfAbsent(from * 1000 + to, k -> adder("upcast." + step(from, to))).increment();
  }

  /** Counts a documented default applied to {@code field} by the step {@code from → to}. */
  public void defaultApplied(int from, int to, String field) {
    defaults.computeIfAbsent(from * 1000 + to, k -> new ConcurrentHashMap<>())
        .computeIfAbsent(field, f -> adder("default." + step(from, to) + "." + f))
        .increment();
  }

  /**
   * Counts something a step did that a reader of the evolution report should know about, under a
   * name of the step's own ({@code normalised_to_utc}); keep names stable, dashboards show them.
   */
  public void noted(String counter) {
    notes.computeIfAbsent(counter, this::adder).increment();
  }

  private LongAdder adder(String name) {
    return counters.computeIfAbsent(name, n -> new LongAdder());
  }

  /** Counts a record the step {@code from → to} could not convert because of {@code field} (the chain does). */
  public void failed(int from, int to, String field) {
    increment("failed." + step(from, to) + "." + field);
  }

  /** Counts a record of an unknown or too new version (the chain does). */
  public void unsupportedVersion() {
    increment("failed.unsupported_version");
  }

  /** One counter's value, 0 if it never counted. */
  public long count(String name) {
    LongAdder adder = counters.get(name);
    return adder == null ? 0 : adder.sum();
  }

  /** All counters, sorted by name. */
  public Map<String, Long> snapshot() {
    Map<String, Long> copy = new TreeMap<>();
    counters.forEach((name, adder) -> {
      long sum = adder.sum();
      if (sum > 0) {
        copy.put(name, sum);
      }
    });
    return java.util.Collections.unmodifiableMap(copy);
  }

  /** Total of the {@code failed.*} counters. */
  public long failures() {
    return counters.entrySet().stream()
        .filter(e -> e.getKey().startsWith("failed."))
        .mapToLong(e -> e.getValue().sum())
        .sum();
  }

  private void increment(String name) {
    counters.computeIfAbsent(name, n -> new LongAdder()).increment();
  }

  private static String step(int from, int to) {
    return "v" + from + "_to_v" + to;
  }

  @Override
  public String toString() {
    return "UpcastReport" + snapshot();
  }
}
