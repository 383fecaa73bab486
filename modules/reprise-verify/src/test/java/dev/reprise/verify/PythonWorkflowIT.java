package dev.reprise.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprise.coordinator.ReplayCoordinator;
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
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import dev.reprise.workflow.CountingWebhookServer;
import dev.reprise.workflow.Receipt;
import dev.reprise.workflow.ReceiptOutcome;
import dev.reprise.workflow.WorkflowReceipts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A workflow not written in Java ({@code examples/python-workflow}, on librdkafka and Apache Avro's
 * Python library, no Reprise code) declares itself, follows a backfill read_committed, performs each
 * event's effect once, writes receipts in the documented format, and {@code reprise verify}'s
 * verifier checks it like a Java workflow. Killed with SIGKILL and started again, it restores its
 * dedup from its receipts: a second backfill of the same history performs no effect twice.
 *
 * <p>Needs Debian's {@code python3-confluent-kafka} and {@code python3-avro}: skipped where they
 * are missing, unless {@code REPRISE_PYTHON_REQUIRED=true} ({@code .ci/run} installs them and sets
 * it), then it fails.
 */
@RepriseIntegrationTest
class PythonWorkflowIT {

  private static final Path SCRIPT = Path.of("../../examples/python-workflow/reprise_workflow.py");
  private static final String PYTHON = "/usr/bin/python3";

  @TempDir Path dir;

  @Test
  void shouldVerifyAPythonWorkflowThatPerformsEachEffectOnceAcrossAKillAndASecondBackfill(RepriseTestEnvironment env)
      throws Exception {
    assumePython();
    String source = env.uniqueName("submissions");
    String workflow = env.uniqueName("py-notify");
    String first = env.uniqueName("py-first");
    String second = env.uniqueName("py-second");
    Map<String, Object> clientConfig = Map.of("bootstrap.servers", env.bootstrapServers());

    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var client = BackfillClient.create(clientConfig, registry);
        var webhook = new CountingWebhookServer()) {
      new HistoryWriter(env.producerConfig(), registry).write(source, 3,
          new HistoryGenerator(HistorySpec.builder().events(1500).seed(91).build()));
      // No knownWorkflows: the coordinator accepts the workflow because it declared itself.
      try (var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
          .allowedSourceTopics(Set.of(source)).build().start()) {
        Process python = startWorkflow(env, workflow, webhook, "1");
        try {
          BackfillStatus done = execute(client, first, source, workflow);
          long published = done.counter(BackfillCounters.PUBLISHED);
          assertThat(published).isGreaterThan(500);
          await("the Python workflow's receipts").atMost(Duration.ofSeconds(120))
              .until(() -> WorkflowReceipts.of(clientConfig, registry, workflow, first).size() == published);

          VerificationReport report = new BackfillVerifier(clientConfig, registry, client).verify(first,
              Duration.ofMinutes(1));
          assertThat(report.failures()).isEmpty();
          assertThat(report.verified()).isTrue();
          assertThat(report.days().stream().mapToLong(d -> d.workflows().get(workflow).count()).sum())
              .isEqualTo(published);
          Map<String, List<Receipt>> receipts = WorkflowReceipts.of(clientConfig, registry, workflow, first);
          assertThat(receipts.values()).allSatisfy(its -> assertThat(its).singleElement()
              .extracting(Receipt::outcome).isEqualTo(ReceiptOutcome.PROCESSED));
          assertThat(webhook.accepted()).hasSize((int) published)
              .allSatisfy((key, calls) -> assertThat(calls).as(key).isEqualTo(1));
          assertThat(webhook.accepted().keySet()).containsExactlyInAnyOrderElementsOf(
              receipts.keySet().stream().map(id -> workflow + ":" + id).toList());
        } finally {
          python.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }

        // SIGKILL'd above; its successor knows what was handled from its committed receipts only.
        Process again = startWorkflow(env, workflow, webhook, "2");
        try {
          BackfillStatus done = execute(client, second, source, workflow);
          long published = done.counter(BackfillCounters.PUBLISHED);
          await("the second backfill's receipts").atMost(Duration.ofSeconds(120))
              .until(() -> WorkflowReceipts.of(clientConfig, registry, workflow, second).size() == published);
          assertThat(WorkflowReceipts.of(clientConfig, registry, workflow, second).values())
              .allSatisfy(its -> assertThat(its).singleElement().extracting(Receipt::outcome)
                  .isEqualTo(ReceiptOutcome.DUPLICATE));
          assertThat(webhook.accepted().values()).as("no effect performed twice").containsOnly(1);
          assertThat(new BackfillVerifier(clientConfig, registry, client).verify(second, Duration.ofMinutes(1))
              .verified()).isTrue();
        } finally {
          again.destroy();
          assertThat(again.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
          assertThat(dir.resolve("ready-2")).as("its ready file removed on stop").doesNotExist();
        }
      }
    }
  }

  private static BackfillStatus execute(BackfillClient client, String id, String source, String workflow) {
    client.submit(new BackfillRequest(id, source, Instant.parse("2023-01-01T00:00:00Z"),
        Instant.parse("2026-01-01T00:00:00Z"), Map.of(), OptionalInt.empty(), Mode.EXECUTE, List.of(workflow),
        OptionalDouble.empty(), EffectsPolicy.ENABLE, Optional.of("it"), Optional.empty()));
    BackfillStatus done = await().atMost(Duration.ofSeconds(120)).until(() -> client.status(id).orElse(null),
        s -> s != null && s.state().isTerminal());
    assertThat(done.state()).as("%s: %s", id, done.reason()).isEqualTo(BackfillState.COMPLETED);
    return done;
  }

  private Process startWorkflow(RepriseTestEnvironment env, String workflow, CountingWebhookServer webhook, String run)
      throws Exception {
    Path ready = dir.resolve("ready-" + run);
    Path log = dir.resolve("python-" + run + ".log");
    List<String> line = new ArrayList<>(List.of(PYTHON, SCRIPT.toString(), "--workflow", workflow,
        "--webhook", webhook.url().toString(), "--bootstrap-servers", env.bootstrapServers(),
        "--schema-registry", env.schemaRegistryUrl(), "--ready-file", ready.toString()));
    Process process = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    await("the Python workflow ready (log: " + log + ")").atMost(Duration.ofSeconds(60))
        .until(() -> Files.exists(ready) || !process.isAlive());
    assertThat(process.isAlive()).as("the Python workflow runs: %s", Files.exists(log) ? Files.readString(log) : "")
        .isTrue();
    return process;
  }

  private static void assumePython() throws Exception {
    Process probe = new ProcessBuilder(PYTHON, "-c", "import confluent_kafka, avro.io").redirectErrorStream(true)
        .start();
    boolean present = probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
    String why = PYTHON + " with confluent_kafka and avro (Debian: python3-confluent-kafka python3-avro)";
    if ("true".equalsIgnoreCase(System.getenv("REPRISE_PYTHON_REQUIRED"))) {
      assertThat(present).as("REPRISE_PYTHON_REQUIRED=true but there is no " + why).isTrue();
    }
    Assumptions.assumeTrue(present, "skipped: no " + why);
  }
}
