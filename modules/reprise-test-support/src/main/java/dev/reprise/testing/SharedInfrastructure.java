package dev.reprise.testing;

import dev.reprise.embedded.ApicurioRegistryProcess;
import dev.reprise.embedded.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The broker and registry one test JVM shares; closed by JUnit after the last test. */
final class SharedInfrastructure implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SharedInfrastructure.class);

  private final AutoCloseable broker;
  private final ApicurioRegistryProcess registry;
  private final RepriseTestEnvironment environment;

  private SharedInfrastructure(
      AutoCloseable broker, ApicurioRegistryProcess registry, RepriseTestEnvironment environment) {
    this.broker = broker;
    this.registry = registry;
    this.environment = environment;
  }

  static SharedInfrastructure start() {
    AutoCloseable broker = null;
    String bootstrap = System.getenv("REPRISE_TEST_BOOTSTRAP_SERVERS");
    Duration brokerStart = Duration.ZERO;
    String brokerKind;
    if (bootstrap != null && !bootstrap.isBlank()) {
      brokerKind = "external cluster";
    } else if (Boolean.getBoolean("reprise.testcontainers")) {
      Assumptions.assumeTrue(
          TestcontainersKafka.dockerAvailable(),
          "-Dreprise.testcontainers=true but no Docker engine is reachable: skipping");
      TestcontainersKafka container = TestcontainersKafka.start();
      broker = container;
      bootstrap = container.bootstrapServers();
      brokerKind = "Testcontainers Kafka";
    } else {
      EmbeddedKafkaBroker embedded = EmbeddedKafkaBroker.builder().build().start();
      broker = embedded;
      bootstrap = embedded.bootstrapServers();
      brokerStart = embedded.startupTime();
      brokerKind = "embedded KRaft broker";
    }

    ApicurioRegistryProcess registry = null;
    String registryUrl = System.getenv("REPRISE_TEST_SCHEMA_REGISTRY_URL");
    if (registryUrl == null || registryUrl.isBlank()) {
      registry =
          ApicurioRegistryProcess.builder()
              .kafkaBootstrapServers(bootstrap)
              .logFile(Path.of("target", "apicurio-registry.log"))
              .build()
              .start();
      registryUrl = registry.confluentApiUrl();
    }
    log.info("Test infrastructure: {} at {} (started in {} ms), schema registry at {} (started in {} ms)",
        brokerKind, bootstrap, brokerStart.toMillis(), registryUrl,
        registry == null ? 0 : registry.startupTime().toMillis());
    return new SharedInfrastructure(broker, registry, new RepriseTestEnvironment(bootstrap, registryUrl));
  }

  RepriseTestEnvironment environment() {
    return environment;
  }

  @Override
  public void close() throws Exception {
    environment.close();
    if (registry != null) {
      registry.close();
    }
    if (broker != null) {
      broker.close();
    }
  }
}
