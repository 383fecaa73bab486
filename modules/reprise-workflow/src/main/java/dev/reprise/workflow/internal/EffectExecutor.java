package dev.reprise.workflow.internal;

import dev.reprise.protocol.internal.RedrivePartitions;
import dev.reprise.core.KafkaClientObserver;
import dev.reprise.core.RepriseRetriableException;
import dev.reprise.registry.SchemaRegistryException;
import dev.reprise.registry.SchemaRegistryClient;
import dev.reprise.registry.UnknownSchemaIdException;
import dev.reprise.workflow.EffectStats;
import dev.reprise.workflow.Receipt;
import dev.reprise.workflow.ReceiptOutcome;
import dev.reprise.workflow.WorkflowHeaders;
import dev.reprise.workflow.WorkflowTopics;
import dev.reprise.workflow.api.Effect;
import dev.reprise.workflow.api.EffectLookup;
import dev.reprise.workflow.api.SinkUnavailableException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Performs the effects the stream task committed to the outbox ({@link WorkflowTopics#effects}),
 * then writes each event's receipt, in one transaction with its outbox offsets.
 *
 * <p><b>Effects in doubt.</b> Before calling the sinks for a batch, the executor commits its
 * position with a marker naming the batch's end ({@code reprise.in-doubt-until=<offset>}); after
 * the calls it commits receipts and the new position in one transaction. An executor that dies in
 * between leaves the marker: its successor knows exactly which effects may have happened, asks the
 * sink ({@link dev.reprise.workflow.EffectSink#lookup}) for those only, and performs the ones the
 * sink has not seen. A sink that cannot tell gets them again, with the same idempotency key. Effects
 * outside a marked batch are never repeated: the receipt transaction and the position move
 * together.
 *
 * <p><b>Sink outage.</b> An open circuit breaker is not the event's fault: the executor keeps the
 * effect, pauses its partitions (staying in the group) until the breaker lets trial calls through,
 * and tries again. A failure that survives the retries (or a refusal) fails the event: a dead
 * letter with the event's bytes, a {@code FAILED} receipt, and a "forget" on the redrive topic, so
 * that a retry of the dead letter, or a later backfill, handles it again.
 *
 * <p><b>Fairness.</b> The partitions of a poll take turns, least recently served first ({@link
 * FairTurns}). A batch that fails (its commit, a registry hiccup) sends that partition back to its
 * last commit and rests it for a second, paused, while the others carry on; only when a second
 * partition fails in the same round (the broker or the registry, then) does every partition wait.
 * An outbox record no codec can read is dead-lettered (stage {@code outbox}) instead of holding its
 * partition forever.
 */
public final class EffectExecutor implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EffectExecutor.class);
  static final String IN_DOUBT = "reprise.in-doubt-until=";
  private static final Duration REST = Duration.ofSeconds(1);

  private final String workflow;
  private final Map<String, Object> clientConfig;
  private final Map<String, GuardedSink> sinks;
  private final EffectRequestCodec requests;
  private final ReceiptCodec receipts;
  private final String outbox;
  private final Map<TopicPartition, Long> inDoubtUntil = new HashMap<>();
  /** Partitions paused after a failure, until {@link System#nanoTime} passes the value. */
  private final Map<TopicPartition, Long> resting = new HashMap<>();
  private final FairTurns turns = new FairTurns();
  private final Set<TopicPartition> revoked = new HashSet<>();
  private final OutcomeCounter outcomes;
  private final KafkaClientObserver clients;
  private AutoCloseable consumerMetrics;
  private AutoCloseable producerMetrics;
  private final AtomicLong performed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong inDoubtConfirmed = new AtomicLong();
  private final AtomicLong inDoubtRepeated = new AtomicLong();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean closing;
  private KafkaConsumer<byte[], byte[]> consumer;
  private KafkaProducer<byte[], byte[]> producer;
  private RedrivePartitions redrive;
  private Batch current;

  public EffectExecutor(String workflow, Map<String, Object> clientConfig, SchemaRegistryClient registry,
      Map<String, GuardedSink> sinks, OutcomeCounter outcomes, KafkaClientObserver clients) {
    this.workflow = workflow;
    this.clients = clients;
    this.outcomes = outcomes;
    this.clientConfig = Map.copyOf(clientConfig);
    this.sinks = Map.copyOf(sinks);
    this.requests = new EffectRequestCodec(registry, workflow);
    this.receipts = new ReceiptCodec(registry, workflow);
    this.outbox = WorkflowTopics.effects(workflow);
    this.thread = new Thread(this::run, "reprise-effects-" + workflow);
  }

  public EffectExecutor start() {
    thread.start();
    return this;
  }

  public EffectStats stats() {
    return new EffectStats(performed.get(), failed.get(), inDoubtConfirmed.get(), inDoubtRepeated.get());
  }

  private void run() {
    try (Admin admin = Admin.create(clientConfig)) {
      redrive = new RedrivePartitions(admin, WorkflowTopics.redrive(workflow));
      consumer = new KafkaConsumer<>(consumerConfig());
      consumerMetrics = clients.opened(consumer);
      producer = newProducer();
      consumer.subscribe(List.of(outbox), new Rebalance());
      while (!closing) {
        resumeRested();
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        List<TopicPartition> turn = turns.order(records.partitions());
        for (int i = 0; i < turn.size() && !closing; i++) {
          TopicPartition partition = turn.get(i);
          try {
            handle(partition, records.records(partition));
            turns.served(partition);
          } catch (WakeupException e) {
            throw e;
          } catch (RuntimeException e) {
            if (closing) {
              break;
            }
            current = null;
            recover(partition);
            if (i + 1 < turn.size() && failedBefore(turn.subList(0, i))) {
              // Two partitions failing in one round: the broker or the registry, not a partition.
              log.warn("workflow '{}': effects of {} not committed either ({}); resuming every partition from its last"
                  + " commit in a second", workflow, partition, e.toString());
              rewind(turn.subList(i + 1, turn.size()));
              LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
              break;
            }
            // One partition's trouble rests that partition only; the others keep their turns.
            log.warn("workflow '{}': effects of {} not committed ({}); retrying it from its last commit in a second",
                workflow, partition, e.toString());
          }
        }
      }
    } catch (WakeupException e) {
      if (!closing) {
        log.error("workflow '{}': effect executor woken up unexpectedly", workflow, e);
      }
    } catch (RuntimeException e) {
      log.error("workflow '{}': effect executor failed; effects stop until the workflow restarts", workflow, e);
    } finally {
      KafkaClientObserver.closeQuietly(producerMetrics);
      KafkaClientObserver.closeQuietly(consumerMetrics);
      if (producer != null) {
        producer.close(Duration.ofSeconds(5));
      }
      if (consumer != null) {
        consumer.close(Duration.ofSeconds(5));
      }
      stopped.countDown();
    }
  }

  private void handle(TopicPartition partition, List<ConsumerRecord<byte[], byte[]>> records) {
    long end = records.get(records.size() - 1).offset() + 1;
    long doubtfulUntil = inDoubtUntil.getOrDefault(partition, -1L);
    // The marker: from here until the receipts commit, these effects may or may not have happened
    // (and those still in doubt from a predecessor stay so).
    consumer.commitSync(Map.of(partition,
        new OffsetAndMetadata(records.get(0).offset(), IN_DOUBT + Math.max(end, doubtfulUntil))));
    current = new Batch(partition);
    for (ConsumerRecord<byte[], byte[]> record : records) {
      EffectRequest request;
      try {
        request = requests.decode(record.value());
      } catch (RuntimeException e) {
        if (!unreadable(e)) {
          throw e;
        }
        // Bytes no codec reads (a foreign producer, a damaged record): a dead letter, not a
        // partition stuck behind it forever.
        log.warn("workflow '{}': outbox record {}@{} is unreadable ({}); dead-lettered", workflow, partition,
            record.offset(), e.toString());
        current.unreadable(record, e);
        continue;
      }
      Outcome outcome = perform(request, record.offset() < doubtfulUntil);
      if (outcome == null) {
        break;
      }
      current.done(record.offset(), outcome);
    }
    Batch batch = current;
    current = null;
    if (!batch.abandoned) {
      if (batch.next >= doubtfulUntil) {
        inDoubtUntil.remove(partition);
      }
      commit(batch);
    }
  }

  /**
   * Whether decoding failed on the bytes themselves; a registry that cannot be reached or refuses
   * this client is the executor's trouble, retried, never a dead letter.
   */
  private static boolean unreadable(RuntimeException e) {
    if (e instanceof UnknownSchemaIdException) {
      return true;
    }
    return !(e instanceof SchemaRegistryException) && !(e instanceof RepriseRetriableException);
  }

  /** The event's effects, in order; null if the partition was taken away or the executor is closing. */
  private Outcome perform(EffectRequest request, boolean inDoubt) {
    for (Effect effect : request.effects()) {
      GuardedSink sink = sinks.get(effect.sink());
      try {
        if (sink == null) {
          throw new IllegalStateException("no effect sink '" + effect.sink() + "' is configured; configured: "
              + sinks.keySet());
        }
        if (inDoubt) {
          EffectLookup known = untilAvailable(sink, () -> sink.lookup(effect));
          if (known == null) {
            return null;
          }
          if (known == EffectLookup.PERFORMED) {
            inDoubtConfirmed.incrementAndGet();
            log.debug("workflow '{}': effect {} of {} was in doubt; the sink has it", workflow, effect.sink(),
                request.eventId());
            continue;
          }
          if (known == EffectLookup.UNKNOWN) {
            inDoubtRepeated.incrementAndGet();
            log.warn("workflow '{}': effect {} of {} was in doubt and the sink cannot tell; performing it again with"
                + " idempotency key {}", workflow, effect.sink(), request.eventId(), effect.idempotencyKey());
          }
        }
        if (untilAvailable(sink, () -> {
          sink.perform(effect);
          return Boolean.TRUE;
        }) == null) {
          return null;
        }
        performed.incrementAndGet();
      } catch (Exception e) {
        failed.incrementAndGet();
        log.warn("workflow '{}': effect {} of {} failed for good: {}", workflow, effect.sink(), request.eventId(), e.toString());
        return new Outcome(request, e);
      }
    }
    return new Outcome(request, null);
  }

  private interface SinkCall<T> {
    T call() throws Exception;
  }

  /**
   * Calls, and while the sink's breaker is open waits for it (partitions paused, group membership
   * kept by polling), then calls again. Null if the partition was revoked or the executor closes.
   */
  private <T> T untilAvailable(GuardedSink sink, SinkCall<T> call) throws Exception {
    while (true) {
      try {
        return call.call();
      } catch (SinkUnavailableException e) {
        log.debug("workflow '{}': {}; waiting", workflow, e.getMessage());
        consumer.pause(consumer.assignment());
        try {
          while (sink.breakerState() == CircuitBreaker.State.OPEN && !closing && !current.abandoned) {
            ConsumerRecords<byte[], byte[]> early = consumer.poll(Duration.ofMillis(100));
            // Newly assigned partitions are not paused yet; whatever they returned is read again later.
            for (TopicPartition partition : early.partitions()) {
              consumer.seek(partition, early.records(partition).get(0).offset());
            }
            consumer.pause(consumer.assignment());
          }
        } finally {
          consumer.resume(active());
        }
        if (closing || current.abandoned) {
          return null;
        }
      }
    }
  }

  private void commit(Batch batch) {
    if (batch.outcomes.isEmpty() && batch.unreadable.isEmpty()) {
      return;
    }
    for (Outcome outcome : batch.outcomes) {
      if (outcome.error != null) {
        redrive.ensure(outcome.request.inputPartition());
      }
    }
    producer.beginTransaction();
    for (Outcome outcome : batch.outcomes) {
      send(outcome);
    }
    for (Unreadable letter : batch.unreadable) {
      ConsumerRecord<byte[], byte[]> record = letter.record();
      Headers headers = DeadLetters.headers(new RecordHeaders(record.headers().toArray()), WorkflowHeaders.STAGE_OUTBOX,
          letter.error(), record.topic(), record.partition(), record.offset(),
          record.key() == null ? "?" : new String(record.key(), StandardCharsets.UTF_8), Optional.empty());
      producer.send(new ProducerRecord<>(WorkflowTopics.deadLetters(workflow), null, record.key(), record.value(),
          headers));
    }
    producer.sendOffsetsToTransaction(Map.of(batch.partition, new OffsetAndMetadata(batch.next)),
        consumer.groupMetadata());
    producer.commitTransaction();
  }

  private void send(Outcome outcome) {
    EffectRequest request = outcome.request;
    byte[] key = request.eventId().getBytes(StandardCharsets.UTF_8);
    if (outcome.error == null) {
      outcomes.count(ReceiptOutcome.PROCESSED);
      producer.send(new ProducerRecord<>(WorkflowTopics.receipts(workflow), key, receipts.encode(new Receipt(workflow,
          request.backfillId(), request.eventId(), request.eventDay(), request.checksum(), ReceiptOutcome.PROCESSED,
          request.descriptions(), Optional.empty()))));
      return;
    }
    Exception error = outcome.error;
    outcomes.count(ReceiptOutcome.FAILED);
    Headers headers = DeadLetters.headers(new RecordHeaders(), WorkflowHeaders.STAGE_EFFECT, error,
        request.inputTopic(), request.inputPartition(), request.inputOffset(), request.eventId(), request.backfillId());
    producer.send(new ProducerRecord<>(WorkflowTopics.deadLetters(workflow), null, key, request.event(), headers));
    producer.send(new ProducerRecord<>(WorkflowTopics.receipts(workflow), key, receipts.encode(new Receipt(workflow,
        request.backfillId(), request.eventId(), request.eventDay(), request.checksum(), ReceiptOutcome.FAILED,
        request.descriptions(), Optional.of(error.getClass().getSimpleName() + ": " + error.getMessage())))));
    Headers forget = new RecordHeaders();
    DeadLetters.add(forget, WorkflowHeaders.REDRIVE, "forget");
    producer.send(new ProducerRecord<>(WorkflowTopics.redrive(workflow), request.inputPartition(), key, null, forget));
  }

  /**
   * After a failed batch: a new producer, and {@code partition} back to its last commit (marker
   * included), resting for a second (paused) so a lasting fault does not spin.
   */
  private void recover(TopicPartition partition) {
    try {
      producer.abortTransaction();
    } catch (RuntimeException ignored) {
      // Fenced or broken: replaced below either way.
    }
    producer.close(Duration.ZERO);
    producer = newProducer();
    if (consumer.assignment().contains(partition)) {
      rewind(List.of(partition));
      consumer.pause(List.of(partition));
      resting.put(partition, System.nanoTime() + REST.toNanos());
    }
  }

  private boolean failedBefore(List<TopicPartition> handledThisRound) {
    return handledThisRound.stream().anyMatch(resting::containsKey);
  }

  /** Resumes the partitions whose rest is over (and forgets those no longer assigned). */
  private void resumeRested() {
    if (resting.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    Set<TopicPartition> assigned = consumer.assignment();
    List<TopicPartition> rested = new ArrayList<>();
    resting.entrySet().removeIf(entry -> {
      boolean over = now - entry.getValue() >= 0 || !assigned.contains(entry.getKey());
      if (over && assigned.contains(entry.getKey())) {
        rested.add(entry.getKey());
      }
      return over;
    });
    consumer.resume(rested);
  }

  /** Everything assigned but the partitions resting after a failure. */
  private Set<TopicPartition> active() {
    Set<TopicPartition> active = new HashSet<>(consumer.assignment());
    active.removeAll(resting.keySet());
    return active;
  }

  private void rewind(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions));
    for (TopicPartition partition : partitions) {
      OffsetAndMetadata position = committed.get(partition);
      inDoubtUntil.remove(partition);
      if (position == null) {
        continue;
      }
      consumer.seek(partition, position.offset());
      String metadata = position.metadata();
      if (metadata != null && metadata.startsWith(IN_DOUBT)) {
        long until = Long.parseLong(metadata.substring(IN_DOUBT.length()));
        inDoubtUntil.put(partition, until);
        log.warn("workflow '{}': effects of {} from offset {} to {} are in doubt (an executor stopped between calling"
            + " the sinks and committing); asking the sinks before performing them", workflow, partition,
            position.offset(), until);
      }
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      revoked.removeAll(partitions);
      rewind(partitions);
      if (current != null) {
        // Assigned while waiting for a sink: stay paused.
        consumer.pause(partitions);
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      for (TopicPartition partition : partitions) {
        inDoubtUntil.remove(partition);
        resting.remove(partition);
      }
      if (current != null && partitions.contains(current.partition)) {
        // Record what is done, so the next owner has only the rest in doubt.
        Batch batch = current;
        batch.abandoned = true;
        try {
          commit(batch);
        } catch (KafkaException e) {
          log.warn("workflow '{}': could not record the effects done on {} before giving it up ({}); the next owner"
              + " will look them up", workflow, batch.partition, e.toString());
        }
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      for (TopicPartition partition : partitions) {
        inDoubtUntil.remove(partition);
        resting.remove(partition);
      }
      if (current != null && partitions.contains(current.partition)) {
        current.abandoned = true;
      }
    }
  }

  private Map<String, Object> consumerConfig() {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, WorkflowTopics.effectsGroup(workflow));
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "reprise-effects-" + workflow);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Effects are slow next to Kafka: small batches keep the in-doubt window and poll gaps short.
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
    config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
    config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 2_000);
    config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return config;
  }

  private KafkaProducer<byte[], byte[]> newProducer() {
    Map<String, Object> config = new HashMap<>(clientConfig);
    // Fencing of a zombie comes from the group generation (sendOffsetsToTransaction), so the id
    // only has to be unique.
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, WorkflowTopics.effectsGroup(workflow) + "." + UUID.randomUUID());
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "reprise-effects-" + workflow);
    config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    KafkaProducer<byte[], byte[]> created = new KafkaProducer<>(config);
    KafkaClientObserver.closeQuietly(producerMetrics);
    producerMetrics = clients.opened(created);
    created.initTransactions();
    return created;
  }

  @Override
  public void close() {
    closing = true;
    if (thread.isAlive()) {
      try {
        if (!stopped.await(30, TimeUnit.SECONDS)) {
          log.warn("workflow '{}': effect executor did not stop within 30 s", workflow);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The effects of one poll on one partition, as far as they got. */
  private static final class Batch {
    final TopicPartition partition;
    final List<Outcome> outcomes = new ArrayList<>();
    final List<Unreadable> unreadable = new ArrayList<>();
    long next = -1;
    boolean abandoned;

    Batch(TopicPartition partition) {
      this.partition = partition;
    }

    void done(long offset, Outcome outcome) {
      outcomes.add(outcome);
      next = offset + 1;
    }

    void unreadable(ConsumerRecord<byte[], byte[]> record, Exception error) {
      unreadable.add(new Unreadable(record, error));
      next = record.offset() + 1;
    }
  }

  /** An outbox record that no codec reads, for the dead-letter topic as it was. */
  private record Unreadable(ConsumerRecord<byte[], byte[]> record, Exception error) {}

  /** An event's effects done ({@code error} null) or failed for good. */
  private record Outcome(EffectRequest request, Exception error) {}
}
