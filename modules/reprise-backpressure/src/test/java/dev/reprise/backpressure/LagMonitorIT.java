package dev.reprise.backpressure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

@RepriseIntegrationTest
class LagMonitorIT {

  private static final Instant WRITTEN = Instant.parse("2026-01-01T00:00:00Z");

  private final RepriseTestEnvironment env;
  private final AtomicReference<Instant> now = new AtomicReference<>(WRITTEN.plusSeconds(60));
  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  };

  LagMonitorIT(RepriseTestEnvironment env) {
    this.env = env;
  }

  /** 100 records in one transaction (offsets 0..99, the commit marker at 100), written at {@code WRITTEN} + i s. */
  private String transactionalTopic() {
    String topic = env.createTopic(env.uniqueName("lagged"), 1, Map.of());
    Map<String, Object> config = new HashMap<>(env.producerConfig());
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, topic);
    try (var producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      for (int i = 0; i < 100; i++) {
        producer.send(new ProducerRecord<>(topic, 0, WRITTEN.plusSeconds(i).toEpochMilli(), null, new byte[] {(byte) i}));
      }
      producer.commitTransaction();
    }
    // commitTransaction returns once the transaction coordinator has the commit; the marker reaches
    // the partition a moment later, and only then does the last stable offset move past the records.
    TopicPartition partition = new TopicPartition(topic, 0);
    await("the commit marker on " + topic).atMost(Duration.ofSeconds(10)).until(() -> env.admin()
        .listOffsets(Map.of(partition, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
        .partitionResult(partition).get().offset() == 101);
    return topic;
  }

  private void commit(String group, String topic, long offset) {
    try (var consumer = new KafkaConsumer<>(env.consumerConfig(group), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.commitSync(Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(offset)));
    }
  }

  @Test
  void shouldCallAGroupWithoutCommitsNotStartedRatherThanLaggingByTheWholeTopic() {
    String topic = transactionalTopic();
    try (var monitor = LagMonitor.create(Map.of("bootstrap.servers", env.bootstrapServers()), clock)) {
      GroupLag lag = monitor.lag(env.uniqueName("fresh"), List.of(topic));
      assertThat(lag.status()).isEqualTo(GroupStatus.NOT_STARTED);
      assertThat(lag.records()).isZero();
      assertThat(lag.partitions()).singleElement().satisfies(p -> {
        assertThat(p.committed()).isEmpty();
        assertThat(p.endOffset()).as("last stable offset, after the commit marker").isEqualTo(101);
      });
    }
  }

  @Test
  void shouldMeasureLagInRecordsAndInTimeFromTheNextRecordsRealTimestamp() {
    String topic = transactionalTopic();
    String group = env.uniqueName("behind");
    commit(group, topic, 40);
    try (var monitor = LagMonitor.create(Map.of("bootstrap.servers", env.bootstrapServers()), clock)) {
      GroupLag lag = monitor.lag(group, List.of(topic));
      assertThat(lag.records()).isEqualTo(61);
      // Record 40 was written at WRITTEN + 40 s; the clock says WRITTEN + 60 s.
      assertThat(lag.seconds()).hasValue(20.0);
      assertThat(lag.caughtUp()).isFalse();
      assertThat(lag.status()).as("nobody consumes").isEqualTo(GroupStatus.STOPPED);
    }
  }

  @Test
  void shouldCountAGroupAtTheLastStableOffsetAsCaughtUpThoughMarkersTookOffsets() {
    String topic = transactionalTopic();
    String group = env.uniqueName("done");
    // A consumer that read all 100 records is positioned past the marker.
    commit(group, topic, 101);
    try (var monitor = LagMonitor.create(Map.of("bootstrap.servers", env.bootstrapServers()), clock)) {
      GroupLag lag = monitor.lag(group, List.of(topic));
      assertThat(lag.caughtUp()).isTrue();
      assertThat(lag.records()).isZero();
      assertThat(lag.seconds()).hasValue(0.0);
      assertThat(lag.status()).isEqualTo(GroupStatus.OK);
    }
    String almost = env.uniqueName("almost");
    commit(almost, topic, 100);
    try (var monitor = LagMonitor.create(Map.of("bootstrap.servers", env.bootstrapServers()), clock)) {
      GroupLag lag = monitor.lag(almost, List.of(topic));
      assertThat(lag.records()).as("only the marker is left").isEqualTo(1);
      assertThat(lag.seconds()).as("no readable record is left to be late with").isEmpty();
    }
  }

  @Test
  void shouldTellStalledFromPausedByBackpressure() {
    String topic = transactionalTopic();
    String stalled = env.uniqueName("stuck");
    String paused = env.uniqueName("paused");
    commit(stalled, topic, 10);
    commit(paused, topic, 10);
    Map<String, Object> member = new HashMap<>(env.consumerConfig(stalled));
    try (var stuck = new KafkaConsumer<>(member, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        var holding = new KafkaConsumer<>(env.consumerConfig(paused), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        var monitor = LagMonitor.create(Map.of("bootstrap.servers", env.bootstrapServers()), clock, Duration.ofSeconds(5),
            Set.of(paused)::contains)) {
      // Members that joined and then neither read nor commit.
      stuck.subscribe(List.of(topic));
      holding.subscribe(List.of(topic));
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
        stuck.poll(Duration.ofMillis(100));
        holding.poll(Duration.ofMillis(100));
        return !stuck.assignment().isEmpty() && !holding.assignment().isEmpty();
      });
      stuck.pause(stuck.assignment());
      holding.pause(holding.assignment());
      stuck.seek(new TopicPartition(topic, 0), 10);

      assertThat(monitor.lag(stalled, List.of(topic)).status()).as("window not covered yet").isEqualTo(GroupStatus.OK);
      now.set(now.get().plusSeconds(6));
      stuck.poll(Duration.ofMillis(10));
      assertThat(monitor.lag(stalled, List.of(topic)).status()).isEqualTo(GroupStatus.STALLED);
      assertThat(monitor.lag(paused, List.of(topic)).status()).isEqualTo(GroupStatus.PAUSED_BY_BACKPRESSURE);
    }
  }
}
