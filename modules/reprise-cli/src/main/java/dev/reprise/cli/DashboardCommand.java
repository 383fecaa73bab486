package dev.reprise.cli;

import dev.reprise.observability.RepriseMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reprise dashboard}: the built-in dashboard and the backfill and lag metrics for any
 * cluster, without running a coordinator there: what an operator runs on their own machine
 * against a cluster whose coordinators run elsewhere.
 */
@Command(name = "dashboard", mixinStandardHelpOptions = true,
    description = {"Serve the live dashboard and /metrics (backfills, consumer lag, dead letters) for a cluster until"
        + " Ctrl-C, without running a coordinator; its buttons publish pause/resume/cancel."})
final class DashboardCommand implements Callable<Integer> {

  /** The dashboard's port when {@code --http-port} is not given: {@code reprise up}'s, which it stands in for. */
  static final int DEFAULT_HTTP_PORT = UpCommand.DEFAULT_HTTP_PORT;

  @Spec CommandSpec spec;

  @Mixin ConnectionOptions connection = new ConnectionOptions();

  @Mixin HttpOptions http = new HttpOptions();

  @Option(names = "--protect-group", paramLabel = "GROUP",
      description = "A live consumer group to show beside the workflows; repeat (default: none).")
  List<String> protectedGroups = List.of();

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    var platform = connection.connect();
    var registry = platform.registry();
    PrometheusMeterRegistry meters = RepriseMetrics.registry("dashboard");
    HttpOptions.Dashboard dashboard = http.serveDashboard(DEFAULT_HTTP_PORT, meters, platform.clientConfig(), registry,
        new LinkedHashSet<>(protectedGroups));
    UntilStopped running = UntilStopped.onStop("reprise-dashboard-shutdown", () -> {
      dashboard.close();
      registry.close();
      platform.close();
    });
    out.printf("Watching %s. Ctrl-C stops it.%n%s%n", platform.bootstrapServers(), dashboard.describe());
    out.flush();
    running.await();
    return 0;
  }
}
