package dev.reprise.cli;

import dev.reprise.observability.ObservabilityServer;
import dev.reprise.observability.RepriseMetrics;
import dev.reprise.observability.WorkflowMetrics;
import dev.reprise.workflow.HttpWebhookSink;
import dev.reprise.workflow.WorkflowRuntime;
import dev.reprise.workflow.api.EffectSink;
import dev.reprise.workflow.api.Workflow;
import dev.reprise.workflow.api.Workflows;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reprise worker --workflow NAME}: run one installed workflow (built in, or from a {@code
 * --plugin}) until interrupted, on the event type it names.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
    description = {"Run an installed workflow (notify, form-daily-stats, or a plugin's) on Kafka Streams until Ctrl-C:"
        + " every backfill topic (or --backfill ones) and --live-topic. Start more to scale out."})
final class WorkerCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ReadyFile ready = new ReadyFile();

  @Mixin ConnectionOptions connection = new ConnectionOptions();

  @Mixin HttpOptions http = new HttpOptions();

  @Option(names = "--workflow", required = true, paramLabel = "NAME",
      description = "An installed workflow: notify, form-daily-stats, or one a --plugin provides ('reprise plugins'"
          + " lists them).")
  String workflow;

  @Option(names = "--webhook", paramLabel = "URL",
      description = "Where the workflow's one effect sink posts (notify's 'webhook'); the same as --sink NAME=URL.")
  URI webhook;

  @Option(names = "--sink", paramLabel = "NAME=URL",
      description = "An HTTP sink the workflow performs effects on, by its name; repeat for each sink it names.")
  Map<String, URI> sinkUrls = new LinkedHashMap<>();

  @Option(names = "--webhook-lookup", paramLabel = "URL",
      description = "Where the webhook sink asks whether an idempotency key was seen (GET URL/KEY: 200 or 404), for"
          + " effects in doubt after a crash (default: none; they are posted again with the same key).")
  URI webhookLookup;

  @Option(names = "--backfill", paramLabel = "ID", description = "Only these backfills; repeat (default: every backfill).")
  List<String> backfills = List.of();

  @Option(names = "--live-topic", paramLabel = "TOPIC", description = "Live topics to handle too; repeat (default: none).")
  List<String> liveTopics = List.of();

  @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "${sys:user.home}/.reprise/workers",
      description = "Where RocksDB keeps the dedup store (default: ${DEFAULT-VALUE}).")
  Path stateDirectory;

  /**
   * The HTTP sinks the workflow performs on ({@link Workflow#sinks()}), each given by {@code --sink
   * NAME=URL}; {@code --webhook URL} names the only one of a workflow with one sink.
   */
  private Map<String, EffectSink> sinks(Workflow chosen) {
    Map<String, URI> urls = new TreeMap<>(sinkUrls);
    Set<String> needed = new TreeSet<>(chosen.sinks());
    if (webhook != null) {
      if (needed.size() != 1) {
        throw new UsageException("--webhook names the sink of a workflow with one; '" + workflow
            + "' performs effects on " + (needed.isEmpty() ? "none" : needed) + (needed.isEmpty() ? "" : ": give --sink NAME=URL"));
      }
      urls.putIfAbsent(needed.iterator().next(), webhook);
    }
    Set<String> missing = new TreeSet<>(needed);
    missing.removeAll(urls.keySet());
    if (!missing.isEmpty()) {
      throw new UsageException("workflow '" + workflow + "' performs effects on " + missing + ": give "
          + (needed.size() == 1 ? "--webhook URL or " : "") + missing.stream().map(n -> "--sink " + n + "=URL")
          .collect(Collectors.joining(" ")));
    }
    Set<String> unknown = new TreeSet<>(urls.keySet());
    unknown.removeAll(needed);
    if (!unknown.isEmpty()) {
      throw new UsageException("workflow '" + workflow + "' performs no effects on " + unknown + "; its sinks: "
          + (needed.isEmpty() ? "none" : needed));
    }
    if (webhookLookup != null && needed.size() != 1) {
      throw new UsageException("--webhook-lookup is for a workflow with one sink; '" + workflow
          + "' performs effects on " + (needed.isEmpty() ? "none" : needed));
    }
    Map<String, EffectSink> result = new TreeMap<>();
    urls.forEach((name, url) -> result.put(name, new HttpWebhookSink(name, url, webhookLookup)));
    return result;
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    Workflow chosen = Workflows.byName(workflow).orElseThrow(() -> new UsageException("unknown workflow '"
        + workflow + "'; installed: " + Workflows.names() + " (a team's own workflows come with --plugin PATH)"));
    Map<String, EffectSink> configured = sinks(chosen);
    var platform = connection.connect();
    var registry = platform.registry();
    PrometheusMeterRegistry meters = RepriseMetrics.registry("worker");
    var builder = WorkflowRuntime.builder().bootstrapServers(platform.bootstrapServers())
        .clientObserver(RepriseMetrics.kafkaClients(meters))
        .kafkaProperties(platform.kafkaProperties()).schemaRegistry(registry)
        .workflow(chosen).liveTopics(new LinkedHashSet<>(liveTopics)).stateDirectory(stateDirectory.resolve(workflow));
    if (!backfills.isEmpty()) {
      builder.backfills(new LinkedHashSet<>(backfills));
    }
    configured.values().forEach(builder::sink);
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
    ready.announce("worker", platform.bootstrapServers(), platform.schemaRegistryUrl(), Map.of("workflow", workflow));
    running.await();
    return 0;
  }
}
