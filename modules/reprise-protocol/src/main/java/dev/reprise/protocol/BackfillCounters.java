package dev.reprise.protocol;

import java.util.List;

/**
 * Names of the counters in {@link BackfillStatus#counters()}. Every source record in the plan ends
 * up in exactly one of {@link #MATCHED}, {@link #FILTERED_OUT}, {@link #TOMBSTONES} or {@link
 * #DEAD_LETTERED}, so {@code scanned = matched + filteredOut + tombstones + deadLettered}: nothing
 * is lost silently.
 */
public final class BackfillCounters {

  /** Source offsets in the plan (end minus start over all partitions; compaction leaves gaps). */
  public static final String PLANNED = "planned";
  /** Source records read. */
  public static final String SCANNED = "scanned";
  /** Records in range and matching the filters. */
  public static final String MATCHED = "matched";
  /** Matched records published to the backfill topic (0 for PREVIEW). */
  public static final String PUBLISHED = "published";
  /** Readable records outside the range or the filters. */
  public static final String FILTERED_OUT = "filteredOut";
  /** Deletions (null values), skipped. */
  public static final String TOMBSTONES = "tombstones";
  /** Records that could not be read or upcast, sent to the dead-letter topic. */
  public static final String DEAD_LETTERED = "deadLettered";

  /** All of them, in the order a report shows them. */
  public static final List<String> ALL =
      List.of(PLANNED, SCANNED, MATCHED, PUBLISHED, FILTERED_OUT, TOMBSTONES, DEAD_LETTERED);

  private BackfillCounters() {}
}
