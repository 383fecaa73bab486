package dev.reprise.workflow;

import dev.reprise.backpressure.LagMonitor;
import dev.reprise.backpressure.WorkflowHealth;
import dev.reprise.core.KafkaClientObserver;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillRequest.EffectsPolicy;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.LivePositions;
import dev.reprise.protocol.WorkflowDeclaration;
import dev.reprise.protocol.WorkflowDeclarations;
import dev.reprise.registry.SchemaRegistryClient;
import dev.reprise.spi.EventType;
import dev.reprise.spi.EventTypes;
import dev.reprise.workflow.api.EffectSink;
import dev.reprise.workflow.api.HistoryComplete;
import dev.reprise.workflow.api.ReplayRules;
import dev.reprise.workflow.api.Workflow;
import dev.reprise.workflow.internal.EffectExecutor;
import dev.reprise.workflow.internal.GuardedSink;
import dev.reprise.workflow.internal.HandleProcessor;
import dev.reprise.workflow.internal.OutcomeCounter;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link Workflow} on Kafka Streams ({@code exactly_once_v2}, application id {@code
 * reprise.workflow.<name>}): it subscribes to every backfill topic by pattern, or to named
 * backfills (new backfills are picked up without any change to the coordinator), and to the live
 * topics it is given, and handles each event once, whichever way it comes. Start more instances
 * with the same workflow to scale out.
 *
 * <p><b>History is never live.</b> A live topic is read from the workflow group's committed
 * position; where it has none (the first start), the runtime commits the topic's end before
 * Streams reads it, and logs it ({@link #livePositions()}): records before that point reach the
 * workflow only through a backfill, under that backfill's effects policy. {@code reprise onboard}
 * (a handover request) sets the point to a backfill's end instead, so history and live meet with no
 * gap and no overlap ({@link dev.reprise.protocol.LivePositions}).
 *
 * <p>Backfill topics are followed by name (listed every two seconds), not by Kafka Streams' pattern
 * subscription; a new one restarts Streams cleanly (see {@code followBackfillTopics}).
 *
 * <pre>{@code
 * try (var runtime = WorkflowRuntime.builder()
 *     .bootstrapServers("127.0.0.1:9092")
 *     .schemaRegistry(registry)
 *     .workflow(notify)
 *     .sink(webhook)
 *     .liveTopics(Set.of("submissions"))
 *     .stateDirectory(Path.of("/var/lib/reprise/notify"))
 *     .build()) {
 *   runtime.start();
 * }
 * }</pre>
 *
 * <p><b>Dedup store</b> {@code reprise.workflow.<name>.handled}: persistent (RocksDB), changelogged,
 * keyed by {@link EventId}; an id is forgotten {@link Builder#dedupRetention} after it was handled
 * (default 5 years: it must outlive the oldest history anyone will replay). Suppressed handling
 * counts as handled: an event replayed with effects suppressed is not handled again live.
 *
 * <p><b>Effects</b> are not performed inside the stream task (its transaction may abort and redo
 * the event): the event's effect request is committed to the outbox {@code
 * reprise.workflow.<name>.effects} with the dedup update, and the instance's effect executor performs
 * it, then writes the receipt. See {@link EffectSink} for what happens to an effect in doubt after a
 * crash.
 *
 * <p><b>Effects policy</b> of a replayed event: the backfill's {@code effectsPolicy}, read from its
 * status on {@code reprise.status} (fixed at its START, so cached), if the backfill names this
 * workflow or this runtime follows it by name ({@link Builder#backfills}); otherwise, and when
 * unknown, suppressed. The workflow's {@link ReplayRules} may forbid them whatever the policy.
 */
public final class WorkflowRuntime implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WorkflowRuntime.class);

  private final Builder config;
  private final BackfillClient backfills;
  /** Per backfill: empty if it replays another event type (passed by), else its effects policy here. */
  private final Map<String, Optional<EffectsPolicy>> terms = new ConcurrentHashMap<>();
  private final Map<String, Optional<EffectsPolicy>> dryRuns = new ConcurrentHashMap<>();
  private final Map<String, GuardedSink> sinks = new HashMap<>();
  private final Set<String> openSinks = ConcurrentHashMap.newKeySet();
  private final OutcomeCounter outcomes = new OutcomeCounter();
  private final Map<String, LivePositions.Handover> livePositions = new ConcurrentHashMap<>();
  private final Set<String> historyComplete = ConcurrentHashMap.newKeySet();
  private LagMonitor lagMonitor;
  private KafkaStreams streams;
  private AutoCloseable streamsMetrics;
  private Properties streamsProperties;
  private Set<String> backfillTopics = Set.of();
  private java.util.concurrent.ScheduledExecutorService watcher;
  private volatile boolean closed;
  private volatile EffectExecutor executor;
  private WorkflowHealth.Publisher health;

  private WorkflowRuntime(Builder config) {
    this.config = config;
    this.backfills = BackfillClient.create(config.clientConfig, config.registry);
    config.sinks.forEach((name, sink) -> sinks.put(name, new GuardedSink(sink, config.resilience.get(name), this::onBreaker)));
  }

  /**
   * Pauses consumption while any sink's breaker is open, rather than spinning through retries;
   * resumes when none is (half-open lets trial calls through).
   */
  private void onBreaker(String sink, CircuitBreaker.State state) {
    if (closed) {
      // Shutting down: nothing to pause or resume, and close() may hold the lock.
      return;
    }
    synchronized (this) {
      onBreakerLocked(sink, state);
    }
  }

  private void onBreakerLocked(String sink, CircuitBreaker.State state) {
    if (state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN) {
      if (openSinks.add(sink) && streams != null) {
        log.warn("workflow '{}': effect sink '{}' is {}; paused by backpressure", config.workflow.name(), sink, state);
        streams.pause();
        publishHealth();
      }
    } else if (openSinks.remove(sink) && openSinks.isEmpty() && streams != null) {
      log.info("workflow '{}': effect sink '{}' is {}; resuming", config.workflow.name(), sink, state);
      streams.resume();
      publishHealth();
    }
  }

  /** Tells lag monitors (the coordinator's among them) that the group is paused on purpose, or no longer. */
  private void publishHealth() {
    if (health == null) {
      return;
    }
    try {
      health.publish(WorkflowTopics.applicationId(config.workflow.name()), !openSinks.isEmpty(),
          "effect sinks " + new java.util.TreeSet<>(openSinks) + " unavailable (circuit breaker open)");
    } catch (RuntimeException e) {
      log.warn("workflow '{}': cannot publish its health to {}: {}", config.workflow.name(), WorkflowHealth.TOPIC,
          e.toString());
    }
  }

  /**
   * Whether consumption is paused because an effect sink's breaker is open. A paused workflow
   * keeps committing the same offsets: without this, lag monitoring would call it stalled.
   */
  public boolean isPausedByBackpressure() {
    return !openSinks.isEmpty();
  }

  /** The sinks whose breaker is open now. */
  public Set<String> unavailableSinks() {
    return Set.copyOf(openSinks);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The topology this runtime runs now, for inspection ({@code describe()}). */
  public synchronized Topology topology() {
    return topology(backfillTopics);
  }

  private Topology topology(Set<String> backfillTopics) {
    String name = config.workflow.name();
    String store = storeName(name);
    StreamsBuilder derived = new StreamsBuilder();
    config.workflow.deriveViews(derived, WorkflowTopics.view(name));
    // The DSL part first, then the handler's processor API part on the same topology.
    Topology topology = derived.build();
    List<String> sources = new ArrayList<>();
    if (!backfillTopics.isEmpty()) {
      topology.addSource("backfills", Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
          backfillTopics.toArray(String[]::new));
      sources.add("backfills");
    }
    if (!config.liveTopics.isEmpty()) {
      // Never earliest: history is not live. start() commits each live partition's handover point
      // before Streams first reads it; this reset only serves a partition that appears later.
      topology.addSource(AutoOffsetReset.latest(), "live", Serdes.ByteArray().deserializer(),
          Serdes.ByteArray().deserializer(), config.liveTopics.toArray(String[]::new));
      sources.add("live");
    }
    topology.addSource("redrive", Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
        WorkflowTopics.redrive(name));
    sources.add("redrive");
    String stateStore = stateStoreName(name);
    topology.addProcessor("handle", () -> new HandleProcessor(config.workflow, config.eventType, store, stateStore, config.registry,
        sinks.keySet(), this::termsOf, this::dryRunOf, config.dedupRetention, outcomes), sources.toArray(String[]::new));
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store), Serdes.String(),
        Serdes.Long()), "handle");
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(stateStore), Serdes.String(),
        Serdes.String()), "handle");
    topology.addSink(HandleProcessor.RECEIPTS, WorkflowTopics.receipts(name), Serdes.ByteArray().serializer(),
        Serdes.ByteArray().serializer(), "handle");
    topology.addSink(HandleProcessor.DEAD_LETTERS, WorkflowTopics.deadLetters(name), Serdes.ByteArray().serializer(),
        Serdes.ByteArray().serializer(), "handle");
    topology.addSink(HandleProcessor.EFFECTS, WorkflowTopics.effects(name), Serdes.ByteArray().serializer(),
        Serdes.ByteArray().serializer(), "handle");
    topology.addSink(HandleProcessor.VIEW, WorkflowTopics.view(name), Serdes.ByteArray().serializer(),
        Serdes.ByteArray().serializer(), "handle");
    topology.addSink(HandleProcessor.DRY_RUNS, WorkflowTopics.dryRuns(name), Serdes.ByteArray().serializer(),
        Serdes.ByteArray().serializer(), "handle");
    return topology;
  }

  /** Creates the workflow's topics if missing and starts processing. */
  public synchronized WorkflowRuntime start() {
    if (streams != null) {
      throw new IllegalStateException("workflow '" + config.workflow.name() + "' is already started");
    }
    createTopics();
    joinLiveTopics();
    declare();
    health = WorkflowHealth.publisher(config.clientConfig);
    // Clears what a crashed predecessor may have left ("paused") before this instance starts.
    publishHealth();
    Properties properties = new Properties();
    properties.putAll(config.clientConfig);
    properties.put(StreamsConfig.APPLICATION_ID_CONFIG, WorkflowTopics.applicationId(config.workflow.name()));
    properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    properties.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDirectory.toString());
    properties.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, config.replicationFactor);
    properties.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    // A stream thread replaced after an open breaker does not leave the group (Streams consumers
    // never do); its tasks move only when its session expires: 10 s, not Streams' 45 s.
    properties.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
    properties.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 2_000);
    properties.putAll(config.streamsOverrides);
    streamsProperties = properties;
    backfillTopics = config.allBackfills ? matchingBackfillTopics() : Set.of();
    streams = newStreams();
    streams.start();
    watcher = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "reprise-workflow-watcher-" + config.workflow.name());
      thread.setDaemon(true);
      return thread;
    });
    if (config.allBackfills) {
      watcher.scheduleWithFixedDelay(this::followBackfillTopics, 2, 2, TimeUnit.SECONDS);
      watcher.scheduleWithFixedDelay(this::watchHandovers, 1, 2, TimeUnit.SECONDS);
    }
    if (!sinks.isEmpty()) {
      executor = new EffectExecutor(config.workflow.name(), config.clientConfig, config.registry, sinks, outcomes,
          config.clientObserver).start();
    }
    log.info("workflow '{}' started (backfills: {}, live: {})", config.workflow.name(), config.allBackfills,
        config.liveTopics);
    return this;
  }

  /**
   * Commits the handover point of every live partition this workflow's group has no position on
   * yet: the topic's end now. Records before it are history and reach the workflow only through a
   * backfill (under that backfill's effects policy); {@code reprise onboard} sets the point to a
   * backfill's end instead, before the first start.
   */
  private void joinLiveTopics() {
    if (config.liveTopics.isEmpty()) {
      return;
    }
    String name = config.workflow.name();
    String group = WorkflowTopics.applicationId(name);
    try (Admin admin = Admin.create(config.clientConfig)) {
      for (String topic : config.liveTopics) {
        LivePositions.Handover joined;
        try {
          joined = LivePositions.establish(admin, group, topic, LivePositions.endOffsets(admin, topic));
        } catch (LivePositions.GroupBusyException e) {
          // Other instances run without a position on some partitions (a live topic new to this
          // instance's configuration): they are read from their end when Streams assigns them.
          log.warn("workflow '{}': {}; those partitions start at their end when assigned", name, e.getMessage());
          continue;
        }
        livePositions.put(topic, joined);
        if (joined.set().isEmpty()) {
          log.info("workflow '{}' continues live topic '{}' from its committed positions {}", name, topic,
              joined.positions());
        } else {
          log.info("workflow '{}' joins live topic '{}' at {} (partitions {} had no position): records before it"
              + " are history and reach '{}' only through a backfill", name, topic, joined.positions(), joined.set(),
              name);
        }
      }
    }
  }

  /**
   * Where this instance found or set its position on each live topic when it started: the handover
   * point for partitions it {@linkplain LivePositions.Handover#set() set}, the committed position
   * for the others.
   */
  public Map<String, LivePositions.Handover> livePositions() {
    return Map.copyOf(livePositions);
  }

  /** Tells the coordinator (and anyone looking) this workflow's replay rule and live topics. */
  private void declare() {
    ReplayRules rules = config.workflow.replayRules();
    WorkflowDeclarations.publish(config.clientConfig, config.registry, new WorkflowDeclaration(config.workflow.name(),
        rules.effectsAllowed(), rules.reason(), List.copyOf(config.liveTopics), config.clock.instant(),
        Optional.of(config.eventType.name())));
  }

  /**
   * Watches the backfills that hand a live topic's history over to this workflow: once one is
   * complete and this workflow's group has read all of its topic, the history is done and the
   * workflow is told ({@link Workflow#onHistoryComplete}), once per runtime instance.
   */
  private void watchHandovers() {
    String name = config.workflow.name();
    try {
      for (BackfillStatus status : backfills.statuses().values()) {
        String id = status.backfillId();
        // A PREVIEW hands nothing over (and has no topic).
        boolean ours = status.request().filter(r -> r.mode() == BackfillRequest.Mode.EXECUTE)
            .map(r -> r.handoverWorkflows().contains(name)).orElse(false);
        if (!ours || !status.state().canBeVerified() || historyComplete.contains(id)) {
          continue;
        }
        if (lagMonitor == null) {
          lagMonitor = LagMonitor.create(config.clientConfig, config.clock);
        }
        long unread = lagMonitor.lag(WorkflowTopics.applicationId(name),
            List.of(dev.reprise.protocol.ControlTopics.backfillTopic(id))).unread();
        if (unread > 0) {
          continue;
        }
        Map<Integer, Long> handover = new java.util.TreeMap<>();
        status.partitions().forEach(p -> handover.put(p.partition(), p.endOffset()));
        HistoryComplete done = new HistoryComplete(id, status.request().get().sourceTopic(), handover);
        historyComplete.add(id);
        log.info("workflow '{}': history of '{}' before {} is done (backfill '{}'); live from there on", name,
            done.sourceTopic(), handover, id);
        try {
          config.workflow.onHistoryComplete(done);
        } catch (RuntimeException e) {
          log.warn("workflow '{}': onHistoryComplete for backfill '{}' failed: {}", name, id, e.toString());
        }
      }
    } catch (RuntimeException e) {
      log.warn("workflow '{}': cannot watch handover backfills: {}", name, e.toString());
    }
  }

  /** The handover backfills whose history this instance has seen complete ({@link Workflow#onHistoryComplete}). */
  public Set<String> historyComplete() {
    return Set.copyOf(historyComplete);
  }

  private KafkaStreams newStreams() {
    KafkaStreams created = new KafkaStreams(topology(backfillTopics), streamsProperties);
    KafkaClientObserver.closeQuietly(streamsMetrics);
    streamsMetrics = config.clientObserver.opened(created);
    created.setUncaughtExceptionHandler(e -> {
      log.error("workflow '{}': stream thread failed; replacing it", config.workflow.name(), e);
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    });
    return created;
  }

  /**
   * Subscribes to backfill topics by name, not by Kafka Streams' pattern subscription: a topic that
   * starts matching a pattern under a running application makes Streams fail a thread ("Topic ...
   * is unknown to the topology"), stall on the dead member's session and sometimes trip over its
   * own RocksDB lock. So the runtime lists the topics itself every two seconds and, when the set
   * changes (a new backfill, an expired one), restarts Streams cleanly with the new set: a commit,
   * a rebalance, the same tasks and stores.
   */
  private void followBackfillTopics() {
    try {
      Set<String> current = matchingBackfillTopics();
      synchronized (this) {
        if (current.equals(backfillTopics) || streams == null || closed) {
          return;
        }
        log.info("workflow '{}': backfill topics now {}; restarting Kafka Streams with them", config.workflow.name(),
            current);
        streams.close(Duration.ofSeconds(30));
        backfillTopics = current;
        streams = newStreams();
        streams.start();
        if (!openSinks.isEmpty()) {
          streams.pause();
        }
      }
    } catch (RuntimeException e) {
      log.warn("workflow '{}': cannot follow backfill topics: {}", config.workflow.name(), e.toString());
    }
  }

  private Set<String> matchingBackfillTopics() {
    try (Admin admin = Admin.create(config.clientConfig)) {
      return admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
          .filter(topic -> config.backfillPattern.matcher(topic).matches())
          .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while listing topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot list topics: " + e, e);
    }
  }

  /** What the effect executor did since start (zeros for a workflow without sinks). */
  public EffectStats effectStats() {
    return executor == null ? new EffectStats(0, 0, 0, 0) : executor.stats();
  }

  /**
   * Receipts this instance wrote since it started, by outcome (every outcome present). For
   * metrics: a receipt in a transaction that aborted and was retried counts twice here, never on
   * the receipts topic, which is the ledger.
   */
  public Map<ReceiptOutcome, Long> outcomes() {
    return outcomes.snapshot();
  }

  /** Each effect sink's circuit breaker state: CLOSED, OPEN, HALF_OPEN (or resilience4j's others). */
  public Map<String, String> sinkStates() {
    Map<String, String> states = new java.util.TreeMap<>();
    sinks.forEach((name, sink) -> states.put(name, sink.breakerState().name()));
    return states;
  }

  /** The workflow this runtime runs. */
  public String workflowName() {
    return config.workflow.name();
  }

  /** The Kafka Streams state. */
  public KafkaStreams.State state() {
    return streams == null ? KafkaStreams.State.CREATED : streams.state();
  }

  /**
   * How this workflow treats a backfill's records, read once from its status. Empty: the backfill
   * replays another event type — a runtime following every backfill sees every team's, whose
   * records are not its events (it would dead-letter each one), so it passes them by. Otherwise the
   * effects policy that applies here ({@link #effectsFor}). A backfill that names no type (written
   * before event types) is taken as its own; one whose status is unknown yet is suppressed and
   * asked again next time.
   */
  private Optional<EffectsPolicy> termsOf(String backfillId) {
    Optional<EffectsPolicy> known = terms.get(backfillId);
    if (known != null) {
      return known;
    }
    Optional<BackfillRequest> request = backfills.status(backfillId).flatMap(BackfillStatus::request);
    if (request.isEmpty()) {
      log.warn("workflow '{}': no status for backfill '{}'; suppressing its effects", config.workflow.name(), backfillId);
      return Optional.of(EffectsPolicy.SUPPRESS);
    }
    Optional<String> type = request.get().eventType();
    if (type.isPresent() && !type.get().equals(config.eventType.name())) {
      log.info("workflow '{}' handles '{}' events; backfill '{}' replays '{}' events, which it passes by",
          config.workflow.name(), config.eventType.name(), backfillId, type.get());
      terms.put(backfillId, Optional.empty());
      return Optional.empty();
    }
    EffectsPolicy policy = effectsFor(request.get());
    if (policy != request.get().effectsPolicy()) {
      log.warn("workflow '{}': backfill '{}' enables effects for {} only, and this runtime follows it as one of every"
          + " backfill: its effects stay suppressed here", config.workflow.name(), backfillId, request.get().workflows());
    }
    terms.put(backfillId, Optional.of(policy));
    return Optional.of(policy);
  }

  /**
   * How this workflow dry-runs a PREVIEW's records: only for a PREVIEW that names it (or one this
   * runtime follows by name), with the effects policy EXECUTE would have; empty otherwise, and the
   * records are passed by. A preview is an explicit question to the workflows it names; the others
   * have nothing to answer.
   */
  private Optional<EffectsPolicy> dryRunOf(String backfillId) {
    Optional<EffectsPolicy> known = dryRuns.get(backfillId);
    if (known != null) {
      return known;
    }
    Optional<BackfillRequest> request = backfills.status(backfillId).flatMap(BackfillStatus::request);
    if (request.isEmpty()) {
      // The coordinator commits a PLANNED status before the first record, and status() reads to
      // the end of the status topic: this is a preview whose status was compacted away.
      log.warn("workflow '{}': no status for preview '{}'; passing its records by", config.workflow.name(), backfillId);
      return Optional.empty();
    }
    boolean named = request.get().workflows().contains(config.workflow.name())
        || config.namedBackfills.contains(backfillId);
    Optional<EffectsPolicy> policy = named ? termsOf(backfillId) : Optional.empty();
    dryRuns.put(backfillId, policy);
    return policy;
  }

  /**
   * A backfill's effects run for this workflow only if the backfill asked for them from it: it
   * names the workflow, or this runtime follows that backfill by name. A runtime following every
   * backfill (the default) would otherwise perform, for history it never asked about, the effects
   * another team enabled for its own workflow.
   */
  private EffectsPolicy effectsFor(BackfillRequest request) {
    boolean asked = request.workflows().contains(config.workflow.name()) || config.namedBackfills.contains(
        request.backfillId());
    return asked ? request.effectsPolicy() : EffectsPolicy.SUPPRESS;
  }

  private void createTopics() {
    String name = config.workflow.name();
    try (Admin admin = Admin.create(config.clientConfig)) {
      int partitions = Math.max(config.topicPartitions, livePartitions(admin));
      create(admin, new NewTopic(WorkflowTopics.receipts(name), Optional.of(config.topicPartitions), replication()));
      create(admin, new NewTopic(WorkflowTopics.deadLetters(name), Optional.of(config.topicPartitions), replication()));
      create(admin, new NewTopic(WorkflowTopics.effects(name), Optional.of(config.topicPartitions), replication()));
      create(admin, new NewTopic(WorkflowTopics.dryRuns(name), Optional.of(config.topicPartitions), replication()));
      // As wide as the live topics: a retried record goes back to the partition number it came from.
      create(admin, new NewTopic(WorkflowTopics.redrive(name), Optional.of(partitions), replication()));
      List<String> views = new ArrayList<>(List.of(WorkflowTopics.view(name)));
      views.addAll(config.workflow.derivedViewTopics());
      for (String view : views) {
        create(admin, new NewTopic(view, Optional.of(config.topicPartitions), replication())
            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
      }
      // Streams refuses to assign a subtopology whose source topic its metadata does not show yet
      // (and replaces the thread): start once the redrive topic is visible.
      awaitVisible(admin, WorkflowTopics.redrive(name));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the topics of '" + name + "'", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("cannot create the topics of '" + name + "' within 30 s", e);
    }
  }

  private static void awaitVisible(Admin admin, String topic) throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("topic '" + topic + "' is still not visible 30 s after its creation", e.getCause());
        }
        TimeUnit.MILLISECONDS.sleep(100);
      }
    }
  }

  private Optional<Short> replication() {
    return config.replicationFactor > 0 ? Optional.of((short) config.replicationFactor) : Optional.empty();
  }

  private int livePartitions(Admin admin) throws InterruptedException, TimeoutException {
    if (config.liveTopics.isEmpty()) {
      return 0;
    }
    try {
      return admin.describeTopics(config.liveTopics).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
          .mapToInt(d -> d.partitions().size()).max().orElse(0);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot describe the live topics " + config.liveTopics + ": " + e.getCause(),
          e.getCause());
    }
  }

  private static void create(Admin admin, NewTopic topic) throws InterruptedException, TimeoutException {
    try {
      admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create topic '" + topic.name() + "': " + e.getCause(), e.getCause());
      }
    }
  }

  /** The workflow's own state store ({@link WorkflowContext#state()}). */
  public static String stateStoreName(String workflow) {
    return "reprise.workflow." + workflow + ".state";
  }

  /** The dedup store's name. */
  public static String storeName(String workflow) {
    return "reprise.workflow." + workflow + ".handled";
  }

  @Override
  public void close() {
    closed = true;
    if (watcher != null) {
      watcher.shutdownNow();
      try {
        watcher.awaitTermination(40, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    closeResources();
  }

  private void closeResources() {
    EffectExecutor stopping;
    synchronized (this) {
      stopping = executor;
      executor = null;
    }
    // Outside the lock: the executor's thread may be in onBreaker (a sink failing during shutdown
    // opens its breaker), which takes this lock; holding it here would deadlock the two.
    if (stopping != null) {
      stopping.close();
    }
    closeStreamsAndClients();
  }

  private synchronized void closeStreamsAndClients() {
    KafkaClientObserver.closeQuietly(streamsMetrics);
    streamsMetrics = null;
    if (streams != null) {
      streams.close(Duration.ofSeconds(30));
    }
    if (health != null) {
      health.close();
    }
    if (lagMonitor != null) {
      lagMonitor.close();
    }
    backfills.close();
  }

  /** Configures a {@link WorkflowRuntime}; validates at {@link #build()}. */
  public static final class Builder {
    /** Default {@link #dedupRetention}: longer than any history anyone will replay. */
    public static final Duration DEFAULT_DEDUP_RETENTION = Duration.ofDays(5 * 365);

    private final Map<String, Object> clientConfig = new HashMap<>();
    private final Map<String, Object> streamsOverrides = new HashMap<>();
    private SchemaRegistryClient registry;
    private Workflow workflow;
    private final Map<String, EffectSink> sinks = new HashMap<>();
    private final Map<String, SinkResilience> resilience = new HashMap<>();
    private Set<String> liveTopics = Set.of();
    private boolean allBackfills = true;
    private java.util.regex.Pattern backfillPattern = WorkflowTopics.ALL_FOLLOWED;
    private Set<String> namedBackfills = Set.of();
    private Path stateDirectory;
    private Duration dedupRetention = DEFAULT_DEDUP_RETENTION;
    private KafkaClientObserver clientObserver = KafkaClientObserver.NONE;
    private int replicationFactor = -1;
    private int topicPartitions = 6;
    private EventType eventType;
    private java.time.Clock clock = java.time.Clock.systemUTC();

    private Builder() {}

    /** {@code bootstrap.servers}; required. */
    public Builder bootstrapServers(String servers) {
      clientConfig.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, servers);
      return this;
    }

    /** Settings for every client (security). */
    public Builder kafkaProperties(Map<String, ?> properties) {
      clientConfig.putAll(properties);
      return this;
    }

    /** Kafka Streams settings on top of Reprise's (e.g. {@code num.stream.threads}). */
    public Builder streamsProperty(String key, Object value) {
      streamsOverrides.put(key, value);
      return this;
    }

    /** Required; not closed by the runtime. */
    public Builder schemaRegistry(SchemaRegistryClient registry) {
      this.registry = registry;
      return this;
    }

    /** Required. */
    public Builder workflow(Workflow workflow) {
      this.workflow = workflow;
      return this;
    }

    /** An effect sink the workflow may name, with {@link SinkResilience#defaults()}. */
    public Builder sink(EffectSink sink) {
      return sink(sink, SinkResilience.defaults());
    }

    /** An effect sink the workflow may name, protected as {@code resilience} says. */
    public Builder sink(EffectSink sink, SinkResilience resilience) {
      this.sinks.put(sink.name(), sink);
      this.resilience.put(sink.name(), resilience);
      return this;
    }

    /** Live topics to handle besides the backfills (default none). */
    public Builder liveTopics(Set<String> topics) {
      this.liveTopics = new LinkedHashSet<>(topics);
      return this;
    }

    /** Whether to subscribe to every backfill topic (default true). */
    public Builder allBackfills(boolean subscribe) {
      this.allBackfills = subscribe;
      return this;
    }

    /**
     * Subscribes to these backfills only (their topics may not exist yet) instead of every
     * backfill.
     */
    public Builder backfills(Set<String> backfillIds) {
      this.allBackfills = !backfillIds.isEmpty();
      this.namedBackfills = Set.copyOf(backfillIds);
      this.backfillPattern = java.util.regex.Pattern.compile(backfillIds.stream()
          .flatMap(id -> java.util.stream.Stream.of(dev.reprise.protocol.ControlTopics.backfillTopic(id),
              dev.reprise.protocol.ControlTopics.previewTopic(id)))
          .map(java.util.regex.Pattern::quote)
          .collect(java.util.stream.Collectors.joining("|")));
      return this;
    }

    /**
     * The kind of events the workflow handles (how old versions are upcast, what their checksum
     * is); default: the only {@link EventType} on the class path.
     */
    public Builder eventType(EventType type) {
      this.eventType = type;
      return this;
    }

    /**
     * Operational time: when the workflow declared itself, lag in seconds; default the system
     * clock. Handling never reads it (handlers get the event's logical date).
     */
    public Builder clock(java.time.Clock clock) {
      this.clock = java.util.Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Where RocksDB keeps the dedup store; required. */
    public Builder stateDirectory(Path directory) {
      this.stateDirectory = directory;
      return this;
    }

    /** How long an event id is remembered after it was handled. */
    public Builder dedupRetention(Duration retention) {
      this.dedupRetention = retention;
      return this;
    }

    /** Replication factor of internal and output topics; default the broker's. */
    /**
     * Told of every {@code KafkaStreams} instance this runtime starts (it starts a new one when its
     * set of backfill topics changes) and of the effect executor's consumer and producer: for
     * client metrics, e.g. Micrometer's {@code KafkaStreamsMetrics} and {@code KafkaClientMetrics}.
     */
    public Builder clientObserver(KafkaClientObserver observer) {
      this.clientObserver = java.util.Objects.requireNonNull(observer, "clientObserver");
      return this;
    }

    public Builder replicationFactor(int factor) {
      this.replicationFactor = factor;
      return this;
    }

    public WorkflowRuntime build() {
      List<String> problems = new ArrayList<>();
      if (!(clientConfig.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG) instanceof String servers) || servers.isBlank()) {
        problems.add("bootstrapServers is required");
      }
      if (registry == null) {
        problems.add("schemaRegistry is required");
      }
      if (workflow == null) {
        problems.add("workflow is required");
      } else if (!workflow.name().matches("[a-zA-Z0-9._-]{1,100}")) {
        problems.add("workflow name '" + workflow.name() + "' may only use letters, digits, '.', '_' and '-'");
      }
      if (!allBackfills && liveTopics.isEmpty()) {
        problems.add("the workflow subscribes to nothing: enable allBackfills or give liveTopics");
      }
      if (stateDirectory == null) {
        problems.add("stateDirectory is required");
      }
      if (workflow != null) {
        Set<String> missing = new java.util.TreeSet<>(workflow.sinks());
        missing.removeAll(sinks.keySet());
        if (!missing.isEmpty()) {
          problems.add("workflow '" + workflow.name() + "' performs effects on sink(s) " + missing
              + ", which are not configured (configured: " + new java.util.TreeSet<>(sinks.keySet()) + ")");
        }
      }
      Optional<String> handles = workflow == null ? Optional.empty() : workflow.eventType();
      if (eventType == null) {
        // The workflow's own type if it names one, else the only one installed.
        try {
          eventType = handles.isPresent() ? EventTypes.byName(handles.get()) : EventTypes.only();
        } catch (RuntimeException e) {
          problems.add("eventType: " + e.getMessage());
        }
      } else if (handles.isPresent() && !handles.get().equals(eventType.name())) {
        problems.add("eventType: workflow '" + workflow.name() + "' handles '" + handles.get() + "' events, not '"
            + eventType.name() + "'");
      }
      if (dedupRetention == null || dedupRetention.isNegative() || dedupRetention.isZero()) {
        problems.add("dedupRetention must be positive, was " + dedupRetention);
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException("invalid workflow runtime configuration: " + String.join("; ", problems));
      }
      return new WorkflowRuntime(this);
    }
  }
}
