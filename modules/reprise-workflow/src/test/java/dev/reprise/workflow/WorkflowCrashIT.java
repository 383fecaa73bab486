package dev.reprise.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import dev.reprise.workflow.CountingWebhookServer;
import dev.reprise.workflow.internal.ReceiptCodec;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A workflow instance in a child JVM is killed forcibly while it performs effects (calls made and
 * not yet recorded, transactions open), and a replacement takes over: every effect reaches the
 * sink exactly once, and every event has exactly one receipt.
 */
@RepriseIntegrationTest
class WorkflowCrashIT {

  @TempDir Path state;

  @Test
  void shouldNeitherRepeatNorMissAnEffectWhenAnInstanceIsKilledAndReplaced(RepriseTestEnvironment env) throws Exception {
    String source = env.uniqueName("submissions");
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(3000).seed(53).build());
    Set<String> valid = new HashSet<>(GeneratedEvents.ids(history));
    String name = env.uniqueName("crashing");
    Path log = Path.of("target", "workflow-crash-it-" + name + ".log");

    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var sink = new CountingWebhookServer()) {
      LiveTopics.subscribedBeforeWriting(env, name, source, 3);
      new HistoryWriter(env.producerConfig(), registry).write(source, 3, history);
      // 400 calls/s: about 7 s of effects, so the kill lands mid-run (and, with batches of up to
      // 100 effects, almost surely mid-batch: effects in doubt).
      Process doomed = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"),
          WorkflowProcess.class.getName(), env.bootstrapServers(), env.schemaRegistryUrl(), source, name,
          sink.url().toString(), sink.lookupUrl().toString(), state.resolve("doomed").toString(), "400")
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      try {
        await().atMost(Duration.ofSeconds(90)).until(() -> sink.accepted().size() >= 600);
      } finally {
        doomed.destroyForcibly();
        assertThat(doomed.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      int acceptedAtKill = sink.accepted().size();
      assertThat(acceptedAtKill).as("killed mid-run").isLessThan(valid.size());

      try (var replacement = WorkflowRuntime.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
          .workflow(new WebhookWorkflow(name)).liveTopics(Set.of(source)).allBackfills(false)
          .sink(new HttpWebhookSink("webhook", sink.url(), sink.lookupUrl()))
          .stateDirectory(state.resolve("replacement")).build().start()) {
        await().atMost(Duration.ofSeconds(120)).until(() -> processed(env, registry, name).size() >= valid.size());
        System.out.printf("killed after %d accepted; replacement: %s, %d lookups%n", acceptedAtKill,
            replacement.effectStats(), sink.lookups());
      }

      assertThat(sink.accepted().keySet()).as("no effect missing").isEqualTo(valid);
      assertThat(sink.accepted()).as("no effect repeated").allSatisfy((key, calls) -> assertThat(calls).as(key).isEqualTo(1));
      List<String> processed = processed(env, registry, name);
      assertThat(processed).as("one PROCESSED receipt per event").hasSize(valid.size()).doesNotHaveDuplicates();
    }
  }

  private static List<String> processed(RepriseTestEnvironment env, ConfluentSchemaRegistryClient registry, String workflow) {
    ReceiptCodec codec = new ReceiptCodec(registry, workflow);
    return env.readCommitted(WorkflowTopics.receipts(workflow)).stream().map(r -> codec.decode(r.value()))
        .filter(r -> r.outcome() == ReceiptOutcome.PROCESSED).map(Receipt::eventId).toList();
  }
}
