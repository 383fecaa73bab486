package dev.reprise.coordinator.internal;

import dev.reprise.protocol.BackfillCounters;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A run's counters, mutable and single-threaded: the working copy a transaction adds to, and the
 * committed copy it falls back to when the transaction aborts.
 */
final class RunCounters {

  private static final long MILLIS_PER_DAY = 86_400_000L;

  long scanned;
  long matched;
  long published;
  long filteredOut;
  long tombstones;
  long deadLettered;
  private final Map<Long, long[]> perDay;
  private final Map<String, Long> evolution;

  RunCounters() {
    this(new HashMap<>(), new TreeMap<>());
  }

  private RunCounters(Map<Long, long[]> perDay, Map<String, Long> evolution) {
    this.perDay = perDay;
    this.evolution = evolution;
  }

  /** Counters as a status last reported them, to continue from after a takeover. */
  static RunCounters restore(Map<String, Long> counters, SortedMap<LocalDate, Long> perDay, Map<String, Long> evolution) {
    RunCounters restored = new RunCounters();
    restored.scanned = counters.getOrDefault(BackfillCounters.SCANNED, 0L);
    restored.matched = counters.getOrDefault(BackfillCounters.MATCHED, 0L);
    restored.published = counters.getOrDefault(BackfillCounters.PUBLISHED, 0L);
    restored.filteredOut = counters.getOrDefault(BackfillCounters.FILTERED_OUT, 0L);
    restored.tombstones = counters.getOrDefault(BackfillCounters.TOMBSTONES, 0L);
    restored.deadLettered = counters.getOrDefault(BackfillCounters.DEAD_LETTERED, 0L);
    perDay.forEach((day, count) -> restored.perDay.put(day.toEpochDay(), new long[] {count}));
    restored.evolution.putAll(evolution);
    return restored;
  }

  void matchedOn(long eventTimeMillis) {
    matched++;
    perDay.computeIfAbsent(Math.floorDiv(eventTimeMillis, MILLIS_PER_DAY), day -> new long[1])[0]++;
  }

  void addEvolution(Map<String, Long> counted) {
    counted.forEach((name, count) -> evolution.merge(name, count, Long::sum));
  }

  RunCounters copy() {
    Map<Long, long[]> days = new HashMap<>();
    perDay.forEach((day, count) -> days.put(day, new long[] {count[0]}));
    RunCounters copy = new RunCounters(days, new TreeMap<>(evolution));
    copy.scanned = scanned;
    copy.matched = matched;
    copy.published = published;
    copy.filteredOut = filteredOut;
    copy.tombstones = tombstones;
    copy.deadLettered = deadLettered;
    return copy;
  }

  Map<String, Long> asMap(long planned) {
    Map<String, Long> map = new TreeMap<>();
    map.put(BackfillCounters.PLANNED, planned);
    map.put(BackfillCounters.SCANNED, scanned);
    map.put(BackfillCounters.MATCHED, matched);
    map.put(BackfillCounters.PUBLISHED, published);
    map.put(BackfillCounters.FILTERED_OUT, filteredOut);
    map.put(BackfillCounters.TOMBSTONES, tombstones);
    map.put(BackfillCounters.DEAD_LETTERED, deadLettered);
    return map;
  }

  SortedMap<LocalDate, Long> perDay() {
    SortedMap<LocalDate, Long> days = new TreeMap<>();
    perDay.forEach((day, count) -> days.put(LocalDate.ofEpochDay(day), count[0]));
    return days;
  }

  Map<String, Long> evolution() {
    return evolution;
  }
}
