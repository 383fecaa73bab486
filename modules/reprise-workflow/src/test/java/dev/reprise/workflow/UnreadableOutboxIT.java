package dev.reprise.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.reprise.protocol.DeadLetterRedriver;
import dev.reprise.coordinator.ReplayCoordinator;
import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillRequest.EffectsPolicy;
import dev.reprise.protocol.BackfillRequest.Mode;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import dev.reprise.protocol.DeadLetterRedriver.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A record on the effect outbox that no codec reads (written by something else, or damaged) is a
 * dead letter of stage {@code outbox}, not a partition stuck behind it: the effects after it on
 * that partition, and on every other, are performed once each.
 */
@RepriseIntegrationTest
class UnreadableOutboxIT {

  @TempDir Path state;

  @Test
  void shouldDeadLetterAnUnreadableEffectRequestAndPerformEveryEffectAfterIt(RepriseTestEnvironment env)
      throws Exception {
    String source = env.uniqueName("submissions");
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(400).seed(61).corruptShare(0)
        .dirtyShare(0).tombstoneShare(0).build());
    List<String> valid = GeneratedEvents.ids(history);
    String name = env.uniqueName("outbox");
    String backfill = env.uniqueName("after-poison");
    Map<String, Object> clientConfig = Map.of("bootstrap.servers", env.bootstrapServers());

    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var client = BackfillClient.create(clientConfig, registry);
        var sink = new CountingWebhookServer();
        var producer = new KafkaProducer<>(env.producerConfig(), new ByteArraySerializer(), new ByteArraySerializer())) {
      new HistoryWriter(env.producerConfig(), registry).write(source, 3, history);
      try (var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
              .allowedSourceTopics(Set.of(source)).build().start();
          var runtime = WorkflowRuntime.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
              .workflow(new WebhookWorkflow(name, Set.of())).backfills(Set.of(backfill))
              .sink(new HttpWebhookSink("webhook", sink.url())).stateDirectory(state).build().start();
          var redriver = DeadLetterRedriver.create(clientConfig, name)) {
        await().atMost(Duration.ofSeconds(30)).until(() -> env.admin().listTopics().names().get(10, TimeUnit.SECONDS)
            .contains(WorkflowTopics.effects(name)));
        producer.send(new ProducerRecord<>(WorkflowTopics.effects(name), 0, "poison".getBytes(StandardCharsets.UTF_8),
            "not an effect request".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);

        client.submit(new BackfillRequest(backfill, source, Instant.parse("2020-01-01T00:00:00Z"),
            Instant.parse("2026-01-01T00:00:00Z"), Map.of(), OptionalInt.empty(), Mode.EXECUTE, List.of(),
            OptionalDouble.empty(), EffectsPolicy.ENABLE, Optional.of("it"), Optional.empty()));
        await().atMost(Duration.ofSeconds(90)).until(() -> sink.accepted().size() == valid.size());

        List<DeadLetter> letters = redriver.deadLetters();
        assertThat(letters).singleElement().satisfies(letter -> {
          assertThat(letter.stage()).isEqualTo(WorkflowHeaders.STAGE_OUTBOX);
          assertThat(letter.inputTopic()).isEqualTo(WorkflowTopics.effects(name));
        });
        DeadLetter poison = letters.get(0);
        assertThatThrownBy(() -> redriver.retryItem(poison.partition(), poison.offset()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nothing to retry");
      }
      assertThat(sink.accepted().keySet()).containsExactlyInAnyOrderElementsOf(valid);
      assertThat(sink.accepted()).allSatisfy((key, calls) -> assertThat(calls).as(key).isEqualTo(1));
    }
  }
}
