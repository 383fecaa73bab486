package dev.reprise.protocol;

import dev.reprise.core.RepriseRetriableException;
import dev.reprise.protocol.internal.StatusStore;
import dev.reprise.protocol.internal.Topics;
import dev.reprise.registry.SchemaRegistryClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The requester's side of the control plane: publishes replay requests and commands, and reads
 * backfill statuses. What the CLI, the dashboard and tests use; anything else that can produce
 * Avro to {@link ControlTopics#REQUESTS} works as well.
 *
 * <pre>{@code
 * try (var client = BackfillClient.create(Map.of("bootstrap.servers", "127.0.0.1:9092"), registry)) {
 *   client.submit(request);
 *   client.pause("b-42");
 *   client.status("b-42").ifPresent(s -> System.out.println(s.state() + " " + s.progress()));
 * }
 * }</pre>
 */
public final class BackfillClient implements AutoCloseable {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(200);

  private final Admin admin;
  private final KafkaProducer<String, byte[]> producer;
  private final ControlCodec codec;
  private final StatusStore statuses;
  private final String requestTopic;

  private BackfillClient(Map<String, Object> clientConfig, SchemaRegistryClient registry, Optional<String> team) {
    this.requestTopic = team.map(ControlTopics::teamRequests).orElse(ControlTopics.REQUESTS);
    this.admin = Admin.create(clientConfig);
    Map<String, Object> producerConfig = new HashMap<>(clientConfig);
    producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
    producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    this.producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer());
    this.codec = new ControlCodec(registry);
    this.statuses = new StatusStore(clientConfig, admin, codec);
  }

  /**
   * A client for the cluster {@code clientConfig} connects to; creates the control topics with 6
   * partitions if they are missing and it may (on a secured cluster the coordinator does).
   */
  public static BackfillClient create(Map<String, Object> clientConfig, SchemaRegistryClient registry) {
    return create(clientConfig, registry, Optional.empty());
  }

  /**
   * A client that sends its commands as {@code team}: to the team's request topic {@link
   * ControlTopics#teamRequests} (created if missing), which only the team's principal may write
   * on a secured cluster; the coordinator then knows who sent them. Empty: straight to {@link
   * ControlTopics#REQUESTS}, as nobody in particular (refused where an access policy is in force).
   *
   * <pre>{@code
   * try (var client = BackfillClient.create(clientConfig, registry, Optional.of("growth"))) {
   *   client.submit(request);   // reprise.requests.growth
   * }
   * }</pre>
   */
  public static BackfillClient create(Map<String, Object> clientConfig, SchemaRegistryClient registry,
      Optional<String> team) {
    BackfillClient client = new BackfillClient(clientConfig, registry, team);
    try {
      Topics.ensureClientTopics(client.admin, team);
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
    return client;
  }

  /** Publishes a START for {@code request}; the answer arrives on the status topic. */
  public void submit(BackfillRequest request) {
    send(ReplayCommand.start(request));
  }

  public void pause(String backfillId) {
    send(ReplayCommand.of(ReplayCommand.Type.PAUSE, backfillId));
  }

  public void resume(String backfillId) {
    send(ReplayCommand.of(ReplayCommand.Type.RESUME, backfillId));
  }

  public void cancel(String backfillId) {
    send(ReplayCommand.of(ReplayCommand.Type.CANCEL, backfillId));
  }

  /**
   * Asks the coordinator to record a verifier's outcome for completed {@code backfillId} as its
   * VERIFIED or VERIFICATION_FAILED status: only coordinators write {@link ControlTopics#STATUS},
   * so a verifier needs no write access to it, and the access policy decides who may verify.
   */
  public void verify(String backfillId, ReplayCommand.Verification verification) {
    send(ReplayCommand.verify(backfillId, verification));
  }

  /** Caps a running backfill's publish rate at {@code maxRecordsPerSecond}; empty lifts the cap. */
  public void throttle(String backfillId, java.util.OptionalDouble maxRecordsPerSecond) {
    send(ReplayCommand.throttle(backfillId, maxRecordsPerSecond));
  }

  /** Publishes {@code command}, keyed by its backfill id, and waits until the broker has it. */
  public void send(ReplayCommand command) {
    sendRaw(command.backfillId(), codec.encode(command));
  }

  /** Publishes any bytes as a request: for tools that build requests themselves, and for tests of bad input. */
  public void sendRaw(String key, byte[] value) {
    try {
      producer.send(new ProducerRecord<>(requestTopic, key, value)).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RepriseRetriableException("interrupted while publishing a request for '" + key + "'", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new RepriseRetriableException("cannot publish a request for '" + key + "': " + e, e);
    }
  }

  /** The latest committed status of {@code backfillId}. */
  public Optional<BackfillStatus> status(String backfillId) {
    statuses.catchUp(TIMEOUT);
    return statuses.latest(backfillId);
  }

  /**
   * Waits for the coordinator's answer to a command just sent: the first status of {@code
   * backfillId} that {@code answer} accepts (polled every 200 ms), or empty once {@code timeout}
   * has passed on {@code clock}.
   *
   * <pre>{@code
   * Optional<BackfillStatus> before = client.status(id);
   * client.pause(id);
   * client.awaitStatus(id, s -> !Optional.of(s).equals(before), Duration.ofSeconds(30), clock);
   * }</pre>
   */
  public Optional<BackfillStatus> awaitStatus(String backfillId, Predicate<BackfillStatus> answer, Duration timeout,
      Clock clock) {
    Instant deadline = clock.instant().plus(timeout);
    while (true) {
      Optional<BackfillStatus> now = status(backfillId).filter(answer);
      if (now.isPresent() || !clock.instant().isBefore(deadline)) {
        return now;
      }
      LockSupport.parkNanos(POLL.toNanos());
    }
  }

  /** The latest committed status of every backfill. */
  public Map<String, BackfillStatus> statuses() {
    statuses.catchUp(TIMEOUT);
    return statuses.all();
  }

  /** Where this client sends commands: its team's request topic, or {@link ControlTopics#REQUESTS}. */
  public String requestTopic() {
    return requestTopic;
  }

  public ControlCodec codec() {
    return codec;
  }

  @Override
  public void close() {
    statuses.close();
    producer.close(Duration.ofSeconds(5));
    admin.close(Duration.ofSeconds(5));
  }
}
