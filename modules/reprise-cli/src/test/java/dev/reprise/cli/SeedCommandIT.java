package dev.reprise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

@RepriseIntegrationTest
class SeedCommandIT {

  @Test
  void shouldSeedTheRequestedNumberOfRecordsIntoAnExistingCluster(RepriseTestEnvironment env) throws Exception {
    String topic = env.uniqueName("seeded");

    int exit = RepriseCli.run("seed", "--bootstrap-server", env.bootstrapServers(),
        "--schema-registry", env.schemaRegistryUrl(), "--events", "1500", "--topic", topic, "--partitions", "2");

    assertThat(exit).isZero();
    var partitions = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
    Map<TopicPartition, OffsetSpec> latest = Map.of(partitions.get(0), OffsetSpec.latest(), partitions.get(1), OffsetSpec.latest());
    long total = env.admin().listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
        .mapToLong(info -> info.offset()).sum();
    assertThat(total).isEqualTo(1500);
  }
}
