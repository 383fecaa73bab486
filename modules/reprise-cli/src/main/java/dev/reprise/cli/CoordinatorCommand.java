package dev.reprise.cli;

import dev.reprise.coordinator.ReplayCoordinator;
import dev.reprise.observability.RepriseMetrics;
import dev.reprise.spi.EventTypes;
import dev.reprise.workflow.api.Workflows;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code reprise coordinator}: runs a replay coordinator until interrupted. */
@Command(name = "coordinator", mixinStandardHelpOptions = true,
    description = {"Run a replay coordinator until Ctrl-C / SIGTERM. It serves replay requests on reprise.requests and"
        + " answers on reprise.status; start several to share the work (consumer group reprise.coordinator)."})
final class CoordinatorCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ReadyFile ready = new ReadyFile();

  @Mixin ConnectionOptions connection = new ConnectionOptions();

  @Mixin HttpOptions http = new HttpOptions();

  /** The coordinator's dashboard port when {@code --http-port} is not given ({@code reprise up} takes 8080). */
  static final int DEFAULT_HTTP_PORT = 8081;

  @Option(names = "--allow-topic", paramLabel = "TOPIC", defaultValue = "submissions",
      description = "A source topic requests may replay; repeat for several (default: ${DEFAULT-VALUE}).")
  List<String> allowedTopics;

  @Option(names = "--workflow", paramLabel = "NAME",
      description = "A workflow requests may name; repeat for several (default: none but the installed ones and those"
          + " that declared themselves on reprise.workflows).")
  List<String> workflows = List.of();

  @Option(names = "--default-event-type", paramLabel = "NAME",
      description = "The event type of requests that name none (default: submissions when installed, as every request"
          + " written before event types was; else the only event type installed).")
  String defaultEventType;

  @Option(names = "--instance-id", description = "This instance's name in statuses (default: host-specific).")
  String instanceId;

  @Option(names = "--commit-interval-ms", defaultValue = "500",
      description = "How often a backfill commits its transaction and publishes its status (default: ${DEFAULT-VALUE}).")
  long commitIntervalMillis;

  @Option(names = "--protect-group", paramLabel = "GROUP",
      description = "A live consumer group backfills must not hurt; repeat for several (default: none).")
  List<String> protectedGroups = List.of();

  @Option(names = "--live-lag-records", defaultValue = "10000",
      description = "Lag of a protected group beyond which backfills slow; twice holds them (default: ${DEFAULT-VALUE}).")
  long liveLagRecords;

  @Option(names = "--live-lag-seconds", defaultValue = "30",
      description = "The same in seconds behind (default: ${DEFAULT-VALUE}).")
  long liveLagSeconds;

  @Option(names = "--in-flight-cap", defaultValue = "50000",
      description = "Records a backfill may have published and its slowest named workflow not yet processed"
          + " (default: ${DEFAULT-VALUE}).")
  long inFlightCap;

  @Option(names = "--max-rate", defaultValue = "20000",
      description = "Records/s ceiling of an adaptive backfill whose request sets none (default: ${DEFAULT-VALUE}).")
  double maxRate;

  @Option(names = "--policy", paramLabel = "FILE",
      description = "Access policy (YAML): which team may replay which sources and event types, with which filters,"
          + " effects and rate. Commands must then come through a team's topic (request --team). Read again when the"
          + " file changes. Without it: every command is carried out for whoever sent it, within --allow-topic.")
  Path policyFile;

  @Option(names = "--sample-fields", paramLabel = "FIELD", split = ",",
      description = "Only these top-level fields in the statuses' record samples (everyone who reads reprise.status"
          + " reads them); default: all.")
  List<String> sampleFields;

  @Option(names = "--no-samples", description = "No record samples in statuses at all.")
  boolean noSamples;

  @Option(names = "--readable-headers",
      description = "Also write the readable provenance headers (reprise.backfill.id, reprise.source.*,"
          + " reprise.event.date) on every replayed record, beside the compact reprise.provenance header (about 170"
          + " bytes more per record).")
  boolean readableHeaders;

  @Option(names = "--report-heap", hidden = true,
      description = "On exit, print this JVM's peak heap as JSON (used by 'bench replay').")
  boolean reportHeap;

  /**
   * The default event type: the one given, else {@code submissions} when installed (requests written
   * before event types existed, which name none, are all submissions), else none (the only one).
   */
  static String defaultEventType(String given) {
    if (given != null) {
      return given;
    }
    return EventTypes.all().containsKey(LEGACY_EVENT_TYPE) ? LEGACY_EVENT_TYPE : null;
  }

  /**
   * The workflows requests may name: those given, and those installed here (built in and from
   * {@code --plugin} jars), which are real names even before their worker first declared itself.
   */
  private Set<String> knownWorkflows() {
    Set<String> known = new LinkedHashSet<>(workflows);
    known.addAll(Workflows.all().keySet());
    return known;
  }

  /** The one event type there was before plugins. */
  static final String LEGACY_EVENT_TYPE = "submissions";

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    HeapWatcher heap = reportHeap ? new HeapWatcher() : null;
    var platform = connection.connect();
    var registry = platform.registry();
    PrometheusMeterRegistry meters = RepriseMetrics.registry("coordinator");
    var builder = ReplayCoordinator.builder()
        .clientObserver(RepriseMetrics.kafkaClients(meters))
        .bootstrapServers(platform.bootstrapServers())
        .kafkaProperties(platform.kafkaProperties())
        .schemaRegistry(registry)
        .allowedSourceTopics(new LinkedHashSet<>(allowedTopics))
        .knownWorkflows(knownWorkflows())
        .commitInterval(Duration.ofMillis(commitIntervalMillis))
        .protectLiveGroups(new LinkedHashSet<>(protectedGroups))
        .liveLagThreshold(liveLagRecords, Duration.ofSeconds(liveLagSeconds))
        .inFlightCap(inFlightCap)
        .adaptiveMaxRate(maxRate)
        .readableProvenance(readableHeaders)
        .defaultEventType(defaultEventType(defaultEventType));
    if (instanceId != null) {
      builder.instanceId(instanceId);
    }
    if (policyFile != null) {
      builder.accessPolicyFile(policyFile);
    }
    if (noSamples) {
      builder.sampleFields(Set.of());
    } else if (sampleFields != null) {
      builder.sampleFields(new LinkedHashSet<>(sampleFields));
    }
    ReplayCoordinator coordinator = builder.build().start();
    HttpOptions.Dashboard dashboard = http.serveDashboard(DEFAULT_HTTP_PORT, meters, platform.clientConfig(), registry,
        new LinkedHashSet<>(protectedGroups));
    UntilStopped running = UntilStopped.onStop("reprise-coordinator-shutdown", () -> {
      dashboard.close();
      coordinator.close();
      registry.close();
      platform.close();
      if (heap != null) {
        out.println(heap.json());
      }
      out.flush();
    });
    // "serving" means a request written now is read now: after the group join, not before it.
    while (!coordinator.awaitJoined(Duration.ofSeconds(60))) {
      out.printf("Coordinator %s has not joined the coordinators' group within 60 s; requests wait until it does%n",
          coordinator.instanceId());
      out.flush();
    }
    out.printf("Coordinator %s serving %s on %s (allowed source topics: %s). Ctrl-C to stop.%n",
        coordinator.instanceId(), "reprise.requests", platform.bootstrapServers(), allowedTopics);
    out.println(dashboard.describe());
    out.flush();
    ready.announce("coordinator", platform.bootstrapServers(), platform.schemaRegistryUrl(),
        Map.of("instanceId", coordinator.instanceId()));
    running.await();
    return 0;
  }
}
