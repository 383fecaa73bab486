package dev.reprise.observability.internal;

import dev.reprise.backpressure.GroupLag;
import dev.reprise.backpressure.PartitionLag;
import dev.reprise.observability.BackfillObserver;
import dev.reprise.protocol.BackfillCounters;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.ControlTopics;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns what the observer saw into the JSON the dashboard page draws: plain maps and lists, so
 * the page's contract is visible in one place.
 */
public final class DashboardViews {

  /** Day cells beyond this are not drawn one by one (a ten-year range is 3,650 cells). */
  static final int MAX_DAYS = 3_700;

  private DashboardViews() {}

  /** The list of backfills, newest first. */
  public static Map<String, Object> overview(BackfillObserver source, long now) {
    List<Map<String, Object>> backfills = new ArrayList<>();
    source.statuses().values().stream()
        .sorted(Comparator.comparing((BackfillStatus s) -> s.startedAt().orElse(s.updatedAt())).reversed())
        .forEach(status -> backfills.add(summary(source, status)));
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("generatedAt", now);
    view.put("backfills", backfills);
    return view;
  }

  private static Map<String, Object> summary(BackfillObserver source, BackfillStatus status) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", status.backfillId());
    view.put("state", status.state().name());
    view.put("mode", status.request().map(r -> r.mode().name()).orElse(null));
    view.put("source", status.request().map(BackfillRequest::sourceTopic).orElse(null));
    view.put("workflows", status.request().map(BackfillRequest::workflows).orElse(List.of()));
    view.put("from", status.request().map(r -> r.from()).map(Object::toString).orElse(null));
    view.put("to", status.request().map(r -> r.to()).map(Object::toString).orElse(null));
    view.put("handover", status.request().map(BackfillRequest::isHandover).orElse(false));
    view.put("progress", status.progress());
    view.put("planned", status.counter(BackfillCounters.PLANNED));
    view.put("matched", status.counter(BackfillCounters.MATCHED));
    view.put("published", status.counter(BackfillCounters.PUBLISHED));
    view.put("deadLettered", status.counter(BackfillCounters.DEAD_LETTERED));
    view.put("publishRate", source.publishRate(status.backfillId()));
    view.put("etaSeconds", status.etaSeconds().isPresent() ? status.etaSeconds().getAsLong() : null);
    view.put("reason", status.reason().orElse(null));
    view.put("updatedAt", status.updatedAt().toEpochMilli());
    return view;
  }

  /** Everything the detail panel shows for one backfill. */
  public static Optional<Map<String, Object>> backfill(BackfillObserver source, ObserverHistory history, String backfillId) {
    BackfillStatus status = source.statuses().get(backfillId);
    if (status == null) {
      return Optional.empty();
    }
    Map<String, Object> view = summary(source, status);
    status.request().ifPresent(r -> view.put("request", request(r)));
    Map<String, Long> counters = new LinkedHashMap<>();
    BackfillCounters.ALL.forEach(name -> counters.put(name, status.counter(name)));
    view.put("counters", counters);
    view.put("throttle", status.throttle().map(t -> {
      Map<String, Object> throttle = new LinkedHashMap<>();
      throttle.put("ratePerSecond", t.ratePerSecond());
      throttle.put("mode", t.mode());
      throttle.put("reason", t.reason());
      throttle.put("inFlight", t.inFlight().isPresent() ? t.inFlight().getAsLong() : null);
      throttle.put("inFlightCap", t.inFlightCap());
      return throttle;
    }).orElse(null));
    view.put("evolution", status.evolution());
    view.put("samples", status.samples().stream().limit(3).map(sample -> Map.of("sourceVersion", sample.sourceVersion(),
        "before", sample.before(), "after", sample.after())).toList());
    view.put("estimatedSeconds", status.estimatedSeconds().isPresent() ? status.estimatedSeconds().getAsLong() : null);
    view.put("days", days(status));
    view.put("verification", verification(status));
    view.put("rejectedCommand", status.rejectedCommand().orElse(null));
    view.put("history", history.backfill(backfillId).map(h -> {
      Map<String, Object> columns = new LinkedHashMap<>();
      columns.put("t", h.column(0));
      columns.put("publishRate", h.column(1));
      columns.put("throttleLimit", h.column(2));
      columns.put("inFlight", h.column(3));
      columns.put("progress", h.column(4));
      return columns;
    }).orElse(null));
    view.put("lag", lag(source, history, status));
    Map<String, Long> deadLetters = new LinkedHashMap<>();
    deadLetters.put("coordinator", status.counter(BackfillCounters.DEAD_LETTERED));
    status.request().ifPresent(r -> r.workflows().forEach(w -> deadLetters.put(w, source.workflowDeadLetters(w, backfillId))));
    view.put("deadLetters", deadLetters);
    return Optional.of(view);
  }

  private static Map<String, Object> request(BackfillRequest request) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("sourceTopic", request.sourceTopic());
    // A handover has no 'to' (its workflows' live positions bound it) and may have no 'from'.
    view.put("from", request.from() == null ? null : request.from().toString());
    view.put("to", request.to() == null ? null : request.to().toString());
    view.put("handoverWorkflows", request.handoverWorkflows());
    view.put("eventType", request.eventType().orElse(null));
    view.put("filters", request.filters());
    view.put("targetSchemaVersion", request.targetSchemaVersion().isPresent() ? request.targetSchemaVersion().getAsInt() : null);
    view.put("workflows", request.workflows());
    view.put("effectsPolicy", request.effectsPolicy().name());
    view.put("maxRecordsPerSecond", request.maxRecordsPerSecond().isPresent() ? request.maxRecordsPerSecond().getAsDouble() : null);
    view.put("requestedBy", request.requestedBy().orElse(null));
    view.put("requester", request.requester().orElse(null));
    view.put("reason", request.reason().orElse(null));
    return view;
  }

  /**
   * One cell per day of the range. The source is read in offset order, not day by day, so while
   * a backfill runs a day is "replayed" as soon as some of its records are published (the count
   * says how many); after completion every day is replayed, and a verification turns days verified
   * or failed.
   */
  static Map<String, Object> days(BackfillStatus status) {
    Map<String, Object> view = new LinkedHashMap<>();
    List<Map<String, Object>> cells = new ArrayList<>();
    if (status.request().isEmpty()) {
      view.put("cells", cells);
      return view;
    }
    BackfillRequest request = status.request().get();
    // A handover's range is open; its days are those it has found so far.
    LocalDate first = request.from() != null ? LocalDate.ofInstant(request.from(), ZoneOffset.UTC)
        : status.countsPerDay().keySet().stream().min(LocalDate::compareTo).orElse(null);
    LocalDate last = request.to() != null ? LocalDate.ofInstant(request.to().minusMillis(1), ZoneOffset.UTC)
        : status.countsPerDay().keySet().stream().max(LocalDate::compareTo).orElse(null);
    if (first == null || last == null) {
      view.put("cells", cells);
      return view;
    }
    Set<LocalDate> failed = new HashSet<>(status.failedDays());
    BackfillState state = status.state();
    boolean preview = request.mode() == BackfillRequest.Mode.PREVIEW;
    int drawn = 0;
    for (LocalDate day = first; !day.isAfter(last) && drawn < MAX_DAYS; day = day.plusDays(1), drawn++) {
      long count = status.countsPerDay().getOrDefault(day, 0L);
      String cell;
      if (preview) {
        cell = "pending";
      } else if (failed.contains(day)) {
        cell = "failed";
      } else if (state == BackfillState.VERIFIED || state == BackfillState.VERIFICATION_FAILED) {
        cell = "verified";
      } else if (state == BackfillState.COMPLETED || count > 0) {
        cell = "replayed";
      } else {
        cell = "pending";
      }
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("day", day.toString());
      entry.put("count", count);
      entry.put("state", cell);
      cells.add(entry);
    }
    view.put("cells", cells);
    view.put("truncated", !first.plusDays(drawn).isAfter(last));
    return view;
  }

  private static Map<String, Object> verification(BackfillStatus status) {
    Map<String, Object> view = new LinkedHashMap<>();
    String outcome = switch (status.state()) {
      case VERIFIED -> "verified";
      case VERIFICATION_FAILED -> "failed";
      case COMPLETED -> "not verified yet";
      default -> "after completion";
    };
    view.put("outcome", outcome);
    view.put("failedDays", status.failedDays().stream().map(LocalDate::toString).toList());
    view.put("details", status.state() == BackfillState.VERIFICATION_FAILED ? status.reason().orElse(null) : null);
    return view;
  }

  /** The named workflows' groups on the backfill topic, then the protected live groups on their topics. */
  private static List<Map<String, Object>> lag(BackfillObserver source, ObserverHistory history, BackfillStatus status) {
    List<Map<String, Object>> groups = new ArrayList<>();
    String topic = ControlTopics.backfillTopic(status.backfillId());
    Map<String, GroupLag> lags = source.groupLags();
    Set<String> workflowGroups = new java.util.LinkedHashSet<>();
    status.request().ifPresent(r -> r.workflows().forEach(w -> workflowGroups.add(ControlTopics.workflowGroup(w))));
    // Workflows subscribed to every backfill consume it without being named in the request.
    lags.values().forEach(g -> {
      if (g.partitions().stream().anyMatch(p -> p.partition().topic().equals(topic))) {
        workflowGroups.add(g.group());
      }
    });
    for (String group : workflowGroups) {
      groups.add(groupLag(history, group, "workflow", Set.of(topic), lags.get(group)));
    }
    for (String group : source.protectedGroups()) {
      GroupLag groupLag = lags.get(group);
      Set<String> topics = new java.util.TreeSet<>();
      if (groupLag != null) {
        groupLag.partitions().forEach(p -> topics.add(p.partition().topic()));
      }
      groups.add(groupLag(history, group, "live", topics, groupLag));
    }
    return groups;
  }

  private static Map<String, Object> groupLag(ObserverHistory history, String group, String kind, Set<String> topics,
      GroupLag groupLag) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("group", group);
    view.put("kind", kind);
    view.put("status", groupLag == null ? "UNKNOWN" : groupLag.status().name());
    long records = 0;
    Double seconds = null;
    if (groupLag != null) {
      for (PartitionLag p : groupLag.partitions()) {
        if (topics.contains(p.partition().topic())) {
          records += p.records();
          if (p.seconds().isPresent()) {
            seconds = seconds == null ? p.seconds().getAsDouble() : Math.max(seconds, p.seconds().getAsDouble());
          }
        }
      }
    }
    view.put("records", records);
    view.put("seconds", seconds);
    // A live group may read several topics: its chart is the sum (records) and the worst (seconds).
    List<TimeSeries> histories = topics.stream().map(t -> history.lag(group, t)).flatMap(Optional::stream).toList();
    if (histories.size() == 1) {
      TimeSeries h = histories.get(0);
      view.put("history", Map.of("t", h.column(0), "records", h.column(1), "seconds", h.column(2)));
    } else if (!histories.isEmpty()) {
      view.put("history", merged(histories));
    }
    return view;
  }

  private static Map<String, Object> merged(List<TimeSeries> histories) {
    TimeSeries shortest = histories.stream().min(Comparator.comparingInt(TimeSeries::size)).orElseThrow();
    List<Double> t = shortest.column(0);
    int n = t.size();
    List<Double> records = new ArrayList<>();
    List<Double> seconds = new ArrayList<>();
    // Each column copied once, not once per point.
    List<List<Double>> recordColumns = histories.stream().map(h -> h.column(1)).toList();
    List<List<Double>> secondColumns = histories.stream().map(h -> h.column(2)).toList();
    for (int i = 0; i < n; i++) {
      double r = 0;
      Double s = null;
      for (int k = 0; k < histories.size(); k++) {
        List<Double> rc = recordColumns.get(k);
        List<Double> sc = secondColumns.get(k);
        int index = rc.size() - n + i;
        r += rc.get(index) == null ? 0 : rc.get(index);
        if (sc.get(index) != null) {
          s = s == null ? sc.get(index) : Math.max(s, sc.get(index));
        }
      }
      records.add(r);
      seconds.add(s);
    }
    return Map.of("t", t, "records", records, "seconds", seconds);
  }
}
