package dev.reprise.coordinator.internal;

import dev.reprise.backpressure.GroupLag;
import dev.reprise.backpressure.LagMonitor;
import dev.reprise.backpressure.PartitionLag;
import dev.reprise.backpressure.ThrottleController;
import dev.reprise.backpressure.ThrottleDecision;
import dev.reprise.backpressure.ThrottleSignals.LiveGroupLag;
import dev.reprise.backpressure.ThrottleSignals;
import dev.reprise.protocol.BackfillThrottle;
import dev.reprise.protocol.ControlTopics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One backfill's adaptive publish rate and in-flight window. The coordinator's {@link
 * ThrottleTicker} measures the signals and asks the {@link ThrottleController} every tick; the
 * run's thread reads the rate and asks whether it may publish.
 *
 * <p><b>In-flight</b> is published minus processed by the slowest workflow the request names:
 * at each tick, the backfill topic's last stable offset minus that workflow's committed offset,
 * per partition, plus what the run has sent in its open transaction; between ticks, plus what the
 * run sent since. The committed offsets lag real processing, so the estimate errs high: the real
 * in-flight stays under the cap. A workflow that has not started has processed nothing.
 */
public final class AdaptiveThrottle {

  private static final Logger log = LoggerFactory.getLogger(AdaptiveThrottle.class);

  private final String backfillId;
  private final List<String> workflowGroups;
  private final ThrottleController controller;
  private final Function<String, OptionalDouble> producerMetric;
  private volatile ThrottleDecision decision;
  private volatile long inFlightAtTick = -1;
  private volatile long sentAtTick;
  private volatile long sent;
  private volatile long committedSent;
  private volatile OptionalDouble operatorLimit = OptionalDouble.empty();

  /**
   * @param workflows the workflows the request names
   * @param producerMetric the run producer's metric by name ({@code producer-metrics} group), empty if none yet
   */
  AdaptiveThrottle(String backfillId, List<String> workflows, ThrottleController controller,
      Function<String, OptionalDouble> producerMetric) {
    this.backfillId = backfillId;
    this.workflowGroups = workflows.stream().map(ControlTopics::workflowGroup).toList();
    this.controller = controller;
    this.producerMetric = producerMetric;
    this.decision = controller.current();
  }

  /** The run's count of records sent, including its open transaction, and of those committed. */
  void observe(long sentTotal, long committedTotal) {
    this.sent = sentTotal;
    this.committedSent = committedTotal;
  }

  /** An operator's ceiling below the request's maximum; empty lifts it. Applies from the next tick. */
  void operatorLimit(OptionalDouble maxRecordsPerSecond) {
    this.operatorLimit = maxRecordsPerSecond;
  }

  /** The rate to publish at now (0 while held). */
  double rate() {
    return decision.ratePerSecond();
  }

  /** Records in flight now, if known. */
  OptionalLong inFlight() {
    long atTick = inFlightAtTick;
    return atTick < 0 ? OptionalLong.empty() : OptionalLong.of(Math.max(0, atTick + sent - sentAtTick));
  }

  /** Whether publishing must wait: the controller holds it, or the in-flight window is full. */
  boolean gated() {
    if (decision.mode() == ThrottleDecision.Mode.PAUSED) {
      return true;
    }
    OptionalLong inFlight = inFlight();
    return inFlight.isPresent() && !controller.admits(inFlight.getAsLong());
  }

  /** How many more records fit in the window now. */
  long allowance() {
    OptionalLong inFlight = inFlight();
    return inFlight.isPresent() ? Math.max(0, controller.inFlightCap() - inFlight.getAsLong()) : Long.MAX_VALUE;
  }

  /** For the status. */
  BackfillThrottle status() {
    ThrottleDecision current = decision;
    return new BackfillThrottle(current.ratePerSecond(), current.mode().name(), current.reason(),
        workflowGroups.isEmpty() ? OptionalLong.empty() : inFlight(), controller.inFlightCap());
  }

  /** One tick: measure, decide. Runs on the ticker's thread. */
  void tick(LagMonitor monitor, List<String> liveGroups) {
    long sentBefore = sent;
    long uncommitted = Math.max(0, sentBefore - committedSent);
    OptionalLong inFlight = OptionalLong.empty();
    if (!workflowGroups.isEmpty()) {
      try {
        String topic = ControlTopics.backfillTopic(backfillId);
        Map<TopicPartition, Long> slowest = new HashMap<>();
        Map<TopicPartition, Long> end = new HashMap<>();
        for (String group : workflowGroups) {
          GroupLag lag = monitor.lag(group, List.of(topic));
          for (PartitionLag p : lag.partitions()) {
            end.put(p.partition(), p.endOffset());
            slowest.merge(p.partition(), p.committed().orElse(0), Math::min);
          }
        }
        long backlog = 0;
        for (var entry : end.entrySet()) {
          backlog += Math.max(0, entry.getValue() - slowest.getOrDefault(entry.getKey(), 0L));
        }
        inFlight = OptionalLong.of(backlog + uncommitted);
      } catch (RuntimeException e) {
        log.debug("backfill '{}': in-flight unknown this tick: {}", backfillId, e.toString());
      }
    }
    List<LiveGroupLag> live = new ArrayList<>();
    for (String group : liveGroups) {
      try {
        GroupLag lag = monitor.lag(group);
        live.add(new LiveGroupLag(group, OptionalLong.of(lag.records()), lag.seconds()));
      } catch (RuntimeException e) {
        live.add(new LiveGroupLag(group, OptionalLong.empty(), OptionalDouble.empty()));
      }
    }
    ThrottleSignals signals = new ThrottleSignals(inFlight, !workflowGroups.isEmpty(), live,
        producerMetric.apply("produce-throttle-time-avg"), producerMetric.apply("request-latency-avg"),
        // An operator pauses with PAUSE (the backfill's state) and limits with THROTTLE.
        operatorLimit, false);
    ThrottleDecision next = controller.decide(signals);
    if (inFlight.isPresent()) {
      sentAtTick = sentBefore;
      inFlightAtTick = inFlight.getAsLong();
    }
    ThrottleDecision previous = decision;
    decision = next;
    boolean holding = next.mode() == ThrottleDecision.Mode.PAUSED || next.mode() == ThrottleDecision.Mode.HOLDING;
    boolean held = previous.mode() == ThrottleDecision.Mode.PAUSED || previous.mode() == ThrottleDecision.Mode.HOLDING;
    if (holding != held) {
      // Slowing and speeding up alternate every few ticks (debug); holding and releasing are news.
      log.info("backfill '{}': throttle {} at {}/s{}", backfillId, next.mode(), Math.round(next.ratePerSecond()),
          next.reasons().isEmpty() ? "" : " (" + next.reason() + ")");
    } else if (previous.mode() != next.mode()) {
      log.debug("backfill '{}': throttle {} at {}/s ({})", backfillId, next.mode(), Math.round(next.ratePerSecond()),
          next.reason());
    }
  }
}
