package dev.reprise.coordinator;

import dev.reprise.backpressure.LagMonitor;
import dev.reprise.backpressure.WorkflowHealth;
import dev.reprise.coordinator.internal.Auditor;
import dev.reprise.coordinator.internal.BackfillRun;
import dev.reprise.coordinator.internal.Backpressure;
import dev.reprise.coordinator.internal.MetadataWarmUp;
import dev.reprise.coordinator.internal.PolicySource;
import dev.reprise.coordinator.internal.DeadLetterRetry;
import dev.reprise.coordinator.internal.RunContext;
import dev.reprise.coordinator.internal.StatusSamples;
import dev.reprise.coordinator.internal.ThrottleTicker;
import dev.reprise.core.KafkaClientObserver;
import dev.reprise.core.RepriseRetriableException;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.BackfillThrottle;
import dev.reprise.protocol.ControlCodec;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.protocol.CoordinatorAnnouncements;
import dev.reprise.protocol.DeadLetterRedriver;
import dev.reprise.protocol.EventTypeChoice;
import dev.reprise.protocol.ReplayCommand;
import dev.reprise.protocol.WorkflowDeclarations;
import dev.reprise.protocol.internal.StatusStore;
import dev.reprise.protocol.internal.Topics;
import dev.reprise.registry.SchemaRegistryClient;
import dev.reprise.registry.SchemaRegistryUnavailableException;
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
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * <p><b>Who asks.</b> Teams send commands to their own topics ({@link ControlTopics#teamRequests});
 * every instance reads them all and forwards each to {@link ControlTopics#REQUESTS} with the team
 * as its requester, so the owner of the backfill decides. With an {@link AccessPolicy} ({@link
 * ReplayCoordinatorBuilder#accessPolicyFile}) every command is checked against its team's rules.
 * Every decision and every state a backfill enters goes to {@link ControlTopics#AUDIT}. Statuses
 * are output only: a run resumed or adopted from one is checked again, and verification is a
 * command the coordinator records.
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
  private final Set<String> knownWorkflows;
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
  private final Optional<PolicySource> policy;
  private final Auditor audit;
  private final List<AutoCloseable> clientMetrics = new ArrayList<>();
  private volatile WorkflowHealth.View health;
  private final Map<String, BackfillRun> runs = new ConcurrentHashMap<>();
  private final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
  private final Set<TopicPartition> newlyAssigned = ConcurrentHashMap.newKeySet();
  private final CountDownLatch joined = new CountDownLatch(1);
  private KafkaProducer<byte[], byte[]> answers;
  private KafkaConsumer<String, byte[]> requests;
  private Thread loopThread;
  private volatile boolean closed;
  private int requestPartitions;

  ReplayCoordinator(ReplayCoordinatorBuilder builder) {
    this.clientConfig = Map.copyOf(builder.clientConfig);
    this.registry = builder.registry;
    this.allowedSourceTopics = Set.copyOf(builder.allowedSourceTopics);
    this.clock = builder.clock;
    // Reads reprise.workflows lazily, on the first request that names a workflow.
    this.declarations = WorkflowDeclarations.reader(clientConfig, registry);
    this.eventTypes = new EventTypeChoice(builder.eventTypes, builder.defaultEventType);
    this.knownWorkflows = Set.copyOf(builder.knownWorkflows);
    this.validator = new BackfillRequestValidator(builder.allowedSourceTopics, builder.knownWorkflows, declarations,
        eventTypes, clock);
    this.instanceId = builder.instanceId;
    this.controlTopicPartitions = builder.controlTopicPartitions;
    this.replicationFactor = builder.replicationFactor;
    this.sessionTimeout = builder.sessionTimeout;
    this.admin = Admin.create(clientConfig);
    this.codec = new ControlCodec(registry);
    this.statusStore = new StatusStore(clientConfig, admin, codec);
    this.policy = Optional.ofNullable(builder.policySource);
    this.audit = new Auditor(clientConfig, codec, clock, instanceId);
    // The health view is opened by start(): building a coordinator touches no server.
    this.ticker = new ThrottleTicker(LagMonitor.create(clientConfig, clock, Duration.ofSeconds(10),
        group -> health != null && health.test(group)), List.copyOf(builder.protectedLiveGroups), builder.throttleInterval);
    this.runContext = new RunContext(clientConfig, admin, registry, codec, statusStore, clock, instanceId,
        builder.commitInterval, builder.backfillRetention, replicationFactor, builder.maxPollRecords,
        builder.replayThreads, eventTypes, new Backpressure(ticker, builder.inFlightCap, builder.adaptiveMaxRate, builder.liveLagRecords,
            builder.liveLagTime), builder.clientObserver, audit,
        new StatusSamples(Optional.ofNullable(builder.sampleFields)), builder.readableProvenance);
    this.clientObserver = builder.clientObserver;
    this.protectedLiveGroups = Set.copyOf(builder.protectedLiveGroups);
  }

  public static ReplayCoordinatorBuilder builder() {
    return new ReplayCoordinatorBuilder();
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
    CoordinatorAnnouncements.publish(clientConfig, registry, new CoordinatorAnnouncements.Announcement(instanceId,
        List.copyOf(new TreeSet<>(allowedSourceTopics)), List.copyOf(new TreeSet<>(eventTypes.names())),
        eventTypes.defaultName(), List.copyOf(new TreeSet<>(knownWorkflows)), clock.instant()));
    policy.ifPresent(p -> ensureTeamTopics(p.current()));
    clientMetrics.add(audit.open(clientObserver));
    policy.ifPresent(p -> audit.policy("LOADED", p.origin() + ": teams " + new TreeSet<>(p.current().teams())));
    health = WorkflowHealth.view(clientConfig);
    Map<String, Object> producerConfig = new HashMap<>(clientConfig);
    producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
    producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producerConfig.put(ProducerConfig.CLIENT_ID_CONFIG, "reprise-coordinator-answers-" + instanceId);
    answers = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
    MetadataWarmUp.of(answers, ControlTopics.STATUS);
    clientMetrics.add(clientObserver.opened(answers));
    Map<String, Object> consumerConfig = new HashMap<>(clientConfig);
    consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, ControlTopics.COORDINATOR_GROUP);
    consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumerConfig.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis());
    consumerConfig.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(500, sessionTimeout.toMillis() / 5));
    consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, "reprise-coordinator-" + instanceId);
    // The request topics are a pattern (each team has one): find a new team's topic within seconds.
    consumerConfig.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 5_000);
    // Incremental rebalancing: when an instance joins or leaves, only the backfills that move stop.
    consumerConfig.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        org.apache.kafka.clients.consumer.CooperativeStickyAssignor.class.getName());
    requests = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer());
    clientMetrics.add(clientObserver.opened(requests));
    loopThread = new Thread(this::serve, "reprise-coordinator-" + instanceId);
    loopThread.start();
    log.info("coordinator {} started; allowlist {}; {}", instanceId, allowedSourceTopics,
        policy.map(p -> "access policy " + p.origin() + " (teams " + p.current().teams() + ")")
            .orElse("no access policy (every command is carried out for whoever sent it)"));
    return this;
  }

  /**
   * Waits until this instance has joined the coordinators' consumer group (its first assignment,
   * which may be empty when other instances own every request partition): from then on a request
   * is read as soon as it is written. Before it, a request waits for the join (a second or two
   * after {@link #start()}).
   *
   * <pre>{@code
   * var coordinator = ReplayCoordinator.builder()...build().start();
   * if (!coordinator.awaitJoined(Duration.ofSeconds(30))) { ... }   // broker unreachable?
   * }</pre>
   *
   * @return false if it has not joined within {@code timeout}
   */
  public boolean awaitJoined(Duration timeout) throws InterruptedException {
    return joined.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

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
    requests.subscribe(ControlTopics.REQUEST_TOPICS, new Ownership());
    int failures = 0;
    while (!closed) {
      try {
        reloadPolicy();
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
            if (record.topic().equals(ControlTopics.REQUESTS)) {
              handle(record);
            } else {
              forward(record);
            }
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

  /**
   * Passes a command read on a team's topic to {@link ControlTopics#REQUESTS}, keyed as it was,
   * with the team as its requester: the topic is what establishes who sent it, and the owner of
   * the backfill's request partition decides. Forwarding is at least once, in order per key; a
   * command forwarded twice is decided twice, with the same outcome (a repeated START runs once).
   */
  private void forward(ConsumerRecord<String, byte[]> record) {
    String where = record.topic() + "-" + record.partition() + "@" + record.offset();
    ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(ControlTopics.REQUESTS,
        record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8), record.value());
    ControlTopics.teamOf(record.topic()).ifPresent(team ->
        out.headers().add(ControlTopics.REQUESTER_HEADER, team.getBytes(StandardCharsets.UTF_8)));
    out.headers().add(ControlTopics.RECEIVED_ON_HEADER, where.getBytes(StandardCharsets.UTF_8));
    try {
      answers.send(out).get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RepriseRetriableException("interrupted while forwarding " + where, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new RepriseRetriableException("cannot forward " + where + " to " + ControlTopics.REQUESTS + ": " + e, e);
    }
  }

  /** A command being decided: what the audit trail says about it. */
  private record Received(String backfillId, String command, Optional<String> requester, Optional<String> requestedBy,
      String source) {}

  private void handle(ConsumerRecord<String, byte[]> record) {
    String key = record.key();
    String where = record.topic() + "-" + record.partition() + "@" + record.offset();
    // Only a coordinator forwarding from a team's topic sets these (only coordinators may write
    // this topic where a policy is in force); without a policy nobody is established anyway.
    Optional<String> requester = header(record, ControlTopics.REQUESTER_HEADER);
    String source = header(record, ControlTopics.RECEIVED_ON_HEADER).orElse(where);
    if (record.value() == null) {
      log.warn("ignoring an empty request at {} (key {})", source, key);
      return;
    }
    ReplayCommand command;
    try {
      command = codec.decodeCommand(record.value()).withRequester(requester);
    } catch (SchemaRegistryUnavailableException e) {
      throw e;
    } catch (RuntimeException e) {
      String reason = "request at " + source + " is not a readable ReplayRequest: " + e.getMessage();
      audit.command(key, "UNREADABLE", requester, Optional.empty(), "REFUSED", Optional.of(reason), source);
      if (key == null) {
        log.warn("ignoring an unreadable request without key at {}: {}", source, e.toString());
      } else {
        refuse(key, reason);
      }
      return;
    }
    String id = command.backfillId();
    Received received = new Received(key == null ? id : key, command.type().name(), requester, command.requestedBy(),
        source);
    if (!id.equals(key)) {
      refuse(received, command.type() + " refused: requests must be keyed by their backfillId, but key "
          + (key == null ? "is missing" : "'" + key + "'") + " and backfillId is '" + id + "'");
      return;
    }
    log.info("coordinator {}: {} for '{}' by {} ({})", instanceId, command.type(), id,
        requester.orElse("(not established)"), source);
    if (command.type() != ReplayCommand.Type.START && policy.isPresent()) {
      Optional<BackfillRequest> known = knownRequest(id);
      Optional<String> problem = known.flatMap(request ->
          policy.get().current().commandProblem(requester, command, request.requester()));
      if (problem.isPresent()) {
        refuse(received, command.type() + " refused: " + problem.get());
        return;
      }
    }
    switch (command.type()) {
      case START -> start(received, command.request().orElseThrow());
      case PAUSE, RESUME, CANCEL -> control(received, command.type());
      case THROTTLE -> throttle(received, command.maxRecordsPerSecond());
      case VERIFY -> verify(received, command.verification().orElseThrow());
      case RETRY -> {
        if (command.retryWorkflow().isPresent()) {
          retryWorkflow(received, command.retryWorkflow().get(), command.retryItems());
        } else {
          retry(received, command.retryItems());
        }
      }
    }
  }

  private static Optional<String> header(ConsumerRecord<?, ?> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null || header.value() == null ? Optional.empty()
        : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
  }

  private void accepted(Received received) {
    decided(received, "ACCEPTED", Optional.empty());
  }

  /** Writes the decision about a command to the audit trail, before it is acted upon. */
  private void decided(Received received, String decision, Optional<String> reason) {
    audit.command(received.backfillId(), received.command(), received.requester(), received.requestedBy(), decision,
        reason, received.source());
  }

  private void start(Received received, BackfillRequest asked) {
    // A request that names no event type is of the default one, and says so from here on (in its
    // status, to the verifier and to a repeated START), so that adding a plugin later changes nothing.
    BackfillRequest request = eventTypes.named(asked);
    String id = request.backfillId();
    Optional<BackfillRequest> known = knownRequest(id);
    if (known.isPresent()) {
      if (known.get().equals(request)) {
        log.info("duplicate START for '{}' ignored: the same request runs once", id);
        decided(received, "DUPLICATE", Optional.of("the same request as the known backfill: it runs once"));
      } else if (executesPreview(known.get(), request)) {
        executePreview(received, request);
      } else {
        refuse(received, "START refused: backfill '" + id + "' already exists with a different request (differs in: "
            + String.join(", ", differences(known.get(), request)) + ")");
      }
      return;
    }
    List<String> problems = new ArrayList<>(validator.problems(request));
    policy.ifPresent(p -> problems.addAll(p.current().startProblems(request.requester(), request)));
    collidingBackfill(id).ifPresent(other -> problems.add("backfillId '" + id + "' collides with backfill '" + other
        + "': Kafka treats '.' and '_' in topic names as the same, so their topics ("
        + ControlTopics.backfillTopic(id) + ") cannot both exist; choose another id"));
    if (problems.isEmpty()) {
      sourceTopicProblem(request.sourceTopic()).ifPresent(problems::add);
    }
    if (!problems.isEmpty()) {
      log.info("rejecting backfill '{}': {}", id, problems);
      decided(received, "REFUSED", Optional.of(String.join("; ", problems)));
      publish(BackfillStatus.of(id, BackfillState.REJECTED, Optional.of(String.join("; ", problems)),
          Optional.of(request), Optional.of(instanceId), clock.instant()));
      return;
    }
    accepted(received);
    BackfillStatus accepted = BackfillStatus.of(id, BackfillState.ACCEPTED, Optional.empty(), Optional.of(request),
        Optional.of(instanceId), clock.instant());
    publish(accepted);
    audit.transition(id, Optional.empty(), BackfillState.ACCEPTED, Optional.empty());
    launch(accepted);
  }

  /**
   * Whether {@code request} asks to EXECUTE the PREVIEW {@code known}: the same request but for
   * its mode, who asks and why (a reviewer previews, an operator executes).
   */
  private static boolean executesPreview(BackfillRequest known, BackfillRequest request) {
    return known.mode() == BackfillRequest.Mode.PREVIEW && request.mode() == BackfillRequest.Mode.EXECUTE
        && Set.of("mode", "requestedBy", "reason").containsAll(differences(known, request));
  }

  /**
   * Runs a completed PREVIEW as an EXECUTE on the preview's own plan (its offsets, not a new
   * snapshot), so what runs is what was previewed — the same counts, the same would-be effects. The
   * request is checked as a new START would be (access policy included); a preview still scanning,
   * or of a handover (whose plan is its workflows' live positions at the time it runs), cannot be.
   */
  private void executePreview(Received received, BackfillRequest request) {
    String id = request.backfillId();
    statusStore.catchUp(CLIENT_TIMEOUT);
    BackfillStatus preview = statusStore.latest(id).orElseThrow();
    List<String> problems = new ArrayList<>();
    if (preview.state() != BackfillState.COMPLETED) {
      problems.add("its PREVIEW is " + preview.state() + "; only a completed PREVIEW can be executed");
    } else if (!previewRunEnded(id)) {
      problems.add("its PREVIEW's run has not ended within " + CLIENT_TIMEOUT.toSeconds() + " s; send it again");
    }
    if (request.isHandover()) {
      problems.add("a handover's plan is its workflows' live positions when it runs: START a new one instead");
    }
    problems.addAll(validator.problems(request));
    policy.ifPresent(p -> problems.addAll(p.current().startProblems(request.requester(), request)));
    if (problems.isEmpty()) {
      sourceTopicProblem(request.sourceTopic()).ifPresent(problems::add);
    }
    if (!problems.isEmpty()) {
      refuse(received, "EXECUTE of PREVIEW '" + id + "' refused: " + String.join("; ", problems));
      return;
    }
    accepted(received);
    BackfillStatus accepted = preview.executing(request, instanceId, clock.instant());
    log.info("backfill '{}': EXECUTE of its PREVIEW, on the preview's plan {}", id, accepted.partitions());
    publish(accepted);
    audit.transition(id, Optional.of(preview.state()), BackfillState.ACCEPTED, Optional.of("EXECUTE of the PREVIEW"));
    launch(accepted);
  }

  /**
   * Whether the PREVIEW's run here, if any, has ended. Its COMPLETED status is committed before its
   * thread closes its clients; the EXECUTE's run reuses the backfill's transactional id, so it
   * waits those moments rather than fence a producer that is closing.
   */
  private boolean previewRunEnded(String id) {
    BackfillRun run = runs.get(id);
    try {
      return run == null || run.awaitFinished(CLIENT_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Records a verifier's outcome: coordinators are the only writers of statuses. */
  private void verify(Received received, ReplayCommand.Verification verification) {
    String id = received.backfillId();
    statusStore.catchUp(CLIENT_TIMEOUT);
    Optional<BackfillStatus> status = statusStore.latest(id);
    if (status.isEmpty() || status.get().state() == BackfillState.REJECTED) {
      refuse(received, "VERIFY refused: there is no backfill '" + id + "'");
    } else if (!status.get().state().canBeVerified()) {
      refuse(received, "VERIFY refused: backfill '" + id + "' is " + status.get().state()
          + "; only a COMPLETED backfill can be verified");
    } else if (status.get().request().map(r -> r.mode() == BackfillRequest.Mode.PREVIEW).orElse(true)) {
      refuse(received, "VERIFY refused: backfill '" + id + "' is a PREVIEW: it published nothing to verify");
    } else {
      accepted(received);
      publish(status.get().withVerification(verification.failures(), verification.failedDays(), clock.instant()));
      audit.transition(id, Optional.of(status.get().state()), verification.verdict(), verification.failures());
    }
  }

  /**
   * Replays a completed backfill's dead letters again ({@link DeadLetterRetry}), here on the loop:
   * dead letters are few, and the next command for this backfill must see the outcome. A running
   * backfill has none to retry yet (a FAILED one is started anew once fixed).
   */
  private void retry(Received received, List<String> items) {
    String id = received.backfillId();
    statusStore.catchUp(CLIENT_TIMEOUT);
    Optional<BackfillStatus> status = statusStore.latest(id);
    if (status.isEmpty() || status.get().state() == BackfillState.REJECTED) {
      refuse(received, "RETRY refused: there is no backfill '" + id + "'");
      return;
    }
    Optional<String> refusal = DeadLetterRetry.refusal(status.get());
    if (refusal.isPresent()) {
      refuse(received, "RETRY refused: " + refusal.get());
      return;
    }
    DeadLetterRetry.Outcome outcome = DeadLetterRetry.run(runContext, status.get(), items);
    if (outcome.status().isEmpty()) {
      refuse(received, "RETRY refused: " + outcome.summary()
          + (outcome.problems().isEmpty() ? "" : " (" + String.join("; ", outcome.problems()) + ")"));
      return;
    }
    accepted(received);
    log.info("coordinator {}: backfill '{}': {}", instanceId, id, outcome.summary());
    audit.transition(id, Optional.of(status.get().state()), BackfillState.COMPLETED, Optional.of(outcome.summary()));
  }

  /**
   * Sends a workflow's dead letters of this backfill back through its redrive topic and dedup: here,
   * so that who asked is checked (as for any command of the backfill) and in the audit trail, with
   * what was sent. The workflow handles them as any record: nothing runs twice.
   */
  private void retryWorkflow(Received received, String workflow, List<String> items) {
    String id = received.backfillId();
    statusStore.catchUp(CLIENT_TIMEOUT);
    Optional<BackfillRequest> request = statusStore.latest(id).flatMap(BackfillStatus::request);
    if (request.isEmpty()) {
      refuse(received, "RETRY refused: there is no backfill '" + id + "'");
      return;
    }
    if (!request.get().workflows().contains(workflow)) {
      refuse(received, "RETRY refused: backfill '" + id + "' names no workflow '" + workflow + "' (it names "
          + request.get().workflows() + ")");
      return;
    }
    List<String> sent;
    try (var redriver = DeadLetterRedriver.create(clientConfig, workflow)) {
      // Only this backfill's: a command of one backfill retries nothing of another's.
      Set<String> asked = Set.copyOf(items);
      Set<String> ours = new HashSet<>();
      redriver.deadLetters().stream().filter(d -> d.backfillId().filter(id::equals).isPresent())
          .forEach(d -> ours.add(d.coordinates()));
      List<String> foreign = items.stream().filter(item -> !ours.contains(item)).toList();
      if (!foreign.isEmpty()) {
        refuse(received, "RETRY refused: backfill '" + id + "' has no dead letter " + foreign + " in workflow '"
            + workflow + "'");
        return;
      }
      sent = redriver.retry(d -> ours.contains(d.coordinates()) && (asked.isEmpty() || asked.contains(d.coordinates())))
          .stream().map(DeadLetterRedriver.DeadLetter::coordinates).toList();
    } catch (IllegalArgumentException e) {
      refuse(received, "RETRY refused: " + e.getMessage());
      return;
    }
    String what = sent.size() + " dead letter(s) of workflow '" + workflow + "' sent back through "
        + ControlTopics.workflowRedriveTopic(workflow) + ": " + sent;
    decided(received, "ACCEPTED", Optional.of(what));
    log.info("coordinator {}: backfill '{}': {}", instanceId, id, what);
  }

  private void throttle(Received received, OptionalDouble maxRecordsPerSecond) {
    String id = received.backfillId();
    BackfillRun run = runs.get(id);
    if (run != null && !run.isFinished()) {
      accepted(received);
      run.throttle(maxRecordsPerSecond);
    } else {
      refuse(received, "THROTTLE refused: backfill '" + id + "' is not running on this coordinator"
          + statusStore.latest(id).map(s -> " (it is " + s.state() + ")").orElse(" (there is no such backfill)"));
    }
  }

  private void control(Received received, ReplayCommand.Type type) {
    String id = received.backfillId();
    BackfillRun run = runs.get(id);
    if (run != null && !run.isFinished()) {
      // Handed to the run: the state it enters is a TRANSITION entry, or its status says why not.
      accepted(received);
      run.command(type);
      return;
    }
    Optional<BackfillStatus> status = statusStore.latest(id);
    if (status.isEmpty() || status.get().state() == BackfillState.REJECTED) {
      refuse(received, type + " refused: there is no backfill '" + id + "'");
    } else if (status.get().state().isTerminal()) {
      refuse(received, type + " refused: backfill '" + id + "' is " + status.get().state() + " and cannot change any more");
    } else {
      // Unfinished but not running here: it is ours (its request partition is), so run it.
      Optional<String> refused = whyNotRun(status.get());
      if (refused.isPresent()) {
        decided(received, "REFUSED", refused);
        notRun(status.get(), refused.get());
      } else {
        accepted(received);
        launch(status.get()).command(type);
      }
    }
  }

  /** Refuses a command, in the audit trail and in the backfill's status (see {@link #refuse(String, String)}). */
  private void refuse(Received received, String reason) {
    decided(received, "REFUSED", Optional.of(reason));
    refuse(received.backfillId(), reason);
  }

  /**
   * Answers a command that cannot be carried out. A backfill that exists keeps its state and
   * shows the refusal in {@code rejectedCommand}; otherwise the id gets a REJECTED status.
   */
  private void refuse(String id, String reason) {
    log.info("coordinator {}: {}", instanceId, reason);
    BackfillRun run = runs.get(id);
    if (run != null && !run.isFinished() && !run.state().isTerminal()) {
      run.note(reason);
      return;
    }
    // A run that just ended may have committed its last status after this batch was read.
    statusStore.catchUp(CLIENT_TIMEOUT);
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

  /** Another backfill whose topics' names Kafka would take for this one's ('.' and '_' collide). */
  private Optional<String> collidingBackfill(String id) {
    String key = id.replace('.', '_');
    // The runs too: one accepted in the same batch of requests is not in the store yet.
    return java.util.stream.Stream.concat(runs.keySet().stream(), statusStore.all().values().stream()
            .filter(status -> status.state() != BackfillState.REJECTED).map(BackfillStatus::backfillId))
        .filter(other -> !other.equals(id) && other.replace('.', '_').equals(key))
        .findFirst();
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

  /**
   * Runs a backfill known only from its status (resumed, or adopted from another instance),
   * unless that status could not have come from a request this coordinator accepts: the status
   * topic is not the requests', and whoever may write it could otherwise have any topic replayed.
   * Such a status is answered with FAILED, naming why, and nothing is read.
   */
  private void launchChecked(BackfillStatus status) {
    whyNotRun(status).ifPresentOrElse(reason -> notRun(status, reason), () -> launch(status));
  }

  /** Answers a backfill that must not run with FAILED, naming why; nothing is read. */
  private void notRun(BackfillStatus status, String reason) {
    log.warn("coordinator {}: backfill '{}' {}", instanceId, status.backfillId(), reason);
    publish(BackfillStatus.of(status.backfillId(), BackfillState.FAILED, Optional.of(reason), status.request(),
        Optional.of(instanceId), clock.instant()));
    audit.transition(status.backfillId(), Optional.of(status.state()), BackfillState.FAILED, Optional.of(reason));
  }

  /** Why a backfill known only from its status must not run: its request is refused today. */
  private Optional<String> whyNotRun(BackfillStatus status) {
    BackfillRequest request = status.request().orElseThrow();
    List<String> problems = new ArrayList<>(validator.sourceProblems(request));
    policy.ifPresent(p -> problems.addAll(p.current().startProblems(request.requester(), request)));
    if (!status.backfillId().equals(request.backfillId())) {
      problems.add("its request is for backfill '" + request.backfillId() + "'");
    }
    return problems.isEmpty() ? Optional.empty() : Optional.of("not run: its status names a request this coordinator"
        + " refuses (" + String.join("; ", problems) + "); statuses come from reprise.status, which is not where"
        + " requests are accepted");
  }

  private BackfillRun launch(BackfillStatus status) {
    BackfillRun run = new BackfillRun(runContext, status);
    runs.put(status.backfillId(), run);
    Thread thread = new Thread(run, "reprise-backfill-" + status.backfillId());
    thread.start();
    return run;
  }

  private void ensureTeamTopics(AccessPolicy current) {
    current.teams().forEach(team -> Topics.ensureTeamTopic(admin, team, controlTopicPartitions, replicationFactor));
  }

  private void reloadPolicy() {
    if (policy.isEmpty()) {
      return;
    }
    try {
      policy.get().reloadIfChanged(clock).ifPresent(next -> {
        ensureTeamTopics(next);
        log.info("coordinator {}: access policy {} reloaded (teams {})", instanceId, policy.get().origin(), next.teams());
        audit.policy("LOADED", policy.get().origin() + ": teams " + new TreeSet<>(next.teams()));
      });
    } catch (AccessPolicy.InvalidPolicyException e) {
      log.error("coordinator {}: {}; the policy in force stays", instanceId, e.getMessage());
      audit.policy("REFUSED", e.getMessage() + "; the policy in force stays");
    }
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
        launchChecked(status);
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
      joined.countDown();
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
    if (loopThread != null) {
      try {
        CoordinatorAnnouncements.withdraw(clientConfig, instanceId);
      } catch (RuntimeException e) {
        log.info("coordinator {}: could not withdraw its announcement ({}); it stays until overwritten", instanceId,
            e.getMessage());
      }
    }
    clientMetrics.forEach(KafkaClientObserver::closeQuietly);
    clientMetrics.clear();
    if (answers != null) {
      answers.close(Duration.ofSeconds(5));
    }
    audit.close();
    statusStore.close();
    declarations.close();
    ticker.close();
    if (health != null) {
      health.close();
    }
    admin.close(Duration.ofSeconds(5));
    log.info("coordinator {} stopped", instanceId);
  }
}
