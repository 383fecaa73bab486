package dev.reprise.coordinator.internal;

import dev.reprise.core.KafkaClientObserver;
import dev.reprise.core.RepriseRetriableException;
import dev.reprise.protocol.AuditEntry;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.ControlCodec;
import dev.reprise.protocol.ControlTopics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the audit trail ({@link ControlTopics#AUDIT}) of one coordinator instance. A decision
 * about a command is written before the coordinator acts on it and waits for the broker, so a
 * command that was acted upon is always in the trail (a crash between the two can leave an entry
 * for a command that is then decided again: the trail is at least once). A state a run entered is
 * written after its transaction committed, without waiting.
 */
public final class Auditor implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Auditor.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Map<String, Object> clientConfig;
  private final ControlCodec codec;
  private final Clock clock;
  private final String instanceId;
  private volatile KafkaProducer<byte[], byte[]> producer;

  public Auditor(Map<String, Object> clientConfig, ControlCodec codec, Clock clock, String instanceId) {
    this.clientConfig = Map.copyOf(clientConfig);
    this.codec = codec;
    this.clock = clock;
    this.instanceId = instanceId;
  }

  /** Opens the producer; the coordinator's start, so that building one touches no server. */
  public synchronized AutoCloseable open(KafkaClientObserver observer) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "reprise-coordinator-audit-" + instanceId);
    producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    MetadataWarmUp.of(producer, ControlTopics.AUDIT);
    return observer.opened(producer);
  }

  /** A decision about a command; waits until the broker has it. */
  public void command(String backfillId, String command, Optional<String> requester, Optional<String> requestedBy,
      String decision, Optional<String> reason, String source) {
    write(AuditEntry.command(clock.instant(), backfillId, command, requester, requestedBy, decision, reason, instanceId,
        Optional.of(source)), true);
  }

  /** A state a backfill entered (after it was committed); does not wait. */
  public void transition(String backfillId, Optional<BackfillState> from, BackfillState to, Optional<String> reason) {
    write(AuditEntry.transition(clock.instant(), backfillId, from, to, reason, instanceId), false);
  }

  /** The access policy loaded or refused; does not wait. */
  public void policy(String decision, String reason) {
    write(AuditEntry.policy(clock.instant(), decision, reason, instanceId), false);
  }

  private void write(AuditEntry entry, boolean await) {
    KafkaProducer<byte[], byte[]> out = producer;
    if (out == null) {
      throw new IllegalStateException("the audit trail of coordinator " + instanceId + " is not open");
    }
    byte[] key = entry.backfillId().map(id -> id.getBytes(StandardCharsets.UTF_8)).orElse(null);
    var sent = out.send(new ProducerRecord<>(ControlTopics.AUDIT, key, codec.encode(entry)), (metadata, e) -> {
      if (e != null && !await) {
        log.error("coordinator {}: could not write to {}: {} ({})", instanceId, ControlTopics.AUDIT, e.toString(),
            entry.describe());
      }
    });
    if (!await) {
      return;
    }
    try {
      sent.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RepriseRetriableException("interrupted while writing to " + ControlTopics.AUDIT, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new RepriseRetriableException("cannot write to " + ControlTopics.AUDIT + ": " + e, e);
    }
  }

  @Override
  public synchronized void close() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
      producer = null;
    }
  }
}
