package dev.reprise.history;

import dev.reprise.history.GeneratedRecord.Kind;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts of a generated history.
 *
 * @param records records in all
 * @param recordsPerVersion submission records (tombstones excluded) per schema version written
 * @param recordsPerKind records per {@link Kind}
 * @param distinctKeys distinct Kafka keys: what a fully compacted topic keeps at most
 * @param revisions records that correct an earlier submission
 */
public record HistorySummary(
    long records,
    Map<Integer, Long> recordsPerVersion,
    Map<Kind, Long> recordsPerKind,
    long distinctKeys,
    long revisions) {

  /** Records of {@code kind}, 0 if none. */
  public long count(Kind kind) {
    return recordsPerKind.getOrDefault(kind, 0L);
  }

  /** Records no replay can upcast: dirty values and corrupt bytes. */
  public long unreadable() {
    return recordsPerKind.entrySet().stream()
        .filter(e -> e.getKey() != Kind.TOMBSTONE && !e.getKey().upcasts())
        .mapToLong(Map.Entry::getValue)
        .sum();
  }

  /** Builds a summary record by record. */
  static final class Accumulator {
    private long records;
    private final Map<Integer, Long> perVersion = new TreeMap<>();
    private final Map<Kind, Long> perKind = new EnumMap<>(Kind.class);
    private long distinctKeys;
    private long revisions;

    void add(GeneratedRecord record) {
      records++;
      perKind.merge(record.kind(), 1L, Long::sum);
      if (record.kind() == Kind.TOMBSTONE) {
        return;
      }
      perVersion.merge(record.schemaVersion(), 1L, Long::sum);
      // Every submission's first record has revision 0; corrupt ones carry a fresh key too.
      if (record.kind().corrupt() || ((Integer) record.value().get("revision")) == 0) {
        distinctKeys++;
      } else {
        revisions++;
      }
    }

    HistorySummary summary() {
      return new HistorySummary(records, Collections.unmodifiableMap(new TreeMap<>(perVersion)),
          Collections.unmodifiableMap(new EnumMap<>(perKind)), distinctKeys, revisions);
    }
  }
}
