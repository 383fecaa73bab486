package dev.reprise.coordinator.internal;

import dev.reprise.core.KafkaClientObserver;
import dev.reprise.core.RepriseRetriableException;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.protocol.Provenance;
import dev.reprise.protocol.ReplayHeaders;
import dev.reprise.replay.EventReplayer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One backfill's transactional producer: replayed records with their provenance headers, dead
 * letters, the status and the source offsets, committed together. Its transactional id is stable
 * per backfill, so {@link #open} by a new owner fences the old one and aborts what it left open.
 *
 * <pre>{@code
 * publisher.open();
 * publisher.replayed(topic, record, matched);
 * publisher.commit(status, offsets);   // records, status and offsets: all or nothing
 * }</pre>
 *
 * <p>Confined to the run's thread. A send that fails asynchronously is remembered and fails the
 * next {@link #commit}, so a transaction never commits with a record missing.
 */
final class ReplayPublisher {

  private static final Logger log = LoggerFactory.getLogger(ReplayPublisher.class);

  private final RunContext ctx;
  private final String backfillId;
  private final byte[] backfillIdBytes;
  private final byte[] sourceTopicBytes;
  private final String deadLetterTopic;
  private final AtomicReference<Exception> sendError = new AtomicReference<>();
  private final Map<Long, byte[]> dayBytes = new HashMap<>();
  private byte[][] versionBytes = new byte[0][];
  private byte[][] partitionBytes = new byte[0][];
  private KafkaProducer<byte[], byte[]> producer;
  private AutoCloseable metrics;
  private boolean inTransaction;
  private long transactionStartMillis;

  ReplayPublisher(RunContext ctx, String backfillId, String sourceTopic) {
    this.ctx = ctx;
    this.backfillId = backfillId;
    this.backfillIdBytes = utf8(backfillId);
    this.sourceTopicBytes = utf8(sourceTopic);
    this.deadLetterTopic = ControlTopics.deadLetterTopic(backfillId);
  }

  /**
   * Sizes the headers that are constant per partition and per schema version: encoded once, not
   * per record.
   */
  void headersFor(int partitions, int latestVersion) {
    partitionBytes = new byte[partitions][];
    for (int p = 0; p < partitions; p++) {
      partitionBytes[p] = utf8(Integer.toString(p));
    }
    versionBytes = new byte[latestVersion + 1][];
    for (int v = 1; v <= latestVersion; v++) {
      versionBytes[v] = utf8(Integer.toString(v));
    }
  }

  /** Opens the producer and fences any previous owner. */
  void open() {
    Map<String, Object> config = new HashMap<>(ctx.clientConfig());
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, ControlTopics.transactionalId(backfillId));
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 10);
    config.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "reprise-replay-" + backfillId);
    // As Kafka Streams does for exactly-once: a transaction lives about one commit interval, and a
    // crashed owner's open transaction blocks readers of the status topic until it times out.
    config.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
    producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    metrics = ctx.clients().opened(producer);
    producer.initTransactions();
    inTransaction = false;
  }

  /** Fetches the metadata of {@code topics} in the background (see {@link MetadataWarmUp}). */
  void warm(String... topics) {
    MetadataWarmUp.of(producer, topics);
  }

  /** Whether the producer is open. */
  boolean isOpen() {
    return producer != null;
  }

  /** Begins a transaction unless one is open. */
  void begin() {
    if (!inTransaction) {
      producer.beginTransaction();
      inTransaction = true;
      transactionStartMillis = ctx.clock().millis();
    }
  }

  boolean inTransaction() {
    return inTransaction;
  }

  /** How long the open transaction (or the last one) has been collecting. */
  long transactionAgeMillis() {
    return ctx.clock().millis() - transactionStartMillis;
  }

  /** Restarts the commit-interval clock without committing. */
  void restartTransactionClock() {
    transactionStartMillis = ctx.clock().millis();
  }

  /**
   * A replayed record, on {@code topic} (the backfill's, or the pilot's), keyed and partitioned as
   * its source, with its {@link Provenance} header (and the readable ones if configured).
   */
  void replayed(String topic, ConsumerRecord<byte[], byte[]> source, EventReplayer.Matched matched) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(Provenance.HEADER,
        new Provenance(source.partition(), source.offset(), matched.sourceVersion()).encode());
    if (ctx.readableProvenance()) {
      headers.add(ReplayHeaders.BACKFILL_ID, backfillIdBytes);
      headers.add(ReplayHeaders.SOURCE_TOPIC, sourceTopicBytes);
      headers.add(ReplayHeaders.SOURCE_PARTITION, partitionBytes[source.partition()]);
      headers.add(ReplayHeaders.SOURCE_OFFSET, utf8(Long.toString(source.offset())));
      headers.add(ReplayHeaders.SOURCE_SCHEMA_VERSION, versionBytes[matched.sourceVersion()]);
      headers.add(ReplayHeaders.EVENT_DATE, dayBytes.computeIfAbsent(
          Math.floorDiv(matched.eventTimeMillis(), 86_400_000L), day -> utf8(LocalDate.ofEpochDay(day).toString())));
    }
    send(new ProducerRecord<>(topic, source.partition(), null, source.key(), matched.value(), headers));
  }

  /** A source record that could not be replayed, as it was, with why in its headers. */
  void deadLetter(ConsumerRecord<byte[], byte[]> source, EventReplayer.DeadLetter dead) {
    RecordHeaders headers = new RecordHeaders(source.headers().toArray());
    headers.add(ReplayHeaders.BACKFILL_ID, backfillIdBytes);
    headers.add(ReplayHeaders.SOURCE_TOPIC, utf8(source.topic()));
    headers.add(ReplayHeaders.SOURCE_PARTITION, utf8(Integer.toString(source.partition())));
    headers.add(ReplayHeaders.SOURCE_OFFSET, utf8(Long.toString(source.offset())));
    headers.add(ReplayHeaders.ERROR_STAGE, utf8(dead.stage()));
    headers.add(ReplayHeaders.ERROR_CLASS, utf8(dead.error().getClass().getName()));
    headers.add(ReplayHeaders.ERROR_MESSAGE, utf8(String.valueOf(dead.error().getMessage())));
    send(new ProducerRecord<>(deadLetterTopic, source.partition(), null, source.key(),
        source.value(), headers));
  }

  /**
   * Commits the open transaction (or a new one) with {@code status} and, for an EXECUTE, the
   * source {@code offsets} under the backfill's replay group, unless a record of it failed to send.
   *
   * @param offsets null for a PREVIEW, which holds no offsets
   * @throws RepriseRetriableException if a record of the transaction could not be sent
   */
  void commit(BackfillStatus status, Map<TopicPartition, OffsetAndMetadata> offsets) {
    begin();
    throwSendError();
    producer.send(new ProducerRecord<>(ControlTopics.STATUS, null, null, backfillIdBytes, ctx.codec().encode(status)));
    if (offsets != null) {
      producer.sendOffsetsToTransaction(offsets, new ConsumerGroupMetadata(ControlTopics.replayGroup(backfillId)));
    }
    producer.commitTransaction();
    inTransaction = false;
  }

  private void throwSendError() {
    Exception failed = sendError.getAndSet(null);
    if (failed != null) {
      throw new RepriseRetriableException("a record of backfill '" + backfillId + "' could not be sent: " + failed, failed);
    }
  }

  /**
   * Aborts the open transaction; a producer that cannot abort is rebuilt. Fencing is rethrown: a
   * new owner has the backfill.
   */
  void abort() {
    sendError.set(null);
    if (!inTransaction) {
      return;
    }
    try {
      producer.abortTransaction();
    } catch (org.apache.kafka.common.errors.ProducerFencedException
        | org.apache.kafka.common.errors.InvalidProducerEpochException e) {
      throw e;
    } catch (org.apache.kafka.common.KafkaException e) {
      // The producer may be unusable; rebuild it rather than fail the run.
      log.warn("backfill '{}': abort failed ({}); rebuilding the producer", backfillId, e.toString());
      close();
      open();
    }
    inTransaction = false;
  }

  /** Publishes {@code status} alone, after aborting whatever is open: the FAILED status. */
  void publishAlone(BackfillStatus status) {
    if (inTransaction) {
      producer.abortTransaction();
      inTransaction = false;
    }
    producer.beginTransaction();
    producer.send(new ProducerRecord<>(ControlTopics.STATUS, null, null, backfillIdBytes, ctx.codec().encode(status)));
    producer.commitTransaction();
  }

  /** A metric of the producer ({@code producer-metrics} group), empty while it has no value. */
  OptionalDouble metric(String name) {
    KafkaProducer<byte[], byte[]> current = producer;
    if (current == null) {
      return OptionalDouble.empty();
    }
    try {
      for (var entry : current.metrics().entrySet()) {
        if (entry.getKey().name().equals(name) && entry.getKey().group().equals("producer-metrics")
            && entry.getValue().metricValue() instanceof Double value && !value.isNaN()) {
          return OptionalDouble.of(value);
        }
      }
    } catch (RuntimeException e) {
      // A producer being replaced: no reading this tick.
    }
    return OptionalDouble.empty();
  }

  void close() {
    KafkaClientObserver.closeQuietly(metrics);
    metrics = null;
    if (producer != null) {
      try {
        producer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        log.debug("closing the producer of '{}': {}", backfillId, e.toString());
      }
      producer = null;
    }
    inTransaction = false;
  }

  private void send(ProducerRecord<byte[], byte[]> record) {
    producer.send(record, (metadata, error) -> {
      if (error != null) {
        sendError.compareAndSet(null, error);
      }
    });
  }

  private static byte[] utf8(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }
}
