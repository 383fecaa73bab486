package dev.reprise.backpressure;

import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.apache.kafka.common.TopicPartition;

/**
 * One partition's lag for one group.
 *
 * @param committed the group's committed offset; empty if it never committed here
 * @param endOffset the last stable offset (read_committed end): transactional topics have commit
 *     markers, so "caught up" means {@code committed >= endOffset}, not a lag of exactly 0
 * @param records {@code max(0, endOffset - committed)}; 0 when not started
 * @param seconds how old the next record the group has to read is (its real timestamp against the
 *     clock), 0 when caught up; empty when not started or the record could not be read in time
 */
public record PartitionLag(TopicPartition partition, OptionalLong committed, long endOffset, long records,
    OptionalDouble seconds) {

  /** Whether the group has read everything committed to this partition. */
  public boolean caughtUp() {
    return committed.isPresent() && committed.getAsLong() >= endOffset;
  }
}
