package dev.reprise.cli;

import dev.reprise.embedded.EmbeddedPlatform;
import dev.reprise.observability.RepriseMetrics;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code reprise up}: keep the embedded platform running for other commands, until interrupted. */
@Command(name = "up", mixinStandardHelpOptions = true,
    description = {"Start the embedded default (a real Kafka broker and Apicurio registry on 127.0.0.1) and keep it"
        + " running until Ctrl-C; other reprise commands on the same --data-dir use it."})
final class UpCommand implements Callable<Integer> {

  /** The dashboard's port when {@code --http-port} is not given. */
  static final int DEFAULT_HTTP_PORT = 8080;

  @Spec CommandSpec spec;

  @Mixin HttpOptions http = new HttpOptions();

  @Option(names = "--protect-group", paramLabel = "GROUP",
      description = "A live consumer group to show on the dashboard beside the workflows; repeat (default: none).")
  java.util.List<String> protectedGroups = java.util.List.of();

  @Mixin ReadyFile ready = new ReadyFile();

  @Option(names = "--print-env",
      description = "Print REPRISE_BOOTSTRAP_SERVERS=... and REPRISE_SCHEMA_REGISTRY_URL=... (one per line, for"
          + " other tools) on stdout once ready, the rest on stderr; if the platform already runs on --data-dir,"
          + " print its and exit 0.")
  boolean printEnv;

  @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${sys:user.home}/.reprise/embedded",
      description = "Data directory (default: ${DEFAULT-VALUE}).")
  java.nio.file.Path dataDirectory;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = printEnv ? spec.commandLine().getErr() : spec.commandLine().getOut();
    var alreadyRunning = EmbeddedPlatform.running(dataDirectory);
    if (alreadyRunning.isPresent() && printEnv) {
      printEnvironment(alreadyRunning.get().getKey(), alreadyRunning.get().getValue());
      return 0;
    }
    if (alreadyRunning.isPresent()) {
      out.printf("reprise: the embedded platform on %s is already running (%s)%n", dataDirectory,
          alreadyRunning.get().getKey());
      return 1;
    }
    EmbeddedPlatform platform = EmbeddedPlatform.start(dataDirectory);
    PrometheusMeterRegistry meters = RepriseMetrics.registry("up");
    ConfluentSchemaRegistryClient registry = ConfluentSchemaRegistryClient.create(platform.schemaRegistryUrl());
    HttpOptions.Dashboard dashboard;
    try {
      // The broker creates no topic on first use (as most clusters): a client may write a request
      // before a coordinator has started, so the topics it writes to exist before "ready".
      java.util.Map<String, Object> clientConfig = java.util.Map.of("bootstrap.servers", platform.bootstrapServers());
      try (Admin admin = Admin.create(clientConfig)) {
        ControlTopics.create(admin);
      }
      dashboard = http.serveDashboard(DEFAULT_HTTP_PORT, meters, clientConfig, registry,
          new java.util.LinkedHashSet<>(protectedGroups));
    } catch (RuntimeException e) {
      registry.close();
      platform.close();
      throw e;
    }
    UntilStopped running = UntilStopped.onStop("reprise-up-shutdown", () -> {
      dashboard.close();
      registry.close();
      platform.close();
    });
    out.printf("Reprise embedded platform up (data in %s)%n  Kafka:           %s%n  Schema registry: %s%n"
        + "Other commands on this data dir use it. Ctrl-C stops it.%n", dataDirectory, platform.bootstrapServers(),
        platform.schemaRegistryUrl());
    out.println(dashboard.describe());
    out.flush();
    ready.announce("up", platform.bootstrapServers(), platform.schemaRegistryUrl(),
        java.util.Map.of("dataDir", dataDirectory.toAbsolutePath().toString()));
    if (printEnv) {
      printEnvironment(platform.bootstrapServers(), platform.schemaRegistryUrl());
    }
    running.await();
    return 0;
  }

  /** What {@link ConnectionOptions} reads: the same two names every command takes. */
  private void printEnvironment(String bootstrapServers, String schemaRegistryUrl) {
    PrintWriter stdout = spec.commandLine().getOut();
    stdout.println("REPRISE_BOOTSTRAP_SERVERS=" + bootstrapServers);
    stdout.println("REPRISE_SCHEMA_REGISTRY_URL=" + schemaRegistryUrl);
    stdout.flush();
  }
}
