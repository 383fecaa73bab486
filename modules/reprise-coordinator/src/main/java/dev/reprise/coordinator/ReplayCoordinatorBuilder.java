package dev.reprise.coordinator;

import dev.reprise.coordinator.internal.PolicySource;
import dev.reprise.core.KafkaClientObserver;
import dev.reprise.registry.SchemaRegistryClient;
import dev.reprise.spi.EventType;
import dev.reprise.spi.EventTypes;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * Configures a {@link ReplayCoordinator}; validates at {@link #build()}, naming every wrong
 * property at once.
 *
 * <pre>{@code
 * ReplayCoordinator coordinator = ReplayCoordinator.builder()
 *     .bootstrapServers("localhost:9092").schemaRegistry(registry)
 *     .allowedSourceTopics(Set.of("submissions"))
 *     .build().start();
 * }</pre>
 */
public final class ReplayCoordinatorBuilder {

  /** Default {@link #commitInterval}: status at least twice a second, small transactions. */
  public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(500);
  /** Default {@link #backfillRetention}: a week to consume and verify a backfill. */
  public static final Duration DEFAULT_BACKFILL_RETENTION = Duration.ofDays(7);
  /** Default {@link #sessionTimeout}: how long a dead instance keeps its backfills. */
  public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(10);

  final Map<String, Object> clientConfig = new HashMap<>();
  SchemaRegistryClient registry;
  Set<String> allowedSourceTopics = Set.of();
  Set<String> knownWorkflows = Set.of();
  Clock clock = Clock.systemUTC();
  String instanceId = "coordinator-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 4);
  Duration commitInterval = DEFAULT_COMMIT_INTERVAL;
  Duration backfillRetention = DEFAULT_BACKFILL_RETENTION;
  Duration sessionTimeout = DEFAULT_SESSION_TIMEOUT;
  Optional<Short> replicationFactor = Optional.empty();
  int controlTopicPartitions = 6;
  int maxPollRecords = 2000;
  int replayThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
  final Map<String, EventType> eventTypes = new java.util.LinkedHashMap<>();
  String defaultEventType;
  Set<String> protectedLiveGroups = Set.of();
  long inFlightCap = 50_000;
  double adaptiveMaxRate = 20_000;
  long liveLagRecords = 10_000;
  Duration liveLagTime = Duration.ofSeconds(30);
  Duration throttleInterval = Duration.ofMillis(500);
  KafkaClientObserver clientObserver = KafkaClientObserver.NONE;
  AccessPolicy accessPolicy;
  Set<String> sampleFields;
  boolean readableProvenance;
  Path accessPolicyFile;
  PolicySource policySource;

  ReplayCoordinatorBuilder() {}

  /**
   * Which top-level fields of matched records the statuses' samples (before and after upcasting)
   * show: everyone who may read {@code reprise.status} reads them. Default: all fields; an empty
   * set: no samples.
   */
  public ReplayCoordinatorBuilder sampleFields(Set<String> fields) {
    this.sampleFields = Set.copyOf(fields);
    return this;
  }

  /**
   * Also writes the readable provenance headers of {@link dev.reprise.protocol.ReplayHeaders}
   * (UTF-8 strings: backfill id, source topic, partition, offset, schema version, event date) on
   * every replayed record, beside the compact {@link dev.reprise.protocol.Provenance} header that
   * is always written. For consumers that can only show strings (kcat, the console consumer); it
   * costs about 170 bytes and a sixth of the replay's throughput per record. Default: off.
   *
   * <p>A coordinator-wide setting rather than a request's: it is part of the contract between this
   * deployment and whoever reads its backfill topics, not a choice one backfill makes.
   */
  public ReplayCoordinatorBuilder readableProvenance(boolean readable) {
    this.readableProvenance = readable;
    return this;
  }

  /**
   * Enforces {@code policy}: every command must come through a team's request topic ({@link
   * dev.reprise.protocol.ControlTopics#teamRequests}) and be allowed for that team. Without a
   * policy (the default) every command is carried out for whoever sent it, within the allowlist.
   */
  public ReplayCoordinatorBuilder accessPolicy(AccessPolicy policy) {
    this.accessPolicy = policy;
    return this;
  }

  /**
   * Like {@link #accessPolicy}, read from {@code file} at {@link #build()} and read again whenever
   * it changes (a changed file that is not valid is refused, and the policy in force stays).
   */
  public ReplayCoordinatorBuilder accessPolicyFile(Path file) {
    this.accessPolicyFile = file;
    return this;
  }

  /** Told of every Kafka client the coordinator and its backfills open: for client metrics. */
  public ReplayCoordinatorBuilder clientObserver(KafkaClientObserver observer) {
    this.clientObserver = observer;
    return this;
  }

  /** {@code bootstrap.servers}; required. */
  public ReplayCoordinatorBuilder bootstrapServers(String bootstrapServers) {
    clientConfig.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return this;
  }

  /** Extra settings for every Kafka client (security, SASL/SSL), as Kafka's own tools take them. */
  public ReplayCoordinatorBuilder kafkaProperties(Map<String, ?> properties) {
    clientConfig.putAll(properties);
    return this;
  }

  /** The schema registry; required. Not closed by the coordinator. */
  public ReplayCoordinatorBuilder schemaRegistry(SchemaRegistryClient registry) {
    this.registry = registry;
    return this;
  }

  /** Source topics requests may replay; required, not empty. */
  public ReplayCoordinatorBuilder allowedSourceTopics(Set<String> topics) {
    this.allowedSourceTopics = topics;
    return this;
  }

  /** Workflows requests may name. */
  public ReplayCoordinatorBuilder knownWorkflows(Set<String> workflows) {
    this.knownWorkflows = workflows;
    return this;
  }

  /** Operational time (commit cadence, rate, ETA, "is 'to' in the future"); never event time. */
  public ReplayCoordinatorBuilder clock(Clock clock) {
    this.clock = clock;
    return this;
  }

  public ReplayCoordinatorBuilder instanceId(String instanceId) {
    this.instanceId = instanceId;
    return this;
  }

  /** How long a transaction collects records before committing them with a status. */
  public ReplayCoordinatorBuilder commitInterval(Duration interval) {
    this.commitInterval = interval;
    return this;
  }

  /** Retention of {@code reprise.backfill.<id>} and its dead-letter topic. */
  public ReplayCoordinatorBuilder backfillRetention(Duration retention) {
    this.backfillRetention = retention;
    return this;
  }

  /** Session timeout of the coordinator group: how soon a dead instance's backfills move. */
  public ReplayCoordinatorBuilder sessionTimeout(Duration timeout) {
    this.sessionTimeout = timeout;
    return this;
  }

  /** Replication factor of the topics the coordinator creates; default: the broker's. */
  public ReplayCoordinatorBuilder replicationFactor(short replicationFactor) {
    this.replicationFactor = Optional.of(replicationFactor);
    return this;
  }

  /** Partitions of the control topics, if the coordinator creates them; bounds how many instances share work. */
  public ReplayCoordinatorBuilder controlTopicPartitions(int partitions) {
    this.controlTopicPartitions = partitions;
    return this;
  }

  /** Records per poll of the source. */
  public ReplayCoordinatorBuilder maxPollRecords(int records) {
    this.maxPollRecords = records;
    return this;
  }

  /**
   * Threads per backfill that decode, upcast and encode (publishing stays on one thread, in
   * source order); default: the number of processors.
   */
  public ReplayCoordinatorBuilder replayThreads(int threads) {
    this.replayThreads = threads;
    return this;
  }

  /**
   * An event type requests may name (its versions, upcasters, identity and filter attributes,
   * and their settings, such as a default tenant); repeat for several. Default: every installed
   * one ({@link EventTypes#all()}).
   */
  public ReplayCoordinatorBuilder eventType(EventType type) {
    this.eventTypes.put(type.name(), type);
    return this;
  }

  /**
   * The event type of a request that names none (requests written before event types existed
   * name none); default: the only event type when there is one. With several and no default, a
   * request must name its type.
   */
  public ReplayCoordinatorBuilder defaultEventType(String name) {
    this.defaultEventType = name;
    return this;
  }

  /**
   * Consumer groups of live traffic a backfill must not hurt: when one's lag passes {@link
   * #liveLagThreshold}, every adaptive backfill slows; at twice the threshold it holds. Setting
   * any makes every backfill adaptive, not only those naming workflows.
   */
  public ReplayCoordinatorBuilder protectLiveGroups(Set<String> groups) {
    this.protectedLiveGroups = new java.util.TreeSet<>(groups);
    return this;
  }

  /** Lag of a protected live group beyond which backfills slow; default 10,000 records or 30 s. */
  public ReplayCoordinatorBuilder liveLagThreshold(long records, Duration time) {
    this.liveLagRecords = records;
    this.liveLagTime = time;
    return this;
  }

  /**
   * Records a backfill may have published and its slowest named workflow not yet processed;
   * default 50,000. The rate slows from 80% of it, publishing holds at it.
   */
  public ReplayCoordinatorBuilder inFlightCap(long records) {
    this.inFlightCap = records;
    return this;
  }

  /** The ceiling of an adaptive backfill whose request sets no maximum rate; default 20,000/s. */
  public ReplayCoordinatorBuilder adaptiveMaxRate(double recordsPerSecond) {
    this.adaptiveMaxRate = recordsPerSecond;
    return this;
  }

  /** How often lag is measured and the rate decided; default 500 ms. */
  public ReplayCoordinatorBuilder throttleInterval(Duration interval) {
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
    if (accessPolicy != null && accessPolicyFile != null) {
      problems.add("accessPolicy and accessPolicyFile: set one of them, not both");
    } else if (accessPolicyFile != null) {
      try {
        policySource = PolicySource.watching(accessPolicyFile);
      } catch (AccessPolicy.InvalidPolicyException e) {
        problems.add("accessPolicyFile: " + e.getMessage());
      }
    } else if (accessPolicy != null) {
      policySource = PolicySource.fixed(accessPolicy);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid coordinator configuration: " + String.join("; ", problems));
    }
    return new ReplayCoordinator(this);
  }
}
