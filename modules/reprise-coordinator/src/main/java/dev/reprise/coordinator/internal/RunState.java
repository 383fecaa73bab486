package dev.reprise.coordinator.internal;

import dev.reprise.protocol.BackfillStatus.PartitionProgress;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * Where one backfill's replay stands: its plan (per source partition, the first offset and the
 * end), the position up to which every record was replayed, and its counters — each twice, as the
 * open transaction has moved them ({@code positions}, {@code working}) and as the last committed
 * transaction left them ({@code committedPositions}, {@code committed}). An aborted transaction
 * goes back to the committed pair ({@link #rewind}); a commit makes the working pair the committed
 * one ({@link #committedNow}).
 *
 * <p>Mutable and confined to the run's thread; its collaborators (the pilot, the publisher, the
 * progress) are handed it rather than keeping copies. Arrays are indexed by partition.
 *
 * <pre>{@code
 * RunState state = RunState.fresh(start, end);
 * state.positions[p] = record.offset() + 1;   // replayed
 * state.committedNow();                       // after commitTransaction()
 * }</pre>
 */
final class RunState {

  final int partitionCount;
  final long[] start;
  final long[] end;
  long[] positions;
  long[] committedPositions;
  RunCounters working;
  RunCounters committed;

  private RunState(long[] start, long[] end, long[] positions, RunCounters counters) {
    if (start.length != end.length || positions.length != start.length) {
      throw new IllegalArgumentException("a plan has one start, end and position per partition");
    }
    this.partitionCount = start.length;
    this.start = start;
    this.end = end;
    this.positions = positions;
    this.committedPositions = positions.clone();
    this.working = counters;
    this.committed = counters.copy();
  }

  /** A new plan, nothing replayed yet. */
  static RunState fresh(long[] start, long[] end) {
    return new RunState(start, end, start.clone(), new RunCounters());
  }

  /** A plan resumed from its committed positions and counters. */
  static RunState resumed(long[] start, long[] end, long[] positions, RunCounters counters) {
    return new RunState(start, end, positions, counters);
  }

  /** Records the open transaction as committed. */
  void committedNow() {
    committed = working.copy();
    committedPositions = positions.clone();
  }

  /** Back to the last commit, after an abort. */
  void rewind() {
    working = committed.copy();
    positions = committedPositions.clone();
  }

  /** Whether every partition was replayed to its end. */
  boolean allDone() {
    return reached(end);
  }

  /** Whether every partition was replayed up to {@code limits}. */
  boolean reached(long[] limits) {
    for (int p = 0; p < partitionCount; p++) {
      if (positions[p] < limits[p]) {
        return false;
      }
    }
    return true;
  }

  /** Whether nothing was replayed yet. */
  boolean atStart() {
    for (int p = 0; p < partitionCount; p++) {
      if (positions[p] != start[p]) {
        return false;
      }
    }
    return true;
  }

  /** Offsets in the plan. */
  long planned() {
    long planned = 0;
    for (int p = 0; p < partitionCount; p++) {
      planned += end[p] - start[p];
    }
    return planned;
  }

  /** Offsets of the plan read so far (a position past the end counts up to the end). */
  long consumed() {
    long consumed = 0;
    for (int p = 0; p < partitionCount; p++) {
      consumed += Math.max(0, Math.min(positions[p], end[p]) - start[p]);
    }
    return consumed;
  }

  /**
   * Per partition: its plan and position, for the status. A position past the plan's end (the
   * last fetch read records written after the plan, which are not replayed) is the end.
   */
  List<PartitionProgress> progress() {
    List<PartitionProgress> partitions = new ArrayList<>();
    for (int p = 0; p < partitionCount; p++) {
      partitions.add(new PartitionProgress(p, start[p], end[p], Math.min(positions[p], end[p])));
    }
    return partitions;
  }

  /** The source partitions of {@code topic} the plan covers. */
  List<TopicPartition> partitions(String topic) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (int p = 0; p < partitionCount; p++) {
      partitions.add(new TopicPartition(topic, p));
    }
    return partitions;
  }

  /** {@code 0:120/500 1:500/500}, for logs. */
  String positionsText() {
    List<String> parts = new ArrayList<>();
    for (int p = 0; p < partitionCount; p++) {
      parts.add(p + ":" + positions[p] + "/" + end[p]);
    }
    return String.join(" ", parts);
  }
}
