package dev.reprise.cli;

import dev.reprise.observability.ObservabilityServer;
import dev.reprise.observability.RepriseMetrics;
import dev.reprise.observability.WorkflowMetrics;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.reprise.workflow.HttpWebhookSink;
import dev.reprise.workflow.Workflow;
import dev.reprise.workflow.WorkflowRuntime;
import dev.reprise.workflow.builtin.FormDailyStatsWorkflow;
import dev.reprise.workflow.builtin.NotifyWorkflow;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code reprise worker --workflow NAME}: run one built-in workflow until interrupted. */
@Command(name = "worker", mixinStandardHelpOptions = true,
    description = {"Run a built-in workflow (notify, form-daily-stats) on Kafka Streams until Ctrl-C: every backfill"
        + " topic (or --backfill ones) and --live-topic. Start more to scale out."})
final class WorkerCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ConnectionOptions connection = new ConnectionOptions();

  @Mixin HttpOptions http = new HttpOptions();

  @Option(names = "--workflow", required = true, description = "notify or form-daily-stats.")
  String workflow;

  @Option(names = "--webhook", paramLabel = "URL", description = "Where notify posts (required for notify).")
  URI webhook;

  @Option(names = "--webhook-lookup", paramLabel = "URL",
      description = "Where notify asks whether an idempotency key was seen (GET URL/KEY: 200 or 404), for effects in"
          + " doubt after a crash (default: none; they are posted again with the same key).")
  URI webhookLookup;

  @Option(names = "--backfill", paramLabel = "ID", description = "Only these backfills; repeat (default: every backfill).")
  List<String> backfills = List.of();

  @Option(names = "--live-topic", paramLabel = "TOPIC", description = "Live topics to handle too; repeat (default: none).")
  List<String> liveTopics = List.of();

  @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "${sys:user.home}/.reprise/workers",
      description = "Where RocksDB keeps the dedup store (default: ${DEFAULT-VALUE}).")
  Path stateDirectory;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    Workflow chosen = switch (workflow) {
      case NotifyWorkflow.NAME -> new NotifyWorkflow();
      case FormDailyStatsWorkflow.NAME -> new FormDailyStatsWorkflow();
      default -> throw new IllegalArgumentException("unknown workflow '" + workflow + "'; built in: "
          + NotifyWorkflow.NAME + ", " + FormDailyStatsWorkflow.NAME);
    };
    if (chosen instanceof NotifyWorkflow && webhook == null) {
      throw new IllegalArgumentException("notify posts to a webhook: give --webhook URL");
    }
    var platform = connection.connect();
    var registry = ConfluentSchemaRegistryClient.create(platform.schemaRegistryUrl());
    PrometheusMeterRegistry meters = RepriseMetrics.registry("worker");
    var builder = WorkflowRuntime.builder().bootstrapServers(platform.bootstrapServers())
        .clientObserver(RepriseMetrics.kafkaClients(meters))
        .kafkaProperties(platform.properties()).schemaRegistry(registry)
        .workflow(chosen).liveTopics(new LinkedHashSet<>(liveTopics)).stateDirectory(stateDirectory.resolve(workflow));
    if (!backfills.isEmpty()) {
      builder.backfills(new LinkedHashSet<>(backfills));
    }
    if (chosen instanceof NotifyWorkflow) {
      builder.sink(new HttpWebhookSink(NotifyWorkflow.SINK, webhook, webhookLookup));
    }
    WorkflowRuntime runtime = builder.build().start();
    WorkflowMetrics metrics = new WorkflowMetrics(runtime, platform.clientConfig());
    metrics.bindTo(meters);
    // Workers serve metrics only; several on one machine take free ports unless told one.
    ObservabilityServer server = http.serve(0, meters, null);
    UntilStopped running = UntilStopped.onStop("reprise-worker-shutdown", () -> {
      if (server != null) {
        server.close();
      }
      metrics.close();
      runtime.close();
      registry.close();
      platform.close();
    });
    out.printf("workflow '%s' running (backfills: %s, live: %s); Ctrl-C stops it%n", workflow,
        backfills.isEmpty() ? "all" : backfills, liveTopics.isEmpty() ? "none" : liveTopics);
    runtime.livePositions().forEach((topic, joined) -> out.printf(joined.set().isEmpty()
            ? "live on '%s' from its committed positions %s%n"
            : "live on '%s' from %s: joined at its end now; earlier records reach '%s' only through a backfill"
                + " ('reprise onboard --workflow %s --live-topic %s' replays them)%n",
        topic, joined.positions(), workflow, workflow, topic));
    if (server != null) {
      out.printf("metrics: %smetrics%n", server.url());
    }
    out.flush();
    running.await();
    return 0;
  }
}
