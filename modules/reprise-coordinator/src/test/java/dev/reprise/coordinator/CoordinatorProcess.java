package dev.reprise.coordinator;

import dev.reprise.registry.ConfluentSchemaRegistryClient;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * A coordinator in its own JVM, so a test can kill it the hard way ({@code destroyForcibly}):
 * no shutdown hook, no close, an open transaction left behind.
 *
 * <p>Arguments: bootstrap servers, registry URL, allowed source topic, instance id.
 */
public final class CoordinatorProcess {

  private CoordinatorProcess() {}

  public static void main(String[] args) throws InterruptedException {
    var registry = ConfluentSchemaRegistryClient.create(args[1]);
    ReplayCoordinator.builder()
        .bootstrapServers(args[0])
        .schemaRegistry(registry)
        .allowedSourceTopics(Set.of(args[2]))
        .instanceId(args[3])
        .sessionTimeout(Duration.ofSeconds(6))
        .build()
        .start();
    new CountDownLatch(1).await();
  }
}
