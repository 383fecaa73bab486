package dev.reprise.coordinator;

import dev.reprise.backpressure.LagMonitor;
import dev.reprise.backpressure.WorkflowHealth;
import dev.reprise.coordinator.internal.BackfillRun;
import dev.reprise.coordinator.internal.Backpressure;
import dev.reprise.coordinator.internal.RunContext;
import dev.reprise.coordinator.internal.ThrottleTicker;
import dev.reprise.core.KafkaClientObserver;
import dev.reprise.core.RepriseRetriableException;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.BackfillThrottle;
import dev.reprise.protocol.ControlCodec;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.protocol.EventTypeChoice;
import dev.reprise.protocol.ReplayCommand;
import dev.reprise.protocol.WorkflowDeclarations;
import dev.reprise.protocol.internal.StatusStore;
import dev.reprise.protocol.internal.Topics;
import dev.reprise.registry.SchemaRegistryClient;
import dev.reprise.registry.SchemaRegistryUnavailableException;
import dev.reprise.spi.EventType;
import dev.reprise.spi.EventTypes;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replay coordinator: a long-running service that turns replay requests on {@link
 * ControlTopics#REQUESTS} into bounded, exactly-once replays of a source topic into {@code
 * reprise.backfill.<id>}, and answers every request on {@link ControlTopics#STATUS}.
 *
 * <pre>{@code
 * try (var coordinator = ReplayCoordinator.builder()
 *     .bootstrapServers("127.0.0.1:9092")
 *     .schemaRegistry(ConfluentSchemaRegistryClient.create("http://127.0.0.1:8081/apis/ccompat/v7"))
 *     .allowedSourceTopics(Set.of("submissions"))
 *     .knownWorkflows(Set.of("notify", "ledger"))
 *     .build()) {
 *   coordinator.start();
 *   ...
 * }
 * }</pre>
 *
 * <p><b>Scaling out.</b> Instances share {@link ControlTopics#REQUESTS} through the consumer group
 * {@link ControlTopics#COORDINATOR_GROUP}. Requests are keyed by backfill id, so a backfill belongs
 * to whichever instance owns its request partition. When an instance leaves (or dies, after the
 * session timeout), the new owner of the partition resumes each unfinished backfill from its last
 * committed transaction; its producer shares the backfill's transactional id, which fences the old
 * one.
 *
 * <p><b>Answers.</b> A START that cannot run gets a REJECTED status naming every problem. A START
 * identical to a known backfill's request is ignored (the same request twice runs once); a
 * different START reusing an id, and a command a backfill cannot take in its state, leave the
 * backfill alone and are reported in its status' {@code rejectedCommand}. A rejected id may be
 * used again by a corrected request: nothing ran under it.
 */
public final class ReplayCoordinator implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ReplayCoordinator.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);

  private final Map<String, Object> clientConfig;
  private final SchemaRegistryClient registry;
  private final BackfillRequestValidator validator;
  private final EventTypeChoice eventTypes;
  private final Set<String> allowedSourceTopics;
  private final Clock clock;
  private final String instanceId;
  private final int controlTopicPartitions;
  private final Optional<Short> replicationFactor;
  private final Duration sessionTimeout;
  private final Admin admin;
  private final ControlCodec codec;
  private final StatusStore statusStore;
  private final WorkflowDeclarations.Reader declarations;
  private final RunContext runContext;
  private final ThrottleTicker ticker;
  private final KafkaClientObserver clientObserver;
  private final Set<String> protectedLiveGroups;
  private final List<AutoCloseable> clientMetrics = new ArrayList<>();
  private volatile WorkflowHealth.View health;
  private final Map<String, BackfillRun> runs = new ConcurrentHashMap<>();
  private final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
  private final Set<TopicPartition> newlyAssigned = ConcurrentHashMap.newKeySet();
  private KafkaProducer<byte[], byte[]> answers;
  private KafkaConsumer<String, byte[]> requests;
  private Thread loopThread;
  private volatile boolean closed;
  private int requestPartitions;

  private ReplayCoordinator(Builder builder) {
    this.clientConfig = Map.copyOf(builder.clientConfig);
    this.registry = builder.registry;
    this.allowedSourceTopics = Set.copyOf(builder.allowedSourceTopics);
    this.clock = builder.clock;
    // Reads reprise.workflows lazily, on the first request that names a workflow.
    this.declarations = WorkflowDeclarations.reader(clientConfig, registry);
    this.eventTypes = new EventTypeChoice(builder.eventTypes, builder.defaultEventType);
    this.validator = new BackfillRequestValidator(builder.allowedSourceTopics, builder.knownWorkflows, declarations,
        eventTypes, clock);
    this.instanceId = builder.instanceId;
    this.controlTopicPartitions = builder.controlTopicPartitions;
    this.replicationFactor = builder.replicationFactor;
    this.sessionTimeout = builder.sessionTimeout;
    this.admin = Admin.create(clientConfig);
    this.codec = new ControlCodec(registry);
    this.statusStore = new StatusStore(clientConfig, admin, codec);
    // The health view is opened by start(): building a coordinator touches no server.
    this.ticker = new ThrottleTicker(LagMonitor.create(clientConfig, clock, Duration.ofSeconds(10),
        group -> health != null && health.test(group)), List.copyOf(builder.protectedLiveGroups), builder.throttleInterval);
    this.runContext = new RunContext(clientConfig, admin, registry, codec, statusStore, clock, instanceId,
        builder.commitInterval, builder.backfillRetention, replicationFactor, builder.maxPollRecords,
        builder.replayThreads, eventTypes, new Backpressure(ticker, builder.inFlightCap, builder.adaptiveMaxRate, builder.liveLagRecords,
            builder.liveLagTime), builder.clientObserver);
    this.clientObserver = builder.clientObserver;
    this.protectedLiveGroups = Set.copyOf(builder.protectedLiveGroups);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The live consumer groups this coordinator's backfills must not hurt (see {@link Builder#protectLiveGroups}). */
  public Set<String> protectedLiveGroups() {
    return protectedLiveGroups;
  }

  /** This instance's id, as written into the statuses it publishes. */
  public String instanceId() {
    return instanceId;
  }

  /**
   * Creates the control topics if missing, reads the known backfills and starts serving requests
   * on a background thread.
   */
  public synchronized ReplayCoordinator start() {
    if (loopThread != null) {
      throw new IllegalStateException("coordinator " + instanceId + " is already started");
    }
    Topics.ensureControlTopics(admin, controlTopicPartitions, replicationFactor);
    health = WorkflowHealth.view(clientConfig);
    Map<String, Object> producerConfig = new HashMap<>(clientConfig);
    producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
    producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producerConfig.put(ProducerConfig.CLIENT_ID_CONFIG, "reprise-coordinator-answers-" + instanceId);
    answers = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
    clientMetrics.add(clientObserver.opened(answers));
    Map<String, Object> consumerConfig = new HashMap<>(clientConfig);
    consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, ControlTopics.COORDINATOR_GROUP);
    consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumerConfig.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis());
    consumerConfig.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(500, sessionTimeout.toMillis() / 5));
    consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, "reprise-coordinator-" + instanceId);
    // Incremental rebalancing: when an instance joins or leaves, only the backfills that move stop.
    consumerConfig.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        org.apache.kafka.clients.consumer.CooperativeStickyAssignor.class.getName());
    requests = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer());
    clientMetrics.add(clientObserver.opened(requests));
    loopThread = new Thread(this::serve, "reprise-coordinator-" + instanceId);
    loopThread.start();
    log.info("coordinator {} started; allowlist {}", instanceId, allowedSourceTopics);
    return this;
  }

  /** Ids of the backfills this instance is running now. */
  /**
   * The adaptive throttle of a backfill this instance runs now, as it stands this instant (the
   * status shows it as of the last commit); empty if not running here or not adaptive.
   */
  public Optional<BackfillThrottle> throttle(String backfillId) {
    BackfillRun run = runs.get(backfillId);
    return run == null || run.isFinished() ? Optional.empty() : run.throttleStatus();
  }

  public Set<String> activeBackfills() {
    Set<String> active = new HashSet<>();
    runs.forEach((id, run) -> {
      if (!run.isFinished()) {
        active.add(id);
      }
    });
    return active;
  }

  private void serve() {
    requests.subscribe(List.of(ControlTopics.REQUESTS), new Ownership());
    int failures = 0;
    while (!closed) {
      try {
        var batch = requests.poll(POLL);
        if (!newlyAssigned.isEmpty()) {
          adoptUnfinishedBackfills();
        }
        if (!batch.isEmpty()) {
          statusStore.catchUp(CLIENT_TIMEOUT);
        }
        for (ConsumerRecord<String, byte[]> record : batch) {
          TopicPartition tp = new TopicPartition(record.topic(), record.partition());
          try {
            handle(record);
          } catch (RuntimeException e) {
            // Not answered: read it again after the back-off.
            requests.seek(tp, record.offset());
            throw e;
          }
          requests.commitSync(Map.of(tp, new OffsetAndMetadata(record.offset() + 1)));
        }
        runs.values().removeIf(BackfillRun::isFinished);
        failures = 0;
      } catch (WakeupException e) {
        // close() woke us up.
      } catch (RepriseRetriableException | KafkaException e) {
        failures++;
        long backoff = Math.min(10_000L, 200L << Math.min(failures, 6));
        log.warn("coordinator {}: {}; retrying in {} ms", instanceId, e.toString(), backoff);
        sleepQuietly(backoff);
      } catch (RuntimeException e) {
        log.error("coordinator {}: unexpected error; retrying in 1 s", instanceId, e);
        sleepQuietly(1000);
      }
    }
    stopRuns(runs.values());
    requests.close();
  }

  private void handle(ConsumerRecord<String, byte[]> record) {
    String key = record.key();
    String where = record.topic() + "-" + record.partition() + "@" + record.offset();
    if (record.value() == null) {
      log.warn("ignoring an empty request at {} (key {})", where, key);
      return;
    }
    ReplayCommand command;
    try {
      command = codec.decodeCommand(record.value());
    } catch (SchemaRegistryUnavailableException e) {
      throw e;
    } catch (RuntimeException e) {
      if (key == null) {
        log.warn("ignoring an unreadable request without key at {}: {}", where, e.toString());
      } else {
        refuse(key, "request at " + where + " is not a readable ReplayRequest: " + e.getMessage());
      }
      return;
    }
    String id = command.backfillId();
    if (!id.equals(key)) {
      refuse(key == null ? id : key, command.type() + " refused: requests must be keyed by their backfillId, but key "
          + (key == null ? "is missing" : "'" + key + "'") + " and backfillId is '" + id + "'");
      return;
    }
    log.info("coordinator {}: {} for '{}' ({})", instanceId, command.type(), id, where);
    switch (command.type()) {
      case START -> start(command.request().orElseThrow());
      case PAUSE, RESUME, CANCEL -> control(id, command.type());
      case THROTTLE -> throttle(id, command.maxRecordsPerSecond());
      case RETRY -> refuse(id, "RETRY refused: a backfill resumes by itself after any retriable failure; a FAILED one"
          + " failed for a reason that needs a fix, then a new START (workflow items are retried per item)");
    }
  }

  private void start(BackfillRequest asked) {
    // A request that names no event type is of the default one, and says so from here on (in its
    // status, to the verifier and to a repeated START), so that adding a plugin later changes nothing.
    BackfillRequest request = eventTypes.named(asked);
    String id = request.backfillId();
    Optional<BackfillRequest> known = knownRequest(id);
    if (known.isPresent()) {
      if (known.get().equals(request)) {
        log.info("duplicate START for '{}' ignored: the same request runs once", id);
      } else {
        refuse(id, "START refused: backfill '" + id + "' already exists with a different request (differs in: "
            + String.join(", ", differences(known.get(), request)) + ")");
      }
      return;
    }
    List<String> problems = new ArrayList<>(validator.problems(request));
    if (problems.isEmpty()) {
      sourceTopicProblem(request.sourceTopic()).ifPresent(problems::add);
    }
    if (!problems.isEmpty()) {
      log.info("rejecting backfill '{}': {}", id, problems);
      publish(BackfillStatus.of(id, BackfillState.REJECTED, Optional.of(String.join("; ", problems)),
          Optional.of(request), Optional.of(instanceId), clock.instant()));
      return;
    }
    BackfillStatus accepted = BackfillStatus.of(id, BackfillState.ACCEPTED, Optional.empty(), Optional.of(request),
        Optional.of(instanceId), clock.instant());
    publish(accepted);
    launch(accepted);
  }

  private void throttle(String id, OptionalDouble maxRecordsPerSecond) {
    BackfillRun run = runs.get(id);
    if (run != null && !run.isFinished()) {
      run.throttle(maxRecordsPerSecond);
    } else {
      refuse(id, "THROTTLE refused: backfill '" + id + "' is not running on this coordinator"
          + statusStore.latest(id).map(s -> " (it is " + s.state() + ")").orElse(" (there is no such backfill)"));
    }
  }

  private void control(String id, ReplayCommand.Type type) {
    BackfillRun run = runs.get(id);
    if (run != null && !run.isFinished()) {
      run.command(type);
      return;
    }
    Optional<BackfillStatus> status = statusStore.latest(id);
    if (status.isEmpty() || status.get().state() == BackfillState.REJECTED) {
      refuse(id, type + " refused: there is no backfill '" + id + "'");
    } else if (status.get().state().isTerminal()) {
      refuse(id, type + " refused: backfill '" + id + "' is " + status.get().state() + " and cannot change any more");
    } else {
      // Unfinished but not running here: it is ours (its request partition is), so run it.
      launch(status.get()).command(type);
    }
  }

  /**
   * Answers a command that cannot be carried out. A backfill that exists keeps its state and
   * shows the refusal in {@code rejectedCommand}; otherwise the id gets a REJECTED status.
   */
  private void refuse(String id, String reason) {
    log.info("coordinator {}: {}", instanceId, reason);
    BackfillRun run = runs.get(id);
    if (run != null && !run.isFinished()) {
      run.note(reason);
      return;
    }
    Optional<BackfillStatus> status = statusStore.latest(id);
    if (status.isPresent() && status.get().state() != BackfillState.REJECTED) {
      publish(status.get().withRejectedCommand(reason, clock.instant()));
    } else {
      publish(BackfillStatus.of(id, BackfillState.REJECTED, Optional.of(reason), Optional.empty(),
          Optional.of(instanceId), clock.instant()));
    }
  }

  private Optional<BackfillRequest> knownRequest(String id) {
    BackfillRun run = runs.get(id);
    if (run != null) {
      return Optional.of(run.request());
    }
    return statusStore.latest(id)
        .filter(status -> status.state() != BackfillState.REJECTED)
        .flatMap(BackfillStatus::request);
  }

  private Optional<String> sourceTopicProblem(String topic) {
    try {
      boolean exists = admin.listTopics().names().get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).contains(topic);
      return exists ? Optional.empty() : Optional.of("source topic '" + topic + "' does not exist");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RepriseRetriableException("interrupted while checking source topic '" + topic + "'", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new RepriseRetriableException("cannot check source topic '" + topic + "': " + e, e);
    }
  }

  private static List<String> differences(BackfillRequest a, BackfillRequest b) {
    List<String> fields = new ArrayList<>();
    for (RecordComponent component : BackfillRequest.class.getRecordComponents()) {
      try {
        if (!Objects.equals(component.getAccessor().invoke(a), component.getAccessor().invoke(b))) {
          fields.add(component.getName());
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
    return fields;
  }

  private void publish(BackfillStatus status) {
    try {
      answers.send(new ProducerRecord<>(ControlTopics.STATUS, status.backfillId().getBytes(StandardCharsets.UTF_8),
          codec.encode(status))).get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RepriseRetriableException("interrupted while answering for '" + status.backfillId() + "'", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new RepriseRetriableException("cannot publish the status of '" + status.backfillId() + "': " + e, e);
    }
  }

  private BackfillRun launch(BackfillStatus status) {
    BackfillRun run = new BackfillRun(runContext, status);
    runs.put(status.backfillId(), run);
    Thread thread = new Thread(run, "reprise-backfill-" + status.backfillId());
    thread.start();
    return run;
  }

  /** Resumes the unfinished backfills whose request partition this instance was just given. */
  private void adoptUnfinishedBackfills() {
    statusStore.catchUp(CLIENT_TIMEOUT);
    newlyAssigned.clear();
    for (BackfillStatus status : statusStore.all().values()) {
      String id = status.backfillId();
      if (!status.state().isTerminal() && status.request().isPresent() && owned.contains(requestPartition(id))
          && (runs.get(id) == null || runs.get(id).isFinished())) {
        log.info("coordinator {} takes over backfill '{}' ({})", instanceId, id, status.state());
        launch(status);
      }
    }
  }

  private TopicPartition requestPartition(String backfillId) {
    if (requestPartitions == 0) {
      requestPartitions = requests.partitionsFor(ControlTopics.REQUESTS).size();
    }
    // The producer's default partitioner for keyed records.
    byte[] key = backfillId.getBytes(StandardCharsets.UTF_8);
    return new TopicPartition(ControlTopics.REQUESTS, Utils.toPositive(Utils.murmur2(key)) % requestPartitions);
  }

  private final class Ownership implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      owned.addAll(partitions);
      newlyAssigned.addAll(partitions);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      owned.removeAll(partitions);
      List<BackfillRun> leaving = new ArrayList<>();
      runs.forEach((id, run) -> {
        if (partitions.contains(requestPartition(id))) {
          leaving.add(run);
        }
      });
      stopRuns(leaving);
      leaving.forEach(run -> runs.remove(run.backfillId()));
    }
  }

  private void stopRuns(Collection<BackfillRun> leaving) {
    leaving.forEach(BackfillRun::stop);
    for (BackfillRun run : leaving) {
      try {
        if (!run.awaitFinished(CLIENT_TIMEOUT)) {
          log.warn("backfill '{}' did not stop within {}", run.backfillId(), CLIENT_TIMEOUT);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  /** Stops serving; running backfills commit where they are and resume on the next owner. */
  @Override
  public synchronized void close() {
    closed = true;
    if (loopThread != null) {
      requests.wakeup();
      try {
        loopThread.join(CLIENT_TIMEOUT.toMillis() * 2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    clientMetrics.forEach(KafkaClientObserver::closeQuietly);
    clientMetrics.clear();
    if (answers != null) {
      answers.close(Duration.ofSeconds(5));
    }
    statusStore.close();
    declarations.close();
    ticker.close();
    if (health != null) {
      health.close();
    }
    admin.close(Duration.ofSeconds(5));
    log.info("coordinator {} stopped", instanceId);
  }

  /** Configures a {@link ReplayCoordinator}; validates at {@link #build()}. */
  public static final class Builder {
    /** Default {@link #commitInterval}: status at least twice a second, small transactions. */
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(500);
    /** Default {@link #backfillRetention}: a week to consume and verify a backfill. */
    public static final Duration DEFAULT_BACKFILL_RETENTION = Duration.ofDays(7);
    /** Default {@link #sessionTimeout}: how long a dead instance keeps its backfills. */
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(10);

    private final Map<String, Object> clientConfig = new HashMap<>();
    private SchemaRegistryClient registry;
    private Set<String> allowedSourceTopics = Set.of();
    private Set<String> knownWorkflows = Set.of();
    private Clock clock = Clock.systemUTC();
    private String instanceId = "coordinator-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 4);
    private Duration commitInterval = DEFAULT_COMMIT_INTERVAL;
    private Duration backfillRetention = DEFAULT_BACKFILL_RETENTION;
    private Duration sessionTimeout = DEFAULT_SESSION_TIMEOUT;
    private Optional<Short> replicationFactor = Optional.empty();
    private int controlTopicPartitions = 6;
    private int maxPollRecords = 2000;
    private int replayThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private final Map<String, EventType> eventTypes = new java.util.LinkedHashMap<>();
    private String defaultEventType;
    private Set<String> protectedLiveGroups = Set.of();
    private long inFlightCap = 50_000;
    private double adaptiveMaxRate = 20_000;
    private long liveLagRecords = 10_000;
    private Duration liveLagTime = Duration.ofSeconds(30);
    private Duration throttleInterval = Duration.ofMillis(500);
    private KafkaClientObserver clientObserver = KafkaClientObserver.NONE;

    private Builder() {}

    /** Told of every Kafka client the coordinator and its backfills open: for client metrics. */
    public Builder clientObserver(KafkaClientObserver observer) {
      this.clientObserver = observer;
      return this;
    }

    /** {@code bootstrap.servers}; required. */
    public Builder bootstrapServers(String bootstrapServers) {
      clientConfig.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      return this;
    }

    /** Extra settings for every Kafka client (security, SASL/SSL), as Kafka's own tools take them. */
    public Builder kafkaProperties(Map<String, ?> properties) {
      clientConfig.putAll(properties);
      return this;
    }

    /** The schema registry; required. Not closed by the coordinator. */
    public Builder schemaRegistry(SchemaRegistryClient registry) {
      this.registry = registry;
      return this;
    }

    /** Source topics requests may replay; required, not empty. */
    public Builder allowedSourceTopics(Set<String> topics) {
      this.allowedSourceTopics = topics;
      return this;
    }

    /** Workflows requests may name. */
    public Builder knownWorkflows(Set<String> workflows) {
      this.knownWorkflows = workflows;
      return this;
    }

    /** Operational time (commit cadence, rate, ETA, "is 'to' in the future"); never event time. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public Builder instanceId(String instanceId) {
      this.instanceId = instanceId;
      return this;
    }

    /** How long a transaction collects records before committing them with a status. */
    public Builder commitInterval(Duration interval) {
      this.commitInterval = interval;
      return this;
    }

    /** Retention of {@code reprise.backfill.<id>} and its dead-letter topic. */
    public Builder backfillRetention(Duration retention) {
      this.backfillRetention = retention;
      return this;
    }

    /** Session timeout of the coordinator group: how soon a dead instance's backfills move. */
    public Builder sessionTimeout(Duration timeout) {
      this.sessionTimeout = timeout;
      return this;
    }

    /** Replication factor of the topics the coordinator creates; default: the broker's. */
    public Builder replicationFactor(short replicationFactor) {
      this.replicationFactor = Optional.of(replicationFactor);
      return this;
    }

    /** Partitions of the control topics, if the coordinator creates them; bounds how many instances share work. */
    public Builder controlTopicPartitions(int partitions) {
      this.controlTopicPartitions = partitions;
      return this;
    }

    /** Records per poll of the source. */
    public Builder maxPollRecords(int records) {
      this.maxPollRecords = records;
      return this;
    }

    /**
     * Threads per backfill that decode, upcast and encode (publishing stays on one thread, in
     * source order); default: the number of processors.
     */
    public Builder replayThreads(int threads) {
      this.replayThreads = threads;
      return this;
    }

    /**
     * An event type requests may name (its versions, upcasters, identity and filter attributes,
     * and their settings, such as a default tenant); repeat for several. Default: every installed
     * one ({@link EventTypes#all()}).
     */
    public Builder eventType(EventType type) {
      this.eventTypes.put(type.name(), type);
      return this;
    }

    /**
     * The event type of a request that names none (requests written before event types existed
     * name none); default: the only event type when there is one. With several and no default, a
     * request must name its type.
     */
    public Builder defaultEventType(String name) {
      this.defaultEventType = name;
      return this;
    }

    /**
     * Consumer groups of live traffic a backfill must not hurt: when one's lag passes {@link
     * #liveLagThreshold}, every adaptive backfill slows; at twice the threshold it holds. Setting
     * any makes every backfill adaptive, not only those naming workflows.
     */
    public Builder protectLiveGroups(Set<String> groups) {
      this.protectedLiveGroups = new java.util.TreeSet<>(groups);
      return this;
    }

    /** Lag of a protected live group beyond which backfills slow; default 10,000 records or 30 s. */
    public Builder liveLagThreshold(long records, Duration time) {
      this.liveLagRecords = records;
      this.liveLagTime = time;
      return this;
    }

    /**
     * Records a backfill may have published and its slowest named workflow not yet processed;
     * default 50,000. The rate slows from 80% of it, publishing holds at it.
     */
    public Builder inFlightCap(long records) {
      this.inFlightCap = records;
      return this;
    }

    /** The ceiling of an adaptive backfill whose request sets no maximum rate; default 20,000/s. */
    public Builder adaptiveMaxRate(double recordsPerSecond) {
      this.adaptiveMaxRate = recordsPerSecond;
      return this;
    }

    /** How often lag is measured and the rate decided; default 500 ms. */
    public Builder throttleInterval(Duration interval) {
      this.throttleInterval = interval;
      return this;
    }

    public ReplayCoordinator build() {
      List<String> problems = new ArrayList<>();
      if (!(clientConfig.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG) instanceof String servers) || servers.isBlank()) {
        problems.add("bootstrapServers is required");
      }
      if (registry == null) {
        problems.add("schemaRegistry is required");
      }
      if (allowedSourceTopics == null || allowedSourceTopics.isEmpty()) {
        problems.add("allowedSourceTopics must name at least one topic");
      }
      if (knownWorkflows == null) {
        problems.add("knownWorkflows must not be null");
      }
      if (clock == null) {
        problems.add("clock must not be null");
      }
      if (clientObserver == null) {
        problems.add("clientObserver must not be null (KafkaClientObserver.NONE observes nothing)");
      }
      if (instanceId == null || instanceId.isBlank()) {
        problems.add("instanceId must not be blank");
      }
      if (commitInterval == null || commitInterval.isNegative() || commitInterval.isZero()) {
        problems.add("commitInterval must be positive, was " + commitInterval);
      }
      if (backfillRetention == null || backfillRetention.isNegative() || backfillRetention.isZero()) {
        problems.add("backfillRetention must be positive, was " + backfillRetention);
      }
      if (sessionTimeout == null || sessionTimeout.toMillis() < 1000) {
        problems.add("sessionTimeout must be at least 1 s, was " + sessionTimeout);
      }
      if (controlTopicPartitions < 1) {
        problems.add("controlTopicPartitions must be at least 1, was " + controlTopicPartitions);
      }
      if (replayThreads < 1) {
        problems.add("replayThreads must be at least 1, was " + replayThreads);
      }
      if (maxPollRecords < 1) {
        problems.add("maxPollRecords must be at least 1, was " + maxPollRecords);
      }
      if (inFlightCap < 1) {
        problems.add("inFlightCap must be at least 1, was " + inFlightCap);
      }
      if (!(adaptiveMaxRate >= 10)) {
        problems.add("adaptiveMaxRate must be at least 10 records/s, was " + adaptiveMaxRate);
      }
      if (liveLagRecords < 0 || liveLagTime == null || liveLagTime.isNegative()) {
        problems.add("liveLagThreshold must not be negative");
      }
      if (throttleInterval == null || throttleInterval.toMillis() < 50) {
        problems.add("throttleInterval must be at least 50 ms, was " + throttleInterval);
      }
      if (protectedLiveGroups == null) {
        problems.add("protectLiveGroups must not be null");
      }
      if (eventTypes.isEmpty()) {
        try {
          eventTypes.putAll(EventTypes.all());
        } catch (IllegalStateException e) {
          problems.add("eventType: " + e.getMessage());
        }
        if (eventTypes.isEmpty()) {
          problems.add("eventType: none installed: add a plugin jar with META-INF/services/" + EventType.class.getName());
        }
      }
      if (defaultEventType != null && !eventTypes.containsKey(defaultEventType)) {
        problems.add("defaultEventType '" + defaultEventType + "' is not one of the event types " + eventTypes.keySet());
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException("invalid coordinator configuration: " + String.join("; ", problems));
      }
      return new ReplayCoordinator(this);
    }
  }
}
