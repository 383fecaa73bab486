package dev.reprise.protocol;

import dev.reprise.core.RepriseRetriableException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.UnknownMemberIdException;

/**
 * Where a workflow's consumer group reads a live topic from: the <em>handover point</em> between
 * history (records before it, which reach the workflow only through a backfill) and live traffic
 * (records from it on, handled live with effects).
 *
 * <p>The point is the group's committed offset, held by Kafka's group coordinator: the one place
 * that every instance of a workflow, the replay coordinator and a rebalance all agree on. A
 * partition without a committed offset would otherwise be read from Kafka's {@code
 * auto.offset.reset}; {@code earliest} would make every historical record a live one (with its
 * effects), {@code latest} would leave the records written between the decision and the first fetch
 * in neither path. So Reprise commits the point itself, with {@link Admin#alterConsumerGroupOffsets},
 * before the group first reads the partition: the end of the topic when a workflow first starts
 * ({@link #establish} with {@link #endOffsets}), or a backfill's planned end offsets when a workflow
 * is onboarded.
 *
 * <pre>{@code
 * try (Admin admin = Admin.create(config)) {
 *   Handover handover = LivePositions.establish(admin, "reprise.workflow.notify", "submissions",
 *       LivePositions.endOffsets(admin, "submissions"));
 *   handover.positions();   // {0=1234, 1=1201, 2=1260}: live from here
 *   handover.set();         // the partitions whose point this call committed ({} if the group had them all)
 * }
 * }</pre>
 *
 * <p>Kafka only lets offsets of a group with no active member be altered: a partition without a
 * position while the group has members cannot be given one, and {@link #establish} throws a
 * {@link GroupBusyException} (retriable: a starting runtime commits its positions before it joins).
 */
public final class LivePositions {

  private static final long TIMEOUT_SECONDS = 30;

  private LivePositions() {}

  /**
   * The outcome of {@link #establish}.
   *
   * @param positions the group's committed position per partition of the topic, after the call
   * @param set the partitions whose position the call committed (they had none)
   */
  public record Handover(String group, String topic, Map<Integer, Long> positions, Set<Integer> set) {
    public Handover {
      positions = java.util.Collections.unmodifiableMap(new TreeMap<>(positions));
      set = java.util.Collections.unmodifiableSet(new TreeSet<>(set));
    }

    /** Whether the group had no position on any partition: the workflow joins the topic for the first time. */
    public boolean firstJoin() {
      return set.size() == positions.size();
    }
  }

  /**
   * A group has members reading the topic, and partitions without a committed position that
   * therefore cannot be set now. Retry once the members have committed (or left).
   */
  public static final class GroupBusyException extends RepriseRetriableException {
    private static final long serialVersionUID = 1L;

    GroupBusyException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The last stable offset of each partition of {@code topic}: where live traffic starts now. */
  public static Map<Integer, Long> endOffsets(Admin admin, String topic) {
    int partitions = partitionCount(admin, topic);
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    Map<Integer, Long> ends = new TreeMap<>();
    // Read committed: records of a transaction still open are not written yet, they belong after the point.
    get(admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all(), "list the end of " + topic)
        .forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
    return ends;
  }

  /** The group's committed offset per partition of {@code topic}; partitions without one are absent. */
  public static Map<Integer, Long> committed(Admin admin, String group, String topic) {
    Map<TopicPartition, OffsetAndMetadata> offsets;
    try {
      offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
          .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return new TreeMap<>();
      }
      throw new RepriseRetriableException("cannot read the offsets of group '" + group + "': " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RepriseRetriableException("interrupted while reading the offsets of group '" + group + "'", e);
    } catch (TimeoutException e) {
      throw new RepriseRetriableException("cannot read the offsets of group '" + group + "' within 30 s", e);
    }
    Map<Integer, Long> positions = new TreeMap<>();
    offsets.forEach((tp, offset) -> {
      if (tp.topic().equals(topic) && offset != null) {
        positions.put(tp.partition(), offset.offset());
      }
    });
    return positions;
  }

  /**
   * Commits {@code proposed} as {@code group}'s position on every partition of {@code topic} that
   * has none, and returns the positions after. A partition that already has a position keeps it:
   * the group has been reading it live from there (or was handed over before), and moving it would
   * skip or repeat live records.
   *
   * @param proposed a position for every partition of the topic
   * @throws GroupBusyException if positions are missing and the group has active members
   */
  public static Handover establish(Admin admin, String group, String topic, Map<Integer, Long> proposed) {
    int partitions = partitionCount(admin, topic);
    Map<Integer, Long> positions = committed(admin, group, topic);
    Map<TopicPartition, OffsetAndMetadata> missing = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      if (!positions.containsKey(p)) {
        Long offset = proposed.get(p);
        if (offset == null) {
          throw new IllegalArgumentException("no proposed position for partition " + p + " of '" + topic + "'");
        }
        // No metadata: Kafka Streams keeps its own in it and warns about anything else.
        missing.put(new TopicPartition(topic, p), new OffsetAndMetadata(offset));
      }
    }
    if (missing.isEmpty()) {
      return new Handover(group, topic, positions, Set.of());
    }
    try {
      admin.alterConsumerGroupOffsets(group, missing).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof GroupNotEmptyException || e.getCause() instanceof UnknownMemberIdException) {
        throw new GroupBusyException("group '" + group + "' is running on '" + topic + "' and has no position on"
            + " partitions " + partitionsOf(missing) + "; they cannot be set while it has members", e.getCause());
      }
      throw new RepriseRetriableException("cannot set the positions of group '" + group + "' on '" + topic + "': "
          + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RepriseRetriableException("interrupted while setting the positions of group '" + group + "'", e);
    } catch (TimeoutException e) {
      throw new RepriseRetriableException("cannot set the positions of group '" + group + "' within 30 s", e);
    }
    // Read back rather than assume: another runtime may have committed in between (then its value holds).
    Map<Integer, Long> after = committed(admin, group, topic);
    Set<Integer> set = new TreeSet<>();
    missing.forEach((tp, offset) -> {
      if (Long.valueOf(offset.offset()).equals(after.get(tp.partition()))) {
        set.add(tp.partition());
      }
    });
    return new Handover(group, topic, after, set);
  }

  private static Set<Integer> partitionsOf(Map<TopicPartition, ?> offsets) {
    Set<Integer> partitions = new TreeSet<>();
    offsets.keySet().forEach(tp -> partitions.add(tp.partition()));
    return partitions;
  }

  private static int partitionCount(Admin admin, String topic) {
    return get(admin.describeTopics(Set.of(topic)).allTopicNames(), "describe " + topic).get(topic).partitions().size();
  }

  private static <T> T get(org.apache.kafka.common.KafkaFuture<T> future, String what) {
    try {
      return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new RepriseRetriableException("cannot " + what + ": " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RepriseRetriableException("interrupted while trying to " + what, e);
    } catch (TimeoutException e) {
      throw new RepriseRetriableException("cannot " + what + " within 30 s", e);
    }
  }
}
