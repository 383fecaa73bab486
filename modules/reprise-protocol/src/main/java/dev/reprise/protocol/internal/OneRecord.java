package dev.reprise.protocol.internal;

import dev.reprise.core.RepriseRetriableException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes one keyed record to a small table of the control plane (a declaration, an announcement)
 * and waits for the broker to have it: how a process says something about itself once, at start or
 * stop.
 *
 * <pre>{@code
 * OneRecord.send(clientConfig, "reprise.workflows", "notify", bytes, "the declaration of 'notify'");
 * }</pre>
 */
public final class OneRecord {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private OneRecord() {}

  /**
   * @param value null for a tombstone
   * @param what names the record in an error, e.g. {@code the declaration of 'notify'}
   * @throws RepriseRetriableException if the broker does not take it within 30 s
   */
  public static void send(Map<String, Object> clientConfig, String topic, String key, byte[] value, String what) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (var producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value))
          .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RepriseRetriableException("interrupted while publishing " + what, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new RepriseRetriableException("cannot publish " + what + " on " + topic + ": " + e, e);
    }
  }
}
