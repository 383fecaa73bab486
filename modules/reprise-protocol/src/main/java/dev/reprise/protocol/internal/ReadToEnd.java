package dev.reprise.protocol.internal;

import dev.reprise.core.RepriseRetriableException;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads assigned partitions up to their ends as of the call: how the control plane's small tables
 * (declarations, announcements, a backfill's dead letters) are read whole.
 *
 * <pre>{@code
 * consumer.assign(partitions);
 * consumer.seekToBeginning(partitions);
 * ReadToEnd.read(consumer, partitions, Duration.ofSeconds(30), "reprise.workflows", record -> ...);
 * }</pre>
 */
public final class ReadToEnd {

  private ReadToEnd() {}

  /**
   * Polls {@code consumer} (assigned to {@code partitions}, positioned) until it is past the end
   * offset each had when called, handing every record to {@code each}. The position, not the last
   * record, tells when a partition is read: transaction markers take offsets too.
   *
   * @throws RepriseRetriableException if it is not done within {@code timeout}
   */
  public static <K, V> void read(org.apache.kafka.clients.consumer.Consumer<K, V> consumer,
      Collection<TopicPartition> partitions, Duration timeout, String what, Consumer<ConsumerRecord<K, V>> each) {
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (partitions.stream().anyMatch(p -> consumer.position(p, timeout) < ends.get(p))) {
      if (System.nanoTime() > deadline) {
        throw new RepriseRetriableException("could not read " + what + " up to " + ends + " within " + timeout);
      }
      for (ConsumerRecord<K, V> record : consumer.poll(Duration.ofMillis(100))) {
        each.accept(record);
      }
    }
  }
}
