package dev.reprise.cli;

import dev.reprise.backpressure.GroupLag;
import dev.reprise.backpressure.LagMonitor;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.ControlTopics;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The handover of an onboarding backfill as a person reads it: where each workflow reads the live
 * topic from, its live lag, and whether its history is done (the backfill is complete and the
 * workflow has read all of it).
 */
final class HandoverView {

  private HandoverView() {}

  /** One line per handover workflow; empty for a backfill without handover. */
  static String lines(Map<String, Object> clientConfig, BackfillStatus status) {
    BackfillRequest request = status.request().orElse(null);
    if (request == null || !request.isHandover() || status.partitions().isEmpty()) {
      return "";
    }
    String points = status.partitions().stream().map(p -> "p" + p.partition() + "@" + p.endOffset())
        .collect(Collectors.joining(" "));
    StringBuilder out = new StringBuilder();
    try (LagMonitor lag = LagMonitor.create(clientConfig, Clock.systemUTC())) {
      for (String workflow : request.handoverWorkflows()) {
        String group = ControlTopics.workflowGroup(workflow);
        GroupLag live = lag.lag(group, List.of(request.sourceTopic()));
        long history = lag.lag(group, List.of(ControlTopics.backfillTopic(status.backfillId()))).unread();
        boolean complete = status.state().canBeVerified();
        String done = complete && history == 0 ? "history done"
            : complete ? String.format(Locale.ROOT, "history: %,d record(s) to read", history) : "history replaying";
        out.append(String.format(Locale.ROOT, "  handover: '%s' reads '%s' live from %s; live lag %,d record(s); %s%n",
            workflow, request.sourceTopic(), points, live.records(), done));
      }
    } catch (RuntimeException e) {
      out.append("  handover: ").append(request.handoverWorkflows()).append(" from ").append(points)
          .append(" (lag unavailable: ").append(e.getMessage()).append(")").append(System.lineSeparator());
    }
    return out.toString();
  }
}
