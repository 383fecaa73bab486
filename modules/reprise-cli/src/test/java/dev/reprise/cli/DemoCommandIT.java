package dev.reprise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.registry.serde.AvroWireFormat;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The CLI against the real broker and registry: {@code reprise demo} verifies and reports as JSON;
 * then a record removed from its backfill topic makes {@code reprise verify} fail naming its day.
 */
@RepriseIntegrationTest
class DemoCommandIT {

  @Test
  void shouldRunTheDemoToAVerifiedReportAndThenFailVerificationOfACorruptedBackfill(RepriseTestEnvironment env)
      throws Exception {
    Run demo = cli(env, "demo", "--events", "3000", "--json");

    assertThat(demo.exit()).as(demo.output()).isZero();
    String last = demo.output().lines().reduce((a, b) -> b).orElseThrow();
    JsonNode report = new ObjectMapper().readTree(last);
    assertThat(report.get("verified").asBoolean()).isTrue();
    assertThat(report.get("state").asText()).isEqualTo("VERIFIED");
    long published = report.get("counts").get("published").asLong();
    assertThat(published).isPositive().isEqualTo(report.get("counts").get("inRange").asLong());
    assertThat(report.get("workflows")).hasSize(2);
    report.get("workflows").forEach(workflow -> {
      assertThat(workflow.get("expected").asLong()).isEqualTo(published);
      assertThat(workflow.get("processed").asLong()).isEqualTo(published);
      assertThat(workflow.get("duplicates").asLong()).isZero();
      assertThat(workflow.get("missing").asLong()).isZero();
    });
    JsonNode live = report.get("live");
    assertThat(live.get("expected").asLong()).as("live submissions after the handover point").isPositive();
    assertThat(live.get("handled").asLong()).isEqualTo(live.get("expected").asLong());
    assertThat(live.get("calls").asLong()).as("one webhook call each").isEqualTo(live.get("expected").asLong());
    assertThat(live.get("repeated").asLong()).isZero();
    assertThat(live.get("missing").asLong()).isZero();
    assertThat(report.get("estimatedSeconds").isNumber()).isTrue();
    assertThat(report.get("actualSeconds").asDouble()).isPositive();

    String backfillId = report.get("backfillId").asText();
    TopicPartition partition = new TopicPartition(ControlTopics.backfillTopic(backfillId), 1);
    ConsumerRecord<byte[], byte[]> removed = env.readCommitted(partition.topic()).stream()
        .filter(r -> r.partition() == 1).findFirst().orElseThrow();
    env.admin().deleteRecords(Map.of(partition, RecordsToDelete.beforeOffset(removed.offset() + 1)))
        .all().get(30, TimeUnit.SECONDS);

    Run verify = cli(env, "verify", backfillId);
    assertThat(verify.exit()).as(verify.output()).isEqualTo(1);
    assertThat(verify.output()).contains("VERIFICATION_FAILED").contains(dayOf(env, removed.value()).toString());
  }

  private record Run(int exit, String output) {}

  private static Run cli(RepriseTestEnvironment env, String... args) {
    StringWriter out = new StringWriter();
    var commandLine = RepriseCli.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(out, true));
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.addAll(List.of("--bootstrap-server", env.bootstrapServers(), "--schema-registry", env.schemaRegistryUrl()));
    int exit = commandLine.execute(all.toArray(String[]::new));
    return new Run(exit, out.toString());
  }

  private static LocalDate dayOf(RepriseTestEnvironment env, byte[] value) {
    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl())) {
      var schema = registry.schemaById(AvroWireFormat.schemaId(value));
      var record = AvroWireFormat.decode(value, schema, schema);
      return LocalDate.ofInstant(Instant.ofEpochMilli((Long) record.get("submittedAt")), ZoneOffset.UTC);
    }
  }
}
