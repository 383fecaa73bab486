package dev.reprise.coordinator.internal;

import dev.reprise.core.KafkaClientObserver;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.ControlCodec;
import dev.reprise.protocol.EventTypeChoice;
import dev.reprise.protocol.internal.StatusStore;
import dev.reprise.registry.SchemaRegistryClient;
import dev.reprise.spi.EventType;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;

/**
 * What every backfill run of one coordinator instance shares.
 *
 * @param clientConfig connection settings for every Kafka client (bootstrap, security)
 * @param clock operational time: commit cadence, rate and ETA; never event time
 * @param commitInterval how long a transaction collects records before it commits with a status
 * @param backfillRetention retention of the backfill and dead-letter topics
 * @param replayThreads threads that decode and upcast a backfill's records
 * @param eventTypes the kinds of events source topics hold (versions, upcasters, identity,
 *     filters), of which each request names one
 * @param backpressure adaptive rate settings and the ticker that applies them
 * @param clients told of every Kafka client a run opens (metrics)
 * @param audit where a run records each state it enters
 * @param samples what of a matched record a status may show
 * @param readableProvenance whether replayed records also carry the readable provenance headers
 */
public record RunContext(
    Map<String, Object> clientConfig,
    Admin admin,
    SchemaRegistryClient registry,
    ControlCodec codec,
    StatusStore statusStore,
    Clock clock,
    String instanceId,
    Duration commitInterval,
    Duration backfillRetention,
    Optional<Short> replicationFactor,
    int maxPollRecords,
    int replayThreads,
    EventTypeChoice eventTypes,
    Backpressure backpressure,
    KafkaClientObserver clients,
    Auditor audit,
    StatusSamples samples,
    boolean readableProvenance) {

  public RunContext {
    clientConfig = Map.copyOf(clientConfig);
  }

  /**
   * The event type of an accepted request.
   *
   * @throws IllegalStateException if it has none here (a status adopted from a coordinator with
   *     other plugins)
   */
  public EventType eventType(BackfillRequest request) {
    return eventTypes.of(request).orElseThrow(() -> new IllegalStateException(eventTypes.whyNone(request)));
  }
}
