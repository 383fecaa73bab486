package dev.reprise.workflow;

import dev.reprise.registry.ConfluentSchemaRegistryClient;
import java.net.URI;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * A {@link WebhookWorkflow} instance in its own JVM, so a test can kill it the hard way
 * ({@code destroyForcibly}): effects performed and not yet recorded, transactions left open.
 *
 * <p>Arguments: bootstrap servers, registry URL, live topic, workflow name, webhook URL, lookup
 * URL, state directory, calls per second, and optionally the backfill ids to follow too
 * (comma-separated; default none).
 */
public final class WorkflowProcess {

  private WorkflowProcess() {}

  public static void main(String[] args) throws InterruptedException {
    var registry = ConfluentSchemaRegistryClient.create(args[1]);
    Set<String> backfills = args.length > 8 ? Set.of(args[8].split(",")) : Set.of();
    WorkflowRuntime.builder()
        .bootstrapServers(args[0])
        .schemaRegistry(registry)
        .liveTopics(Set.of(args[2]))
        .backfills(backfills)
        .workflow(new WebhookWorkflow(args[3]))
        .sink(new HttpWebhookSink("webhook", URI.create(args[4]), URI.create(args[5])),
            SinkResilience.builder().maxCallsPerSecond(Double.parseDouble(args[7])).build())
        .stateDirectory(Path.of(args[6]))
        .build()
        .start();
    new CountDownLatch(1).await();
  }
}
