package dev.reprise.backpressure;

import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;

/**
 * A consumer group's lag on some topics at one moment.
 *
 * @param partitions per topic partition, in topic and partition order
 */
public record GroupLag(String group, Instant at, List<PartitionLag> partitions, GroupStatus status) {

  public GroupLag {
    partitions = List.copyOf(partitions);
  }

  /** Lag in records over all partitions. */
  public long records() {
    return partitions.stream().mapToLong(PartitionLag::records).sum();
  }

  /** The worst partition's lag in time; empty if none is known. */
  public OptionalDouble seconds() {
    return partitions.stream().filter(p -> p.seconds().isPresent()).mapToDouble(p -> p.seconds().getAsDouble()).max();
  }

  /**
   * Records still to read: a partition whose only lag is a transaction marker (no readable record
   * ahead, so no time lag) counts as read; one never read counts whole.
   */
  public long unread() {
    long unread = 0;
    for (PartitionLag p : partitions) {
      if (p.committed().isEmpty()) {
        unread += p.endOffset();
      } else if (p.records() > 0 && p.seconds().isPresent()) {
        unread += p.records();
      }
    }
    return unread;
  }

  /** Whether every partition is caught up. */
  public boolean caughtUp() {
    return !partitions.isEmpty() && partitions.stream().allMatch(PartitionLag::caughtUp);
  }
}
