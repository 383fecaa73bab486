package dev.reprise.examples.shipments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillCounters;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.registry.serde.AvroWireFormat;
import dev.reprise.spi.SampleHistory.Sample;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import dev.reprise.workflow.CountingWebhookServer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin as a team uses it: the real {@code reprise} command line, each command its own JVM
 * whose class path has Reprise but not this project's classes, so only {@code --plugin
 * target/<jar>} brings the shipments event type and the heavy-parcels workflow. Against the real
 * broker and registry: seed a mixed-version history, run a coordinator and the workflow's worker,
 * request a backfill filtered on the plugin's own attribute, then check the exact set of events
 * and their upcast values on the backfill topic, the workflow's effects at the sink, and {@code
 * reprise verify}.
 */
@RepriseIntegrationTest
class ShipmentsPluginIT {

  private static final long SEED = 11;
  private static final int EVENTS = 3_000;
  private static final Instant FROM = Instant.parse("2023-01-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2025-01-01T00:00:00Z");

  private final Path jar = Path.of(System.getProperty("shipments.plugin.jar",
      "target/reprise-example-shipments-0.1.0-SNAPSHOT.jar")).toAbsolutePath();
  private final List<Process> started = new ArrayList<>();

  @TempDir Path work;

  @Test
  void shouldReplayTheFilteredHistoryOfAPluginsEventTypeRunItsWorkflowAndVerify(RepriseTestEnvironment env)
      throws Exception {
    assertThat(jar).as("built by 'package' before the ITs").exists();
    String[] connection = {"--bootstrap-server", env.bootstrapServers(), "--schema-registry", env.schemaRegistryUrl()};

    // Without --plugin the child knows only the built-in type: what follows comes from the jar.
    JsonNode bare = json(run("plugins", "--json"));
    assertThat(names(bare.get("eventTypes"))).containsExactly("submissions");
    JsonNode listed = json(run("plugins", "--json", "--plugin", jar.toString()));
    assertThat(names(listed.get("eventTypes"))).containsExactly("shipments", "submissions");
    JsonNode shipments = listed.get("eventTypes").get(0);
    assertThat(shipments.get("versions")).hasSize(3);
    assertThat(shipments.get("source").asText()).isEqualTo(jar.getFileName().toString());
    assertThat(shipments.get("filterAttributes").toString()).isEqualTo("[\"carrier\",\"region\"]");
    assertThat(names(listed.get("workflows"))).contains("heavy-parcels", "notify");

    String topic = env.uniqueName("shipments");
    String backfill = env.uniqueName("eu-2023-2024");
    run(concat(new String[] {"seed", "--plugin", jar.toString(), "--event-type", "shipments", "--topic", topic,
        "--events", Integer.toString(EVENTS), "--seed", Long.toString(SEED)}, connection));

    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var client = BackfillClient.create(Map.of("bootstrap.servers", env.bootstrapServers()), registry);
        var alerts = new CountingWebhookServer()) {
      Path coordinatorLog = work.resolve("coordinator.log");
      start(coordinatorLog, concat(new String[] {"coordinator", "--plugin", jar.toString(), "--allow-topic", topic,
          "--http-port", "-1", "--instance-id", "it-" + backfill}, connection));
      await("the coordinator serving").atMost(Duration.ofMinutes(1))
          .until(() -> Files.exists(coordinatorLog) && Files.readString(coordinatorLog).contains("serving"));
      start(work.resolve("worker.log"), concat(new String[] {"worker", "--plugin", jar.toString(), "--workflow",
          HeavyParcelsWorkflow.NAME, "--sink", "alerts=" + alerts.url(), "--backfill", backfill, "--state-dir",
          work.resolve("state").toString(), "--http-port", "-1"}, connection));
      run(concat(new String[] {"request", "--plugin", jar.toString(), "--event-type", "shipments", "--filter",
          "region=EU", "--id", backfill, "--source", topic, "--from", FROM.toString(), "--to", TO.toString(),
          "--workflow", HeavyParcelsWorkflow.NAME, "--effects", "ENABLE"}, connection));

      BackfillStatus done = await("the backfill completed").atMost(Duration.ofMinutes(3))
          .until(() -> client.status(backfill).orElse(null),
              s -> s != null && (s.state() == BackfillState.COMPLETED || s.state().isTerminal()));
      assertThat(done.state()).as("status: %s", done).isEqualTo(BackfillState.COMPLETED);
      assertThat(done.request().orElseThrow().eventType()).contains("shipments");

      // What must have been published, from the generator's own records.
      Map<String, GenericRecord> expected = new HashMap<>();
      int deadLetters = 0;
      for (var it = new ShipmentEventType().sampleHistory().orElseThrow().generate(SEED, EVENTS); it.hasNext(); ) {
        Sample sample = it.next();
        GenericRecord record = sample.record();
        long shippedAt = (Long) record.get("shippedAt");
        if (shippedAt < FROM.toEpochMilli() || shippedAt >= TO.toEpochMilli()) {
          continue;
        }
        var region = record.getSchema().getField("region") != null ? java.util.Optional.of(record.get("region").toString())
            : Regions.of((CharSequence) record.get("destination"));
        if (region.isEmpty()) {
          deadLetters++;
        } else if (region.get().equals("EU")) {
          expected.put(record.get("shipmentId") + "#" + record.get("revision"), record);
        }
      }
      assertThat(expected).hasSizeGreaterThan(100);
      assertThat(deadLetters).as("the generator writes some records that cannot be upcast").isPositive();

      Map<String, GenericRecord> published = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> record : env.readCommitted(ControlTopics.backfillTopic(backfill))) {
        var schema = registry.schemaById(AvroWireFormat.schemaId(record.value()));
        GenericRecord value = AvroWireFormat.decode(record.value(), schema, schema);
        assertThat(published.put(value.get("shipmentId") + "#" + value.get("revision"), value)).as("once").isNull();
      }
      assertThat(published.keySet()).isEqualTo(expected.keySet());
      published.forEach((id, v3) -> {
        GenericRecord source = expected.get(id);
        assertThat(v3.getSchema()).isEqualTo(ShipmentEventType.VERSIONS.schema(3));
        assertThat(v3.get("region").toString()).isEqualTo("EU");
        assertThat(v3.get("carrier").toString()).isEqualTo(source.get("carrier").toString().strip().toUpperCase());
        assertThat((Double) v3.get("weightKg")).as(id).isEqualTo(kilograms(source));
      });
      assertThat(done.counters()).containsEntry(BackfillCounters.PUBLISHED, (long) expected.size())
          .containsEntry(BackfillCounters.DEAD_LETTERED, (long) deadLetters);

      Set<String> heavy = expected.entrySet().stream()
          .filter(e -> kilograms(e.getValue()) >= HeavyParcelsWorkflow.HEAVY_KG)
          .map(Map.Entry::getKey).collect(Collectors.toCollection(HashSet::new));
      await("one alert per heavy parcel").atMost(Duration.ofMinutes(2))
          .untilAsserted(() -> assertThat(alerts.accepted().keySet()).isEqualTo(heavy));
      assertThat(alerts.accepted().values()).as("each once").containsOnly(1);

      String verified = run(concat(new String[] {"verify", backfill, "--plugin", jar.toString(), "--wait", "120"},
          connection));
      assertThat(verified).contains("VERIFIED '" + backfill + "': " + String.format("%,d", expected.size()) + " records");
      assertThat(client.status(backfill).orElseThrow().state()).isEqualTo(BackfillState.VERIFIED);

      // The running worker declared its event type: a request of another type naming it is refused,
      // and `reprise request` waits for that answer and exits 1 with the reason.
      String wrong = env.uniqueName("wrong-type");
      String refused = runExpecting(1, concat(new String[] {"request", "--event-type", "submissions", "--id", wrong,
          "--source", topic, "--from", FROM.toString(), "--to", TO.toString(), "--workflow", HeavyParcelsWorkflow.NAME},
          connection));
      assertThat(refused).contains("REJECTED: workflow 'heavy-parcels' handles 'shipments' events, not 'submissions'");
      assertThat(client.status(wrong).orElseThrow().state()).isEqualTo(BackfillState.REJECTED);
    } finally {
      for (Process process : started) {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    }
  }

  /** Runs one {@code reprise} command to its end; returns its output, failing on a non-zero exit. */
  private String run(String... args) throws Exception {
    return runExpecting(0, args);
  }

  /** Runs one {@code reprise} command to its end; returns its output, failing on another exit code. */
  private String runExpecting(int exitCode, String... args) throws Exception {
    Path log = Files.createTempFile(work, args[0], ".log");
    Process process = command(log, args).start();
    assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("reprise %s finished", args[0]).isTrue();
    String output = Files.readString(log);
    assertThat(process.exitValue()).as("reprise %s exit code; output:%n%s", String.join(" ", args), output)
        .isEqualTo(exitCode);
    return output;
  }

  /** The JSON object a command printed on a line of its own (its logs go to the same output). */
  private static JsonNode json(String output) throws Exception {
    return new ObjectMapper().readTree(output.lines().filter(line -> line.startsWith("{\"")).reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("no JSON in:\n" + output)));
  }

  private void start(Path log, String... args) throws Exception {
    started.add(command(log, args).start());
  }

  /**
   * A child JVM on Reprise's class path without this project's own classes (they would make any
   * ServiceLoader find the plugin without {@code --plugin}).
   */
  private static ProcessBuilder command(Path log, String... args) {
    Path target = Path.of("target").toAbsolutePath();
    String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !Path.of(entry).toAbsolutePath().startsWith(target)).collect(Collectors.joining(File.pathSeparator));
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classPath, "dev.reprise.cli.RepriseCli"));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
  }

  /** A generated shipment's weight in kilograms, whatever version it was written in. */
  private static double kilograms(GenericRecord shipment) {
    return shipment.getSchema().getField("weightKg") != null ? (Double) shipment.get("weightKg")
        : (Integer) shipment.get("weightGrams") / 1000.0;
  }

  private static List<String> names(JsonNode array) {
    List<String> names = new ArrayList<>();
    array.forEach(node -> names.add(node.get("name").asText()));
    return names;
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
