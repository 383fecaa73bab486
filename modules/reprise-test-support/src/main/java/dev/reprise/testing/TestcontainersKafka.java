package dev.reprise.testing;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The opt-in Docker path ({@code -Dreprise.testcontainers=true}): Apache Kafka's official KRaft
 * image through Testcontainers. Kept in its own class so that Testcontainers is only touched when
 * asked for.
 */
final class TestcontainersKafka implements AutoCloseable {

  static final String IMAGE = "apache/kafka:4.3.1";

  private final KafkaContainer container;

  private TestcontainersKafka(KafkaContainer container) {
    this.container = container;
  }

  static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      return false;
    }
  }

  static TestcontainersKafka start() {
    KafkaContainer container = new KafkaContainer(IMAGE);
    container.start();
    return new TestcontainersKafka(container);
  }

  String bootstrapServers() {
    return container.getBootstrapServers();
  }

  @Override
  public void close() {
    container.stop();
  }
}
