package dev.reprise.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.protocol.CoordinatorAnnouncements;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a client in another stack does, from nothing but the README and the schema files: starts
 * {@code reprise up --ready-file F --print-env}, waits for F, takes the addresses from it (or from
 * the printed environment), and publishes a START request with a plain producer and the request
 * schema parsed alone, registered over the registry's HTTP API, before any coordinator runs, on a
 * broker that creates no topic on first use. A coordinator started afterwards (also waited for by
 * its ready file) serves it to COMPLETED.
 */
class ReadinessContractIT {

  private static final Pattern ENV_LINE = Pattern.compile("^(REPRISE_[A-Z_]+)=(.+)$", Pattern.MULTILINE);

  @TempDir Path dir;

  @Test
  void shouldServeARequestPublishedByAPlainClientBeforeAnyCoordinatorRan() throws Exception {
    Path data = dir.resolve("data");
    Path upReady = dir.resolve("up.ready");
    Path upOut = dir.resolve("up.out");
    Process up = CliProcess.start(List.of("up", "--data-dir", data.toString(), "--http-port", "-1",
        "--ready-file", upReady.toString(), "--print-env"), upOut);
    Process coordinator = null;
    try {
      Properties ready = awaitReady(upReady, up);
      assertThat(ready.getProperty("ready")).isEqualTo("true");
      assertThat(ready.getProperty("command")).isEqualTo("up");
      assertThat(ready.getProperty("pid")).isEqualTo(Long.toString(up.pid()));
      String bootstrap = ready.getProperty("bootstrapServers");
      String registryUrl = ready.getProperty("schemaRegistryUrl");
      assertThat(bootstrap).startsWith("127.0.0.1:");
      // The printed environment says the same.
      Map<String, String> printed = await().atMost(Duration.ofSeconds(10)).until(() -> env(Files.readString(upOut)),
          m -> m.size() == 2);
      assertThat(printed).containsEntry("REPRISE_BOOTSTRAP_SERVERS", bootstrap)
          .containsEntry("REPRISE_SCHEMA_REGISTRY_URL", registryUrl);

      String source = "ready-submissions";
      try (var registry = ConfluentSchemaRegistryClient.create(registryUrl)) {
        new HistoryWriter(Map.of("bootstrap.servers", bootstrap), registry).write(source, 2,
            new HistoryGenerator(HistorySpec.builder().events(400).seed(17).build()));
      }
      publishStart(bootstrap, registryUrl, "before-any-coordinator", source);

      Path coordinatorReady = dir.resolve("coordinator.ready");
      coordinator = CliProcess.start(List.of("coordinator", "--data-dir", data.toString(), "--http-port", "-1",
          "--allow-topic", source, "--instance-id", "ready-1", "--ready-file", coordinatorReady.toString()),
          dir.resolve("coordinator.out"));
      Properties served = awaitReady(coordinatorReady, coordinator);
      assertThat(served.getProperty("command")).isEqualTo("coordinator");
      assertThat(served.getProperty("instanceId")).isEqualTo("ready-1");
      assertThat(served.getProperty("bootstrapServers")).isEqualTo(bootstrap);

      try (var registry = ConfluentSchemaRegistryClient.create(registryUrl);
          var client = BackfillClient.create(Map.of("bootstrap.servers", bootstrap), registry)) {
        BackfillStatus done = await().atMost(Duration.ofSeconds(90))
            .until(() -> client.status("before-any-coordinator").orElse(null), s -> s != null && s.state().isTerminal());
        assertThat(done.state()).as("reason: %s", done.reason()).isEqualTo(BackfillState.COMPLETED);
        assertThat(done.request().orElseThrow().requestedBy()).contains("a plain client");
      }
      try (var registry = ConfluentSchemaRegistryClient.create(registryUrl)) {
        // What it serves, for a dashboard's form: announced while it runs, withdrawn when it stops.
        assertThat(CoordinatorAnnouncements.read(Map.of("bootstrap.servers", bootstrap), registry))
            .hasEntrySatisfying("ready-1", a -> assertThat(a.allowedSourceTopics()).containsExactly(source));
        coordinator.destroy();
        assertThat(coordinator.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(coordinatorReady).as("removed when the coordinator stops").doesNotExist();
        assertThat(CoordinatorAnnouncements.read(Map.of("bootstrap.servers", bootstrap), registry))
            .doesNotContainKey("ready-1");
      }
    } finally {
      if (coordinator != null) {
        coordinator.destroyForcibly();
      }
      up.destroy();
      if (!up.waitFor(60, TimeUnit.SECONDS)) {
        up.destroyForcibly();
      }
    }
    assertThat(upReady).as("removed when up stops").doesNotExist();
  }

  /** A START in the wire format: magic 0, the schema id big-endian, the Avro binary; keyed by backfill id. */
  private static void publishStart(String bootstrap, String registryUrl, String id, String source) throws Exception {
    Schema schema = new Schema.Parser().parse(Path.of("../../schemas/control/replay-request-v1.avsc").toFile());
    int schemaId = register(registryUrl, ControlTopics.REQUESTS + "-value", schema);
    GenericRecord start = new GenericData.Record(schema);
    for (Schema.Field field : schema.getFields()) {
      if (field.hasDefaultValue()) {
        start.put(field.pos(), GenericData.get().getDefaultValue(field));
      }
    }
    start.put("backfillId", id);
    start.put("command", new GenericData.EnumSymbol(schema.getField("command").schema(), "START"));
    start.put("sourceTopic", source);
    start.put("from", Instant.parse("2023-01-01T00:00:00Z").toEpochMilli());
    start.put("to", Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());
    start.put("requestedBy", "a plain client");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.write(ByteBuffer.allocate(4).putInt(schemaId).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(start, encoder);
    encoder.flush();
    Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    try (var producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      // Would block and fail (the topic unknown) if up had not created it: no topic is created on first use.
      producer.send(new ProducerRecord<>(ControlTopics.REQUESTS, id.getBytes(StandardCharsets.UTF_8), out.toByteArray()))
          .get(30, TimeUnit.SECONDS);
    }
  }

  private static int register(String registryUrl, String subject, Schema schema) throws Exception {
    String body = "{\"schema\": " + quote(schema.toString()) + "}";
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(registryUrl + "/subjects/" + subject + "/versions"))
        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    Matcher id = Pattern.compile("\"id\"\\s*:\\s*(\\d+)").matcher(response.body());
    assertThat(id.find()).as(response.body()).isTrue();
    return Integer.parseInt(id.group(1));
  }

  private static String quote(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static Properties awaitReady(Path file, Process owner) {
    return await("ready file " + file).atMost(Duration.ofMinutes(3)).until(() -> {
      assertThat(owner.isAlive()).as("the process exited early").isTrue();
      if (!Files.exists(file)) {
        return null;
      }
      Properties properties = new Properties();
      try (InputStream in = Files.newInputStream(file)) {
        properties.load(in);
      }
      return properties;
    }, p -> p != null);
  }

  private static Map<String, String> env(String output) {
    Map<String, String> found = new java.util.TreeMap<>();
    Matcher line = ENV_LINE.matcher(output);
    while (line.find()) {
      found.put(line.group(1), line.group(2).trim());
    }
    return found;
  }
}
