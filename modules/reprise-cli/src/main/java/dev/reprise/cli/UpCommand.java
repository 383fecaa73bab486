package dev.reprise.cli;

import dev.reprise.embedded.EmbeddedPlatform;
import dev.reprise.observability.RepriseMetrics;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
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

  @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${sys:user.home}/.reprise/embedded",
      description = "Data directory (default: ${DEFAULT-VALUE}).")
  java.nio.file.Path dataDirectory;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    if (EmbeddedPlatform.running(dataDirectory).isPresent()) {
      out.printf("reprise: the embedded platform on %s is already running (%s)%n", dataDirectory,
          EmbeddedPlatform.running(dataDirectory).get().getKey());
      return 1;
    }
    EmbeddedPlatform platform = EmbeddedPlatform.start(dataDirectory);
    PrometheusMeterRegistry meters = RepriseMetrics.registry("up");
    ConfluentSchemaRegistryClient registry = ConfluentSchemaRegistryClient.create(platform.schemaRegistryUrl());
    HttpOptions.Dashboard dashboard;
    try {
      dashboard = http.serveDashboard(DEFAULT_HTTP_PORT, meters,
          java.util.Map.of("bootstrap.servers", platform.bootstrapServers()), registry,
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
    running.await();
    return 0;
  }
}
