package dev.reprise.coordinator.internal;

import dev.reprise.core.RepriseNonRetriableException;
import dev.reprise.core.RepriseRetriableException;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillStatus.PartitionProgress;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.protocol.LivePositions;
import dev.reprise.protocol.internal.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a backfill's plan: per source partition, from its first offset to the snapshot of its end
 * (or, for a handover, to the workflows' live positions), and for an EXECUTE its backfill and
 * dead-letter topics. The plan is fixed once, in the PLANNED status; live writes after it are not
 * part of the backfill.
 */
final class RunPlanner {

  private static final Logger log = LoggerFactory.getLogger(RunPlanner.class);
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);

  private final RunContext ctx;
  private final String backfillId;
  private final BackfillRequest request;
  private final boolean execute;

  RunPlanner(RunContext ctx, String backfillId, BackfillRequest request) {
    this.ctx = ctx;
    this.backfillId = backfillId;
    this.request = request;
    this.execute = request.mode() == BackfillRequest.Mode.EXECUTE;
  }

  /**
   * Snapshots the source's offsets (or takes a PREVIEW's, when this EXECUTE runs on its plan) and
   * creates the topics; nothing replayed yet.
   */
  RunState plan(List<PartitionProgress> previewed) {
    int partitionCount = Topics.describe(ctx.admin(), request.sourceTopic()).partitions().size();
    if (!previewed.isEmpty()) {
      return planned(previewed, partitionCount);
    }
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < partitionCount; p++) {
      earliest.put(new TopicPartition(request.sourceTopic(), p), OffsetSpec.earliest());
      latest.put(new TopicPartition(request.sourceTopic(), p), OffsetSpec.latest());
    }
    // The last stable offset: records of a transaction still open on the source are not history yet.
    Map<TopicPartition, Long> startOffsets = listOffsets(earliest, IsolationLevel.READ_UNCOMMITTED);
    Map<TopicPartition, Long> endOffsets = listOffsets(latest, IsolationLevel.READ_COMMITTED);
    long[] start = new long[partitionCount];
    long[] end = new long[partitionCount];
    for (int p = 0; p < partitionCount; p++) {
      TopicPartition tp = new TopicPartition(request.sourceTopic(), p);
      start[p] = startOffsets.get(tp);
      end[p] = endOffsets.get(tp);
    }
    if (request.isHandover()) {
      handOver(start, end);
    }
    createTopics(partitionCount);
    return RunState.fresh(start, end);
  }

  /** The previewed plan, on topics made for it: the same offsets, whatever the source holds now. */
  private RunState planned(List<PartitionProgress> previewed, int partitionCount) {
    if (previewed.size() != partitionCount) {
      throw new RepriseNonRetriableException("the PREVIEW of '" + backfillId + "' planned " + previewed.size()
          + " partitions of '" + request.sourceTopic() + "', which has " + partitionCount + " now");
    }
    long[] start = new long[partitionCount];
    long[] end = new long[partitionCount];
    for (PartitionProgress p : previewed) {
      start[p.partition()] = p.startOffset();
      end[p.partition()] = p.endOffset();
    }
    createTopics(partitionCount);
    return RunState.fresh(start, end);
  }

  /** The backfill's topics (an EXECUTE's) or its scratch topic (a dry-running PREVIEW's). */
  private void createTopics(int partitionCount) {
    if (Topics.isCompacted(ctx.admin(), request.sourceTopic())) {
      log.info("backfill '{}': '{}' is compacted, so this backfill replays every record of its planned offsets that is"
          + " still in the log when it is read; an older revision the cleaner removes first is not history (its key's"
          + " later revision is, or live traffic), and verification counts replayed records the cleaner removes later",
          backfillId, request.sourceTopic());
    }
    if (execute) {
      Map<String, String> configs = Map.of(
          TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
          TopicConfig.RETENTION_MS_CONFIG, String.valueOf(ctx.backfillRetention().toMillis()),
          // Retention runs on record timestamps; stamping the append time keeps 2023's events from
          // being deleted the moment they are republished. Event time travels in a header.
          TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
      Topics.ensure(ctx.admin(),
          new NewTopic(ControlTopics.backfillTopic(backfillId), Optional.of(partitionCount), ctx.replicationFactor())
              .configs(configs),
          new NewTopic(ControlTopics.deadLetterTopic(backfillId), Optional.of(partitionCount), ctx.replicationFactor())
              .configs(configs));
    } else if (!request.workflows().isEmpty()) {
      // The named workflows' dry run reads what EXECUTE would publish; a day is enough to look at it.
      Topics.ensure(ctx.admin(), new NewTopic(ControlTopics.previewTopic(backfillId), Optional.of(partitionCount),
          ctx.replicationFactor()).configs(Map.of(
              TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
              TopicConfig.RETENTION_MS_CONFIG, String.valueOf(Duration.ofDays(1).toMillis()),
              TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime")));
    }
  }

  /**
   * Ends the plan at the handover workflows' live positions on the source instead of the snapshot:
   * the history of a workflow is exactly what it will not read live. A workflow without a position
   * gets the snapshot as its position first (before it ever reads the topic), so everything from
   * there on is live to it and everything before is this backfill's. With several workflows, the
   * plan ends at the furthest position: a record one of them already handled live comes again
   * through the backfill, and its dedup store answers DUPLICATE (no gap, no second effect).
   *
   * <p>Done before the PLANNED status is committed; a coordinator that dies in between plans again
   * and finds the positions it set (or the workflow's progress since), which is just as gapless.
   * A PREVIEW sets nothing: it reports where the handover would be now.
   */
  private void handOver(long[] start, long[] end) {
    Map<Integer, Long> snapshot = new HashMap<>();
    for (int p = 0; p < end.length; p++) {
      snapshot.put(p, end[p]);
    }
    long[] handover = new long[end.length];
    for (String workflow : request.handoverWorkflows()) {
      String group = ControlTopics.workflowGroup(workflow);
      Map<Integer, Long> positions;
      if (execute) {
        LivePositions.Handover set = LivePositions.establish(ctx.admin(), group, request.sourceTopic(), snapshot);
        positions = set.positions();
        log.info("backfill '{}': workflow '{}' reads '{}' live from {} ({}); this backfill is its history before that",
            backfillId, workflow, request.sourceTopic(), positions,
            set.set().isEmpty() ? "its committed positions" : "set now on partitions " + set.set());
      } else {
        positions = new HashMap<>(snapshot);
        positions.putAll(LivePositions.committed(ctx.admin(), group, request.sourceTopic()));
      }
      for (int p = 0; p < end.length; p++) {
        handover[p] = Math.max(handover[p], positions.getOrDefault(p, snapshot.get(p)));
      }
    }
    for (int p = 0; p < end.length; p++) {
      // A position below the log start (compaction, retention) has nothing before it to replay.
      end[p] = Math.max(start[p], handover[p]);
    }
  }

  private Map<TopicPartition, Long> listOffsets(Map<TopicPartition, OffsetSpec> specs, IsolationLevel isolation) {
    try {
      return ctx.admin().listOffsets(specs, new ListOffsetsOptions(isolation)).all()
          .get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RepriseRetriableException("interrupted while planning backfill '" + backfillId + "'", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new RepriseRetriableException("cannot list offsets of '" + request.sourceTopic() + "': " + e, e);
    }
  }
}
