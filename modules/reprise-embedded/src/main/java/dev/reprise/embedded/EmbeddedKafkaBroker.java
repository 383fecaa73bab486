package dev.reprise.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka 4 cluster (KRaft, combined broker and controller) running in this JVM,
 * listening on 127.0.0.1 only.
 *
 * <pre>{@code
 * try (var broker = EmbeddedKafkaBroker.builder().dataDirectory(dir).build().start()) {
 *   String bootstrap = broker.bootstrapServers(); // "127.0.0.1:PORT"
 * }
 * }</pre>
 *
 * <p>It is Kafka's own {@code KafkaRaftServer}, formatted as {@code kafka-storage.sh format} does
 * by default: the latest <em>production</em> metadata version and the production default level of
 * every feature (transactions and the new group protocol included), with unstable versions off —
 * so it behaves like a released broker, not like Kafka's test kit, which runs unreleased metadata.
 * Kafka's {@code KafkaClusterTestKit} is not used because it pre-binds its ports on the wildcard
 * address; Reprise's servers listen on loopback only.
 *
 * <p>Internal topics are sized for one node (replication factor 1; otherwise consumer groups and
 * transactions wait forever for three replicas). A data directory that was formatted before is
 * reused as it is, with the ports it used then, so topics survive a restart.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
  private static final String PORTS_FILE = "reprise-ports.properties";
  private static final int NODE_ID = 1;

  private final Path dataDirectory;
  private final boolean deleteOnClose;
  private final Map<String, String> overrides;
  private final BrokerSecurity security;
  private KafkaRaftServer server;
  private int brokerPort;
  private int controllerPort;
  private Duration startupTime = Duration.ZERO;

  private EmbeddedKafkaBroker(Builder builder) {
    this.dataDirectory = builder.dataDirectory;
    this.deleteOnClose = builder.deleteOnClose;
    this.overrides = Map.copyOf(builder.overrides);
    this.security = builder.security;
  }

  /** A builder; {@link Builder#dataDirectory(Path)} defaults to a fresh temporary directory. */
  public static Builder builder() {
    return new Builder();
  }

  /** Formats the data directory if needed, starts the broker and waits until it serves. */
  public synchronized EmbeddedKafkaBroker start() {
    if (server != null) {
      throw new IllegalStateException("embedded Kafka broker in " + dataDirectory + " is already started");
    }
    long began = System.nanoTime();
    try {
      Files.createDirectories(dataDirectory);
      Path logDir = dataDirectory.resolve("kraft-combined-logs");
      choosePorts();
      Map<String, Object> props = serverProperties(logDir);
      KafkaConfig config = new KafkaConfig(props, false);
      if (!Files.exists(logDir.resolve("meta.properties"))) {
        format(logDir);
      }
      server = new KafkaRaftServer(config, Time.SYSTEM);
      server.startup();
      awaitServing();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded Kafka broker in " + dataDirectory, e);
    }
    startupTime = Duration.ofNanos(System.nanoTime() - began);
    log.info("Embedded Kafka broker serving at {} (data in {}), started in {} ms",
        bootstrapServers(), dataDirectory, startupTime.toMillis());
    return this;
  }

  /** {@code 127.0.0.1:PORT}, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return "127.0.0.1:" + brokerPort;
  }

  /**
   * Settings for an Admin client of the broker's super user: bootstrap servers, and on a secured
   * broker its SASL_SSL credentials.
   */
  public Map<String, Object> adminClientConfig() {
    Map<String, Object> config = new HashMap<>();
    if (security != null) {
      config.putAll(security.adminClientConfig());
    }
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return config;
  }

  /**
   * Creates (or changes the password of) a SCRAM-SHA-512 user on a secured broker; what it may do
   * is up to the ACLs created for {@code User:<user>}.
   *
   * @throws IllegalStateException if the broker is not secured or refuses
   */
  public void addUser(String user, String password) {
    if (security == null) {
      throw new IllegalStateException("the broker in " + dataDirectory + " is not secured: it has no users");
    }
    try (Admin admin = Admin.create(adminClientConfig())) {
      admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
              new ScramCredentialInfo(
                  ScramMechanism.SCRAM_SHA_512, 8192), password)))
          .all().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot add user '" + user + "': " + e, e);
    }
  }

  /** Where the broker keeps its logs and metadata. */
  public Path dataDirectory() {
    return dataDirectory;
  }

  /** How long the last {@link #start()} took, formatting included. */
  public Duration startupTime() {
    return startupTime;
  }

  /**
   * Stops the broker, waiting for it to shut down; a second call does nothing. The broker may be
   * started again afterwards, on the same data directory unless it was deleted on close.
   */
  @Override
  public synchronized void close() {
    if (server == null) {
      return;
    }
    server.shutdown();
    server.awaitShutdown();
    server = null;
    if (deleteOnClose) {
      deleteRecursively(dataDirectory);
    }
  }

  private void choosePorts() throws IOException {
    Path portsFile = dataDirectory.resolve(PORTS_FILE);
    Properties ports = new Properties();
    if (Files.exists(portsFile)) {
      try (var in = Files.newInputStream(portsFile)) {
        ports.load(in);
      }
      brokerPort = Integer.parseInt(ports.getProperty("broker"));
      controllerPort = Integer.parseInt(ports.getProperty("controller"));
      return;
    }
    brokerPort = freeLoopbackPort();
    controllerPort = freeLoopbackPort();
    while (controllerPort == brokerPort) {
      controllerPort = freeLoopbackPort();
    }
    ports.setProperty("broker", Integer.toString(brokerPort));
    ports.setProperty("controller", Integer.toString(controllerPort));
    try (var out = Files.newOutputStream(portsFile)) {
      ports.store(out, "ports of the embedded Kafka broker; kept so clients can reconnect after a restart");
    }
  }

  private Map<String, Object> serverProperties(Path logDir) {
    Map<String, Object> props = new HashMap<>();
    props.put("process.roles", "broker,controller");
    props.put("node.id", Integer.toString(NODE_ID));
    props.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
    props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("controller.listener.names", "CONTROLLER");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("log.dirs", logDir.toString());
    // One node: internal topics cannot have three replicas, or groups and transactions hang.
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "10");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("transaction.state.log.num.partitions", "10");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    // A missing topic is a mistake to report, not something to create with default settings.
    props.put("auto.create.topics.enable", "false");
    // The default 128 MiB cleaner dedupe buffer is sized for production brokers.
    props.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
    props.put("unstable.api.versions.enable", "false");
    props.put("unstable.feature.versions.enable", "false");
    if (security != null) {
      props.putAll(security.brokerProperties(brokerPort, controllerPort));
    }
    props.putAll(overrides);
    return props;
  }

  private void format(Path logDir) throws IOException {
    Files.createDirectories(logDir);
    Formatter formatter =
        new Formatter()
            .setNodeId(NODE_ID)
            .setClusterId(Uuid.randomUuid().toString())
            .setDirectories(List.of(logDir.toString()))
            .setMetadataLogDirectory(logDir.toString())
            .setControllerListenerName("CONTROLLER")
            .setUnstableFeatureVersionsEnabled(false)
            .setScramArguments(security == null ? List.of() : security.scramArguments())
            .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
    try {
      formatter.run();
    } catch (Exception e) {
      throw new IllegalStateException("cannot format KRaft storage in " + logDir + ": " + e.getMessage(), e);
    }
  }

  private void awaitServing() {
    Map<String, Object> config = adminClientConfig();
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
    try (Admin admin = Admin.create(config)) {
      int nodes = admin.describeCluster().nodes().get(60, TimeUnit.SECONDS).size();
      if (nodes != 1) {
        throw new IllegalStateException("embedded Kafka broker reports " + nodes + " nodes, expected 1");
      }
    } catch (Exception e) {
      throw new IllegalStateException("embedded Kafka broker at " + bootstrapServers() + " did not start serving", e);
    }
  }

  static int freeLoopbackPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.warn("could not delete {}: {}", root, e.toString());
    }
  }

  /** Builds an {@link EmbeddedKafkaBroker}; nothing starts until {@link #start()}. */
  public static final class Builder {
    private Path dataDirectory;
    private boolean deleteOnClose;
    private final Map<String, String> overrides = new HashMap<>();
    private BrokerSecurity security;

    private Builder() {}

    /**
     * Runs the broker secured ({@code SASL_SSL}, SCRAM-SHA-512, ACLs): see {@link BrokerSecurity}.
     * Clients then need {@link BrokerSecurity#clientConfig} of a user {@link
     * EmbeddedKafkaBroker#addUser added} to the broker, and ACLs for what they do.
     */
    public Builder security(BrokerSecurity security) {
      this.security = Objects.requireNonNull(security, "security");
      return this;
    }

    /** Where logs and metadata live; reused as it is when it was formatted before. */
    public Builder dataDirectory(Path dataDirectory) {
      this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory");
      return this;
    }

    /** Whether {@link #close()} deletes the data directory (default false; true for temp dirs). */
    public Builder deleteOnClose(boolean deleteOnClose) {
      this.deleteOnClose = deleteOnClose;
      return this;
    }

    /** Overrides one broker property, e.g. {@code log.retention.ms}. */
    public Builder brokerProperty(String key, String value) {
      overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    public EmbeddedKafkaBroker build() {
      if (dataDirectory == null) {
        try {
          dataDirectory = Files.createTempDirectory("reprise-kafka-");
        } catch (IOException e) {
          throw new UncheckedIOException("cannot create a temporary data directory for Kafka", e);
        }
        deleteOnClose = true;
      }
      for (String key : List.of("listeners", "advertised.listeners", "process.roles", "node.id",
          "listener.security.protocol.map", "authorizer.class.name", "super.users")) {
        if (overrides.containsKey(key)) {
          throw new IllegalArgumentException(
              "brokerProperty '" + key + "' is managed by EmbeddedKafkaBroker and cannot be overridden");
        }
      }
      return new EmbeddedKafkaBroker(this);
    }
  }
}
