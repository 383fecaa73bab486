package dev.reprise.observability;

import dev.reprise.backpressure.GroupLag;
import dev.reprise.backpressure.GroupStatus;
import dev.reprise.backpressure.LagMonitor;
import dev.reprise.backpressure.PartitionLag;
import dev.reprise.backpressure.WorkflowHealth;
import dev.reprise.observability.internal.DeadLetterTally;
import dev.reprise.observability.internal.ObserverHistory;
import dev.reprise.protocol.AuditEntry;
import dev.reprise.protocol.AuditTrail;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillCounters;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.protocol.CoordinatorAnnouncements;
import dev.reprise.protocol.WorkflowDeclaration;
import dev.reprise.protocol.WorkflowDeclarations;
import dev.reprise.registry.SchemaRegistryClient;
import dev.reprise.protocol.DeadLetterRedriver;
import dev.reprise.workflow.WorkflowDryRun;
import dev.reprise.workflow.WorkflowTopics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the platform from outside, the way an operator would: every backfill's committed status
 * (from {@code reprise.status}), the lag of every workflow group and of the protected live groups,
 * and the size of every workflow's dead-letter topic. Samples once a second on its own thread,
 * keeps half an hour of history for the dashboard's charts, and exports the {@code
 * reprise_backfill_*} and {@code reprise_consumer_*} metrics. Runs in the coordinator and in
 * {@code reprise up}; it needs no coordinator in the same process.
 *
 * <pre>{@code
 * try (var observer = BackfillObserver.create(clientConfig, registry, Set.of("orders-live"), Clock.systemUTC())) {
 *   observer.bindTo(meterRegistry);
 *   observer.start();
 *   ObservabilityServer.builder().meterRegistry(meterRegistry).dashboard(observer).build().start();
 * }
 * }</pre>
 */
public final class BackfillObserver implements MeterBinder, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BackfillObserver.class);
  private static final String WORKFLOW_GROUP_PREFIX = "reprise.workflow.";

  private final BackfillClient client;
  private final SchemaRegistryClient registry;
  private final Map<String, Object> clientConfig;
  private final Admin admin;
  private final LagMonitor lag;
  private final WorkflowHealth.View health;
  private final DeadLetterTally deadLetters;
  private final Set<String> protectedGroups;
  private final Clock clock;
  private final Map<String, BackfillStatus> statuses = new ConcurrentHashMap<>();
  private final Map<String, PublishRate> rates = new ConcurrentHashMap<>();
  private final ObserverHistory history = new ObserverHistory();
  private final Map<String, GroupLag> groupLags = new ConcurrentHashMap<>();
  private final Set<String> workflowGroups = ConcurrentHashMap.newKeySet();
  private final Set<String> countedBackfills = ConcurrentHashMap.newKeySet();
  private volatile MeterRegistry meters;
  private MultiGauge progress;
  private MultiGauge planned;
  private MultiGauge publishRate;
  private MultiGauge throttleLimit;
  private MultiGauge throttleInfo;
  private MultiGauge inFlight;
  private MultiGauge inFlightCap;
  private MultiGauge eta;
  private MultiGauge state;
  private MultiGauge lagRecords;
  private MultiGauge lagSeconds;
  private MultiGauge groupStatus;
  private MultiGauge workflowDeadLetters;
  private ScheduledExecutorService sampler;
  private WorkflowDeclarations.Reader declarations;
  private final Map<String, DeadLetterRedriver> redrivers = new ConcurrentHashMap<>();
  private long lastGroupListing;

  private BackfillObserver(Map<String, Object> clientConfig, SchemaRegistryClient registry, Set<String> protectedGroups,
      Clock clock, Optional<String> actionsTeam) {
    this.clock = clock;
    this.protectedGroups = Set.copyOf(protectedGroups);
    this.client = BackfillClient.create(clientConfig, registry, actionsTeam);
    this.registry = registry;
    this.clientConfig = Map.copyOf(clientConfig);
    this.admin = Admin.create(clientConfig);
    this.health = WorkflowHealth.view(clientConfig);
    this.lag = LagMonitor.create(clientConfig, clock, Duration.ofSeconds(10), health);
    this.deadLetters = new DeadLetterTally(clientConfig, admin,
        topic -> topic.startsWith(WORKFLOW_GROUP_PREFIX) && topic.endsWith(".dlq"));
  }

  /**
   * An observer of the cluster {@code clientConfig} connects to.
   *
   * @param protectedGroups live consumer groups to watch besides the workflows (the coordinator's
   *     {@code --protect-group}s)
   * @param clock stamps samples and measures time lag; operational time, not event time
   */
  public static BackfillObserver create(Map<String, Object> clientConfig, SchemaRegistryClient registry,
      Set<String> protectedGroups, Clock clock) {
    return new BackfillObserver(clientConfig, registry, protectedGroups, clock, Optional.empty());
  }

  /**
   * An observer whose actions (pause, resume, cancel from the dashboard) are sent as {@code
   * actionsTeam}, through its request topic: where the coordinator enforces an access policy, what
   * the dashboard may do is what that team may.
   */
  public static BackfillObserver create(Map<String, Object> clientConfig, SchemaRegistryClient registry,
      Set<String> protectedGroups, Clock clock, Optional<String> actionsTeam) {
    return new BackfillObserver(clientConfig, registry, protectedGroups, clock, actionsTeam);
  }

  /** Starts sampling once a second. */
  public synchronized BackfillObserver start() {
    if (sampler == null) {
      sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "reprise-observer");
        thread.setDaemon(true);
        return thread;
      });
      sampler.scheduleWithFixedDelay(this::sampleQuietly, 0, 1, TimeUnit.SECONDS);
    }
    return this;
  }

  private void sampleQuietly() {
    try {
      sample();
    } catch (RuntimeException e) {
      log.warn("observer: cannot sample the platform: {}", e.toString());
    }
  }

  /** One sample: statuses, lag, dead letters; then the metrics. Called by the sampler thread. */
  void sample() {
    long now = clock.millis();
    for (BackfillStatus status : client.statuses().values()) {
      BackfillStatus previous = statuses.put(status.backfillId(), status);
      PublishRate rate = rates.computeIfAbsent(status.backfillId(), id -> new PublishRate());
      rate.update(status, now);
      // A finished backfill gets a point only when its status changes (e.g. verified), not every second.
      boolean changed = previous == null || previous.updatedAt().isBefore(status.updatedAt());
      if (!status.state().isTerminal() || changed) {
        history.addBackfill(status.backfillId(), now, rate.perSecond(), throttleLimit(status).orElse(Double.NaN),
            status.throttle().filter(t -> t.inFlight().isPresent()).map(t -> (double) t.inFlight().getAsLong())
                .orElse(Double.NaN),
            status.progress());
      }
    }
    for (String group : watchedGroups(now)) {
      try {
        GroupLag groupLag = lag.lag(group);
        groupLags.put(group, groupLag);
        Map<String, double[]> perTopic = new TreeMap<>();
        for (PartitionLag p : groupLag.partitions()) {
          double[] sums = perTopic.computeIfAbsent(p.partition().topic(), t -> new double[] {0, Double.NaN});
          sums[0] += p.records();
          if (p.seconds().isPresent()) {
            sums[1] = Double.isNaN(sums[1]) ? p.seconds().getAsDouble() : Math.max(sums[1], p.seconds().getAsDouble());
          }
        }
        perTopic.forEach((topic, sums) -> history.addLag(group, topic, now, sums[0], sums[1]));
      } catch (RuntimeException e) {
        log.debug("observer: no lag for group '{}': {}", group, e.toString());
      }
    }
    deadLetters.refresh();
    publishMetrics();
  }

  /**
   * Every second: the workflows named by backfills still in flight, any other group last seen
   * reading such a backfill's topic, and the protected live groups. Every 10 s also every other
   * workflow group: a busy cluster has many, and measuring each one each second would slow the
   * sampling of the backfills being watched.
   */
  private Set<String> watchedGroups(long now) {
    boolean full = now - lastGroupListing > 10_000 || workflowGroups.isEmpty();
    if (full) {
      lastGroupListing = now;
      try {
        for (GroupListing listing : admin.listGroups().all().get(10, TimeUnit.SECONDS)) {
          String id = listing.groupId();
          // Workflow applications, not their effect executors' groups (those read the outbox).
          if (id.startsWith(WORKFLOW_GROUP_PREFIX) && !id.endsWith(".effects")) {
            workflowGroups.add(id);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        log.debug("observer: cannot list groups: {}", e.toString());
      }
    }
    Set<String> activeTopics = new java.util.HashSet<>();
    Set<String> groups = new LinkedHashSet<>();
    for (BackfillStatus status : statuses.values()) {
      if (!status.state().isTerminal()) {
        activeTopics.add(ControlTopics.backfillTopic(status.backfillId()));
        status.request().ifPresent(r -> r.workflows().forEach(w -> groups.add(ControlTopics.workflowGroup(w))));
      }
    }
    groupLags.values().forEach(g -> {
      if (g.partitions().stream().anyMatch(p -> activeTopics.contains(p.partition().topic()))) {
        groups.add(g.group());
      }
    });
    groups.addAll(protectedGroups);
    if (full) {
      groups.addAll(workflowGroups);
    }
    return groups;
  }

  /** The limit the publish rate is held to: the adaptive controller's, else the request's cap. */
  static OptionalDouble throttleLimit(BackfillStatus status) {
    if (status.throttle().isPresent()) {
      return OptionalDouble.of(status.throttle().get().ratePerSecond());
    }
    return status.request().map(r -> r.maxRecordsPerSecond()).orElse(OptionalDouble.empty());
  }

  // ---- what the dashboard reads ----

  /** The latest status of every backfill seen, by id. */
  public Map<String, BackfillStatus> statuses() {
    return Map.copyOf(statuses);
  }

  /** Records published per second by {@code backfillId}, smoothed over its last status updates. */
  public double publishRate(String backfillId) {
    PublishRate rate = rates.get(backfillId);
    return rate == null ? 0 : rate.perSecond();
  }

  /** The latest lag of every watched group. */
  public Map<String, GroupLag> groupLags() {
    return Map.copyOf(groupLags);
  }

  public Set<String> protectedGroups() {
    return protectedGroups;
  }

  /** Dead letters of {@code workflow} from {@code backfillId}. */
  public long workflowDeadLetters(String workflow, String backfillId) {
    return deadLetters.ofBackfill(WorkflowTopics.deadLetters(workflow), backfillId);
  }

  /** What the dashboard's charts draw. */
  ObserverHistory history() {
    return history;
  }

  long now() {
    return clock.millis();
  }

  /** The audit trail of {@code backfillId} as it stands (read from {@code reprise.audit} now). */
  public List<AuditEntry> audit(String backfillId) {
    return AuditTrail.read(clientConfig, client.codec(), Optional.of(backfillId), Duration.ofSeconds(10));
  }

  /** Publishes control events for the dashboard's buttons. */
  public BackfillClient client() {
    return client;
  }

  /** The workflows its request names, in order; none for an unknown backfill. */
  private List<String> workflowsOf(String backfillId) {
    return Optional.ofNullable(statuses.get(backfillId)).flatMap(BackfillStatus::request)
        .map(BackfillRequest::workflows).orElse(List.of());
  }

  /** What each workflow a PREVIEW names would do (its dry run, as far as it got), read now. */
  public List<WorkflowDryRun> dryRuns(String backfillId) {
    return workflowsOf(backfillId).stream()
        .map(workflow -> WorkflowDryRun.of(clientConfig, registry, workflow, backfillId)).toList();
  }

  /** The backfill's own dead letters (source records its coordinator could not replay), oldest first. */
  public List<dev.reprise.protocol.BackfillDeadLetters.Letter> backfillDeadLettersOf(String backfillId) {
    return dev.reprise.protocol.BackfillDeadLetters.read(clientConfig(), backfillId);
  }

  /** The dead letters of {@code backfillId} in each workflow its request names, read now. */
  public Map<String, List<DeadLetterRedriver.DeadLetter>> deadLettersOf(String backfillId) {
    Map<String, List<DeadLetterRedriver.DeadLetter>> letters = new java.util.TreeMap<>();
    for (String workflow : workflowsOf(backfillId)) {
      try {
        letters.put(workflow, redriver(workflow).deadLetters().stream()
            .filter(d -> d.backfillId().filter(backfillId::equals).isPresent()).toList());
      } catch (IllegalArgumentException e) {
        letters.put(workflow, List.of());   // the workflow has no dead-letter topic yet: none
      }
    }
    return letters;
  }

  /**
   * What the running coordinators announced they serve (allowlists, event types, known
   * workflows), by instance id; empty if the announcements cannot be read (no READ on a secured
   * cluster): the page then offers only the sources of existing backfills.
   */
  public Map<String, CoordinatorAnnouncements.Announcement> coordinators() {
    try {
      return CoordinatorAnnouncements.read(clientConfig, registry);
    } catch (RuntimeException e) {
      log.debug("observer: cannot read {}: {}", CoordinatorAnnouncements.TOPIC, e.toString());
      return Map.of();
    }
  }

  /**
   * The workflows that have declared themselves (every runtime does at start), by name, with their
   * replay rules and event type: the new-backfill form's choices.
   */
  public synchronized Map<String, WorkflowDeclaration> workflows() {
    if (declarations == null) {
      declarations = WorkflowDeclarations.reader(clientConfig, registry);
    }
    return new java.util.TreeMap<>(declarations.all());
  }

  /** One redriver per workflow, kept: the page asks for dead letters every few seconds. */
  private DeadLetterRedriver redriver(String workflow) {
    return redrivers.computeIfAbsent(workflow, name -> DeadLetterRedriver.create(clientConfig, name));
  }

  /** The registry the observer decodes with. */
  public SchemaRegistryClient registry() {
    return registry;
  }

  /** Kafka client settings of the cluster it observes. */
  public Map<String, Object> clientConfig() {
    return clientConfig;
  }

  // ---- metrics ----

  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    this.meters = registry;
    progress = MultiGauge.builder("reprise.backfill.progress.ratio")
        .description("Share of the backfill's planned source offsets read, 0 to 1").register(registry);
    planned = MultiGauge.builder("reprise.backfill.planned.records")
        .description("Source offsets in the backfill's plan").register(registry);
    publishRate = MultiGauge.builder("reprise.backfill.publish.records.per.second")
        .description("Records the backfill publishes per second, smoothed").register(registry);
    throttleLimit = MultiGauge.builder("reprise.backfill.throttle.limit.records.per.second")
        .description("The rate the adaptive controller (or the request) holds the backfill to; 0 while held")
        .register(registry);
    throttleInfo = MultiGauge.builder("reprise.backfill.throttle.info")
        .description("1 for the controller's current mode and reason").register(registry);
    inFlight = MultiGauge.builder("reprise.backfill.in.flight.records")
        .description("Published and not yet processed by the slowest named workflow").register(registry);
    inFlightCap = MultiGauge.builder("reprise.backfill.in.flight.cap.records")
        .description("The in-flight window the backfill may not exceed").register(registry);
    eta = MultiGauge.builder("reprise.backfill.eta.seconds")
        .description("Remaining time at the current rate").register(registry);
    state = MultiGauge.builder("reprise.backfill.state")
        .description("1 for the backfill's current state, 0 for the others").register(registry);
    lagRecords = MultiGauge.builder("reprise.consumer.lag.records")
        .description("Records the group has yet to read, per partition (read_committed end minus committed)")
        .register(registry);
    lagSeconds = MultiGauge.builder("reprise.consumer.lag.seconds")
        .description("Age of the next record the group has to read, per partition").register(registry);
    groupStatus = MultiGauge.builder("reprise.consumer.group.status")
        .description("1 for the group's current status (OK, FALLING_BEHIND, STALLED, STOPPED, ...), 0 for the others")
        .register(registry);
    workflowDeadLetters = MultiGauge.builder("reprise.backfill.workflow.dlq.records")
        .description("Dead letters a workflow wrote for a backfill").register(registry);
  }

  private synchronized void publishMetrics() {
    if (meters == null) {
      return;
    }
    List<MultiGauge.Row<?>> progressRows = new ArrayList<>();
    List<MultiGauge.Row<?>> plannedRows = new ArrayList<>();
    List<MultiGauge.Row<?>> rateRows = new ArrayList<>();
    List<MultiGauge.Row<?>> limitRows = new ArrayList<>();
    List<MultiGauge.Row<?>> infoRows = new ArrayList<>();
    List<MultiGauge.Row<?>> inFlightRows = new ArrayList<>();
    List<MultiGauge.Row<?>> capRows = new ArrayList<>();
    List<MultiGauge.Row<?>> etaRows = new ArrayList<>();
    List<MultiGauge.Row<?>> stateRows = new ArrayList<>();
    List<MultiGauge.Row<?>> dlqRows = new ArrayList<>();
    for (BackfillStatus status : statuses.values()) {
      String id = status.backfillId();
      Tags tags = Tags.of("backfill", id);
      registerCounters(id);
      progressRows.add(MultiGauge.Row.of(tags, status.progress()));
      plannedRows.add(MultiGauge.Row.of(tags, status.counter(BackfillCounters.PLANNED)));
      rateRows.add(MultiGauge.Row.of(tags, publishRate(id)));
      throttleLimit(status).ifPresent(limit -> limitRows.add(MultiGauge.Row.of(tags, limit)));
      status.throttle().ifPresent(t -> {
        infoRows.add(MultiGauge.Row.of(tags.and("mode", t.mode(), "reason", t.reason()), 1));
        capRows.add(MultiGauge.Row.of(tags, t.inFlightCap()));
        t.inFlight().ifPresent(n -> inFlightRows.add(MultiGauge.Row.of(tags, n)));
      });
      status.etaSeconds().ifPresent(s -> etaRows.add(MultiGauge.Row.of(tags, s)));
      for (var candidate : dev.reprise.protocol.BackfillState.values()) {
        stateRows.add(MultiGauge.Row.of(tags.and("state", candidate.name()), candidate == status.state() ? 1 : 0));
      }
      status.request().ifPresent(r -> r.workflows().forEach(w -> dlqRows.add(
          MultiGauge.Row.of(tags.and("workflow", w), workflowDeadLetters(w, id)))));
    }
    progress.register(progressRows, true);
    planned.register(plannedRows, true);
    publishRate.register(rateRows, true);
    throttleLimit.register(limitRows, true);
    throttleInfo.register(infoRows, true);
    inFlight.register(inFlightRows, true);
    inFlightCap.register(capRows, true);
    eta.register(etaRows, true);
    state.register(stateRows, true);
    workflowDeadLetters.register(dlqRows, true);

    List<MultiGauge.Row<?>> recordRows = new ArrayList<>();
    List<MultiGauge.Row<?>> secondRows = new ArrayList<>();
    List<MultiGauge.Row<?>> statusRows = new ArrayList<>();
    for (GroupLag groupLag : groupLags.values()) {
      for (PartitionLag p : groupLag.partitions()) {
        Tags tags = Tags.of("group", groupLag.group(), "topic", p.partition().topic(), "partition",
            Integer.toString(p.partition().partition()));
        recordRows.add(MultiGauge.Row.of(tags, p.records()));
        p.seconds().ifPresent(s -> secondRows.add(MultiGauge.Row.of(tags, s)));
      }
      String kind = protectedGroups.contains(groupLag.group()) ? "live" : "workflow";
      for (GroupStatus candidate : GroupStatus.values()) {
        statusRows.add(MultiGauge.Row.of(Tags.of("group", groupLag.group(), "kind", kind, "status", candidate.name()),
            candidate == groupLag.status() ? 1 : 0));
      }
    }
    lagRecords.register(recordRows, true);
    lagSeconds.register(secondRows, true);
    groupStatus.register(statusRows, true);
  }

  /** Counters are registered once per backfill and read the latest status on each scrape. */
  private void registerCounters(String backfillId) {
    if (!countedBackfills.add(backfillId)) {
      return;
    }
    for (String counter : List.of(BackfillCounters.SCANNED, BackfillCounters.MATCHED, BackfillCounters.PUBLISHED,
        BackfillCounters.FILTERED_OUT, BackfillCounters.TOMBSTONES, BackfillCounters.DEAD_LETTERED)) {
      FunctionCounter.builder("reprise.backfill.records", statuses,
              all -> all.containsKey(backfillId) ? all.get(backfillId).counter(counter) : 0)
          .description("Source records of the backfill by outcome: scanned, then matched (published) or filtered out,"
              + " tombstones, dead-lettered")
          .tags("backfill", backfillId, "outcome", snake(counter))
          .register(meters);
    }
  }

  static String snake(String camel) {
    return camel.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public void close() {
    synchronized (this) {
      if (sampler != null) {
        sampler.shutdownNow();
        try {
          sampler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (declarations != null) {
        declarations.close();
      }
      redrivers.values().forEach(DeadLetterRedriver::close);
    }
    deadLetters.close();
    lag.close();
    health.close();
    admin.close(Duration.ofSeconds(5));
    client.close();
  }

  /**
   * Published records per second from successive statuses: the published counter's change over
   * the change of the status' own timestamp, so a slow sampler does not distort it. A backfill
   * that is not RUNNING, or whose status has not moved for 5 s, publishes nothing.
   */
  static final class PublishRate {
    private long lastUpdate = -1;
    private long lastPublished;
    private double perSecond;

    synchronized void update(BackfillStatus status, long now) {
      long updated = status.updatedAt().toEpochMilli();
      long published = status.counter(BackfillCounters.PUBLISHED);
      if (lastUpdate >= 0 && updated > lastUpdate) {
        double instant = (published - lastPublished) * 1000.0 / (updated - lastUpdate);
        perSecond = perSecond == 0 ? instant : 0.5 * perSecond + 0.5 * instant;
      }
      if (lastUpdate < 0 || updated > lastUpdate) {
        lastUpdate = updated;
        lastPublished = published;
      }
      if (status.state() != dev.reprise.protocol.BackfillState.RUNNING || now - updated > 5_000) {
        perSecond = 0;
      }
    }

    synchronized double perSecond() {
      return perSecond;
    }
  }
}
