package dev.reprise.protocol.internal;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.common.errors.InvalidPartitionsException;

/**
 * Keeps the redrive topic wide enough. A record goes back to the partition number it was read
 * from, so that the same stream task, with the same dedup store, sees it; the topic grows when a
 * source with more partitions appears (it never needs to shrink).
 */
public final class RedrivePartitions {

  private final Admin admin;
  private final String topic;
  private volatile int known;

  public RedrivePartitions(Admin admin, String topic) {
    this.admin = admin;
    this.topic = topic;
  }

  /** Makes sure {@code partition} exists. */
  public void ensure(int partition) {
    if (partition < known) {
      return;
    }
    try {
      int current = admin.describeTopics(java.util.List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
          .get(topic).partitions().size();
      if (partition >= current) {
        try {
          admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(partition + 1))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          // Another instance grew it first.
          if (!(e.getCause() instanceof InvalidPartitionsException)) {
            throw e;
          }
        }
        current = partition + 1;
      }
      known = current;
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot widen '" + topic + "' to " + (partition + 1) + " partitions: " + e.getCause(),
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while describing '" + topic + "'", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("cannot describe '" + topic + "' within 30 s", e);
    }
  }
}
