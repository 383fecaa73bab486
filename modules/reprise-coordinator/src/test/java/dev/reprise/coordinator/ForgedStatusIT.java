package dev.reprise.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.protocol.AuditEntry;
import dev.reprise.protocol.AuditTrail;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillRequest.EffectsPolicy;
import dev.reprise.protocol.BackfillRequest.Mode;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The status topic is not where requests are accepted: a status written by hand on {@code
 * reprise.status} for a topic off the allowlist — the attack found from outside: an ACCEPTED
 * status for {@code exfil} with source {@code secret}, then {@code RESUME} — makes the coordinator
 * read nothing and answer FAILED, both when a command resumes it and when an instance adopts it
 * after a rebalance.
 */
@RepriseIntegrationTest
class ForgedStatusIT {

  private static final Instant FROM = Instant.parse("2020-01-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void shouldNotReplayATopicOffTheAllowlistFromAForgedStatusWhenResumedNorWhenAdopted(RepriseTestEnvironment env)
      throws Exception {
    String allowed = env.uniqueName("allowed");
    String secret = env.uniqueName("secret");
    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var client = BackfillClient.create(Map.of("bootstrap.servers", env.bootstrapServers()), registry);
        var forger = new KafkaProducer<>(env.producerConfig(), new ByteArraySerializer(), new ByteArraySerializer())) {
      HistoryWriter writer = new HistoryWriter(env.producerConfig(), registry);
      writer.write(allowed, 2, new HistoryGenerator(HistorySpec.builder().events(50).seed(1).build()));
      writer.write(secret, 2, new HistoryGenerator(HistorySpec.builder().events(300).seed(2).build()));
      String resumed = env.uniqueName("exfil");
      String adopted = env.uniqueName("exfil-adopted");

      try (var coordinator = coordinator(env, registry, allowed)) {
        forge(forger, client, resumed, secret);
        client.resume(resumed);
        BackfillStatus answer = await("the forged backfill answered").atMost(Duration.ofMinutes(1))
            .until(() -> client.status(resumed).orElse(null), s -> s != null && s.state() == BackfillState.FAILED);
        assertThat(answer.reason()).hasValueSatisfying(reason -> assertThat(reason)
            .contains("not run").contains("source topic '" + secret + "' is not on the coordinator's allowlist"));
        assertThat(AuditTrail.read(Map.of("bootstrap.servers", env.bootstrapServers()), client.codec(),
            Optional.of(resumed), Duration.ofSeconds(30))).as("audited as refused")
            // Whichever came first, the RESUME or a check at the coordinator's assignment, the run
            // is refused as FAILED naming why, and the RESUME is refused.
            .anySatisfy(entry -> {
              assertThat(entry.kind()).isEqualTo(AuditEntry.Kind.TRANSITION);
              assertThat(entry.toState()).contains("FAILED");
              assertThat(entry.reason().orElseThrow()).contains("is not on the coordinator's allowlist");
            })
            .anySatisfy(entry -> {
              assertThat(entry.kind()).isEqualTo(AuditEntry.Kind.COMMAND);
              assertThat(entry.command()).contains("RESUME");
              assertThat(entry.decision()).contains("REFUSED");
            });
        // Written while no instance serves the requests: adopted by the next one at its assignment.
        coordinator.close();
        forge(forger, client, adopted, secret);
      }
      try (var next = coordinator(env, registry, allowed)) {
        BackfillStatus answer = await("the adopted forged backfill answered").atMost(Duration.ofMinutes(1))
            .until(() -> client.status(adopted).orElse(null), s -> s != null && s.state() == BackfillState.FAILED);
        assertThat(answer.reason()).hasValueSatisfying(reason -> assertThat(reason).contains("is not on the"));
        assertThat(AuditTrail.read(Map.of("bootstrap.servers", env.bootstrapServers()), client.codec(),
            Optional.of(adopted), Duration.ofSeconds(30))).as("the refused adoption is audited")
            .anySatisfy(entry -> assertThat(entry.toState()).contains("FAILED"));
      }
      Set<String> topics = env.admin().listTopics().names().get();
      assertThat(topics).as("nothing was replayed").doesNotContain(ControlTopics.backfillTopic(resumed),
          ControlTopics.backfillTopic(adopted));
    }
  }

  private static ReplayCoordinator coordinator(RepriseTestEnvironment env, ConfluentSchemaRegistryClient registry,
      String allowed) {
    return ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
        .allowedSourceTopics(Set.of(allowed)).sessionTimeout(Duration.ofSeconds(6)).build().start();
  }

  /** What anyone allowed to write reprise.status could write: an ACCEPTED status of their own making. */
  private static void forge(KafkaProducer<byte[], byte[]> forger, BackfillClient client, String id, String source)
      throws Exception {
    BackfillRequest request = new BackfillRequest(id, source, FROM, TO, Map.of(), OptionalInt.empty(), Mode.EXECUTE,
        List.of(), OptionalDouble.empty(), EffectsPolicy.SUPPRESS, Optional.of("mallory"), Optional.empty());
    BackfillStatus forged = BackfillStatus.of(id, BackfillState.ACCEPTED, Optional.empty(), Optional.of(request),
        Optional.of("nobody"), Instant.now());
    forger.send(new ProducerRecord<>(ControlTopics.STATUS, id.getBytes(StandardCharsets.UTF_8),
        client.codec().encode(forged))).get();
  }
}
