package dev.reprise.cli;

import dev.reprise.workflow.CountingWebhookServer;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reprise webhook}: a stand-in for a real notification endpoint, so {@code notify} can be
 * tried without one (the compose stack runs it). Accepts {@code POST /hook}, counts each {@code
 * Idempotency-Key}, and answers {@code GET /keys/KEY} with 200 (seen) or 404 for effects in doubt.
 */
@Command(name = "webhook", mixinStandardHelpOptions = true,
    description = {"Run a local webhook receiver for the notify workflow until Ctrl-C: POST /hook counts each"
        + " Idempotency-Key, GET /keys/KEY answers 200 (seen) or 404, GET /stats lists keys called more than once."})
final class WebhookCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--http-host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
      description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "9000", description = "Port (default: ${DEFAULT-VALUE}).")
  int port;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    CountingWebhookServer server = new CountingWebhookServer(host, port);
    UntilStopped running = UntilStopped.onStop("reprise-webhook-shutdown", () -> {
      out.printf("webhook: %,d calls for %,d distinct keys%n",
          server.accepted().values().stream().mapToInt(Integer::intValue).sum(), server.accepted().size());
      out.flush();
      server.close();
    });
    out.printf("webhook receiver on %s:%d: POST /hook, GET /keys/KEY, GET /stats (per-key duplicates). Ctrl-C stops"
        + " it.%n", host, port);
    out.flush();
    // A line whenever the tally changed, so a duplicate shows up while it happens, not at exit.
    var ticker = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "reprise-webhook-tally");
      thread.setDaemon(true);
      return thread;
    });
    String[] last = {""};
    ticker.scheduleWithFixedDelay(() -> {
      String stats = server.statsJson();
      if (!stats.equals(last[0])) {
        last[0] = stats;
        out.println("webhook: " + stats);
        out.flush();
      }
    }, 5, 5, java.util.concurrent.TimeUnit.SECONDS);
    running.await();
    ticker.shutdownNow();
    return 0;
  }
}
