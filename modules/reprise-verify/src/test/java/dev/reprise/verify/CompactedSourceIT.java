package dev.reprise.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprise.coordinator.ReplayCoordinator;
import dev.reprise.embedded.EmbeddedKafkaBroker;
import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillCounters;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillRequest.EffectsPolicy;
import dev.reprise.protocol.BackfillRequest.Mode;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.registry.serde.AvroWireFormat;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source is a compacted log and its cleaner runs all the time: corrections (a key written
 * again) and deletions (tombstones) land while a backfill replays and after it completed, and the
 * cleaner removes records the backfill already published. Verification still holds, and counts
 * those records; a record removed from the backfill topic still fails it.
 *
 * <p>On a broker of its own, whose cleaner looks for work every 100 ms instead of every 15 s.
 */
@RepriseIntegrationTest
class CompactedSourceIT {

  private static final Instant FROM = Instant.parse("2020-01-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void shouldVerifyWhileTheCleanerRemovesReplayedRecordsAndStillFailARecordMissingDownstream(
      RepriseTestEnvironment shared, @TempDir Path dir) throws Exception {
    String source = "submissions";
    String id = "compacted";
    // No revisions or deletions in the history itself: every compaction below is one this test wrote.
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(3000).seed(5)
        .revisionShare(0).tombstoneShare(0).build());
    try (var broker = EmbeddedKafkaBroker.builder().dataDirectory(dir.resolve("kafka"))
            .brokerProperty("log.cleaner.backoff.ms", "100").build().start();
        var env = RepriseTestEnvironment.on(broker.bootstrapServers(), shared.schemaRegistryUrl());
        var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var client = BackfillClient.create(Map.of("bootstrap.servers", env.bootstrapServers()), registry);
        var producer = new KafkaProducer<>(env.producerConfig(), new ByteArraySerializer(), new ByteArraySerializer());
        var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
            .allowedSourceTopics(Set.of(source)).build().start()) {
      env.admin().createTopics(List.of(new NewTopic(source, 3, (short) 1).configs(Map.of(
          "cleanup.policy", "compact", "segment.ms", "100", "min.cleanable.dirty.ratio", "0.001",
          "min.compaction.lag.ms", "0", "delete.retention.ms", "0")))).all().get(30, TimeUnit.SECONDS);
      new HistoryWriter(env.producerConfig(), registry).write(source, 3, history);
      List<ConsumerRecord<byte[], byte[]>> original = env.readCommitted(source);

      client.submit(new BackfillRequest(id, source, FROM, TO, Map.of(), OptionalInt.empty(), Mode.EXECUTE, List.of(),
          OptionalDouble.of(300), EffectsPolicy.SUPPRESS, Optional.of("compaction-it"), Optional.of("test")));
      BackfillStatus halfway = await().atMost(Duration.ofSeconds(60)).until(() -> client.status(id).orElse(null),
          s -> s != null && s.state() == BackfillState.RUNNING && s.counter(BackfillCounters.PUBLISHED) >= 1200);

      // While it runs: correct and delete records it has read, and records it has yet to read. The
      // first 20 of each partition are left alone: one of them is removed downstream at the end.
      List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
      List<ConsumerRecord<byte[], byte[]>> ahead = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> record : original) {
        long position = halfway.partitions().get(record.partition()).position();
        if (record.offset() >= 20 && record.offset() < position) {
          read.add(record);
        } else if (record.offset() >= position + 300) {
          ahead.add(record);
        }
      }
      for (int i = 0; i < read.size(); i += 10) {
        ConsumerRecord<byte[], byte[]> record = read.get(i);
        producer.send(new ProducerRecord<>(source, record.partition(), record.key(), i % 20 == 0 ? null : record.value()));
      }
      for (int i = 0; i < ahead.size(); i += 10) {
        producer.send(new ProducerRecord<>(source, ahead.get(i).partition(), ahead.get(i).key(), ahead.get(i).value()));
      }
      producer.flush();

      BackfillStatus done = await().atMost(Duration.ofSeconds(90)).until(() -> client.status(id).orElse(null),
          s -> s != null && s.state() == BackfillState.COMPLETED);

      // After it: more of both, until the cleaner has removed records the backfill published, and
      // dropped a deletion's tombstone too. Each round rolls a segment, so there is work to clean.
      BackfillVerifier verifier = new BackfillVerifier(Map.of("bootstrap.servers", env.bootstrapServers()), registry,
          client);
      int[] round = {0};
      await("the cleaner removes replayed records and a tombstone").atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(500)).until(() -> {
            ConsumerRecord<byte[], byte[]> record = read.get((round[0]++ * 7 + 3) % read.size());
            producer.send(new ProducerRecord<>(source, record.partition(), record.key(), round[0] % 2 == 0 ? null
                : record.value())).get(10, TimeUnit.SECONDS);
            VerificationReport report = verifier.check(done);
            return report.compacted() > 0 && report.deleted() > 0;
          });

      VerificationReport report = verifier.verify(id);
      assertThat(report.verified()).as(report.failures()).isTrue();
      assertThat(report.compacted()).isPositive();
      assertThat(report.deleted()).isPositive();
      assertThat(report.days().stream().mapToLong(d -> d.expected().count()).sum())
          .isEqualTo(done.counter(BackfillCounters.PUBLISHED));
      assertThat(client.status(id).orElseThrow().state()).isEqualTo(BackfillState.VERIFIED);

      // A record still in the source and missing downstream is a failure, compaction or not.
      ConsumerRecord<byte[], byte[]> removed = env.readCommitted(ControlTopics.backfillTopic(id)).stream()
          .filter(r -> r.partition() == 0).findFirst().orElseThrow();
      env.admin().deleteRecords(Map.of(new TopicPartition(removed.topic(), 0), RecordsToDelete.beforeOffset(1)))
          .all().get(30, TimeUnit.SECONDS);
      LocalDate day = dayOf(registry, removed.value());
      VerificationReport missing = verifier.check(done);
      assertThat(missing.verified()).isFalse();
      assertThat(missing.failedDays()).extracting(VerificationReport.DayCheck::day).containsExactly(day);
      VerificationReport.DayCheck failed = missing.failedDays().get(0);
      assertThat(failed.published().count()).isEqualTo(failed.expected().count() - 1);
    }
  }

  private static LocalDate dayOf(ConfluentSchemaRegistryClient registry, byte[] value) {
    var schema = registry.schemaById(AvroWireFormat.schemaId(value));
    var record = AvroWireFormat.decode(value, schema, schema);
    return LocalDate.ofInstant(Instant.ofEpochMilli((Long) record.get("submittedAt")), ZoneOffset.UTC);
  }
}
