package dev.reprise.workflow.internal;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Whose turn it is among the partitions one poll returned: the least recently served first, so a
 * partition that came last (or failed) in one round is not last again in the next. Kafka's fetcher
 * returns partitions in the order their fetches completed, which after restarts and rebalances can
 * keep putting the same partition behind the others.
 *
 * <pre>{@code
 * for (TopicPartition partition : turns.order(records.partitions())) {
 *   handle(partition);
 *   turns.served(partition);
 * }
 * }</pre>
 */
final class FairTurns {

  private final Map<TopicPartition, Long> lastServed = new HashMap<>();
  private long round;

  /** {@code ready}, never served first, then least recently served; ties by topic and partition. */
  List<TopicPartition> order(Collection<TopicPartition> ready) {
    return ready.stream()
        .sorted(Comparator.<TopicPartition>comparingLong(p -> lastServed.getOrDefault(p, -1L))
            .thenComparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition))
        .toList();
  }

  /** {@code partition} had its turn. */
  void served(TopicPartition partition) {
    lastServed.put(partition, ++round);
  }
}
