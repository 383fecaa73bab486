package dev.reprise.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprise.coordinator.ReplayCoordinator;
import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillRequest.EffectsPolicy;
import dev.reprise.protocol.BackfillRequest.Mode;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.submissions.workflow.NotifyWorkflow;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import dev.reprise.workflow.CountingWebhookServer;
import dev.reprise.workflow.HttpWebhookSink;
import dev.reprise.workflow.WorkflowRuntime;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics}, the dashboard's JSON and its actions, served by one process running a real
 * coordinator, a real workflow and the observer against the real broker and registry, checked
 * while a backfill runs; then every query of the Grafana dashboard is checked against what was
 * really exported, and so is every alert rule's.
 */
@RepriseIntegrationTest
class ObservabilityIT {

  private static final Pattern SERIES = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})?\\s+(\\S+)", Pattern.MULTILINE);
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  @TempDir Path state;

  @Test
  void shouldExposeBackfillLagAndWorkflowSeriesDuringARunningBackfill(RepriseTestEnvironment env) throws Exception {
    String source = env.uniqueName("submissions");
    String backfill = env.uniqueName("observed");
    String workflow = env.uniqueName("notify");
    String workflowGroup = ControlTopics.workflowGroup(workflow);
    // A protected live group that is 40 records behind and has no members.
    String liveTopic = env.createTopic(env.uniqueName("orders"), 1, Map.of());
    String liveGroup = env.uniqueName("orders-live");
    try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(env.producerConfig(),
        new org.apache.kafka.common.serialization.ByteArraySerializer(),
        new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      for (int i = 0; i < 50; i++) {
        producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(liveTopic, new byte[] {1})).get();
      }
    }
    env.admin().alterConsumerGroupOffsets(liveGroup, Map.of(new TopicPartition(liveTopic, 0), new OffsetAndMetadata(10)))
        .all().get(30, TimeUnit.SECONDS);

    PrometheusMeterRegistry meters = RepriseMetrics.registry("it");
    StringBuilder scraped = new StringBuilder();
    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var client = BackfillClient.create(Map.of("bootstrap.servers", env.bootstrapServers()), registry);
        var sink = new CountingWebhookServer()) {
      new HistoryWriter(env.producerConfig(), registry).write(source, 3,
          new HistoryGenerator(HistorySpec.builder().events(6000).seed(11).build()));
      try (var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
              .allowedSourceTopics(Set.of(source)).knownWorkflows(Set.of(workflow)).protectLiveGroups(Set.of(liveGroup))
              // The live group is far behind on purpose: only the observer is under test here.
              .liveLagThreshold(1_000_000, Duration.ofDays(365))
              .clientObserver(RepriseMetrics.kafkaClients(meters)).build().start();
          var runtime = WorkflowRuntime.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
              .workflow(new NotifyWorkflow(workflow)).sink(new HttpWebhookSink(NotifyWorkflow.SINK, sink.url(), sink.lookupUrl()))
              .stateDirectory(state).clientObserver(RepriseMetrics.kafkaClients(meters)).build().start();
          var workflowMetrics = new WorkflowMetrics(runtime, Map.of("bootstrap.servers", env.bootstrapServers()));
          var observer = BackfillObserver.create(Map.of("bootstrap.servers", env.bootstrapServers()), registry,
              Set.of(liveGroup), Clock.systemUTC());
          var server = ObservabilityServer.builder().meterRegistry(meters).dashboard(observer).build().start()) {
        workflowMetrics.bindTo(meters);
        observer.bindTo(meters);
        observer.start();
        assertThat(server.url().getHost()).isEqualTo("127.0.0.1");

        client.submit(new BackfillRequest(backfill, source, Instant.parse("2020-01-01T00:00:00Z"),
            Instant.parse("2026-01-01T00:00:00Z"), Map.of(), OptionalInt.empty(), Mode.EXECUTE, List.of(workflow),
            OptionalDouble.of(200), EffectsPolicy.ENABLE, Optional.of("it"), Optional.of("metrics")));

        String b = "backfill=\"" + backfill + "\"";
        await("every series while the backfill runs").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
            .untilAsserted(() -> {
              String metrics = get(server.url().resolve("/metrics")).body();
              scraped.append(metrics);
              assertThat(client.status(backfill).orElseThrow().state()).isEqualTo(BackfillState.RUNNING);
              assertThat(value(metrics, "reprise_backfill_progress_ratio", b)).isBetween(0.01, 0.99);
              assertThat(value(metrics, "reprise_backfill_records_total", b, "outcome=\"published\"")).isPositive();
              assertThat(value(metrics, "reprise_backfill_records_total", b, "outcome=\"scanned\"")).isPositive();
              assertThat(value(metrics, "reprise_backfill_planned_records", b)).isEqualTo(6000);
              assertThat(value(metrics, "reprise_backfill_publish_records_per_second", b)).isPositive();
              assertThat(value(metrics, "reprise_backfill_throttle_limit_records_per_second", b)).isBetween(0.0, 200.0);
              assertThat(value(metrics, "reprise_backfill_throttle_info", b, "mode=")).isEqualTo(1);
              assertThat(value(metrics, "reprise_backfill_in_flight_cap_records", b)).isPositive();
              assertThat(value(metrics, "reprise_backfill_in_flight_records", b)).isNotNegative();
              assertThat(value(metrics, "reprise_backfill_eta_seconds", b)).isPositive();
              assertThat(value(metrics, "reprise_backfill_state", b, "state=\"RUNNING\"")).isEqualTo(1);
              assertThat(value(metrics, "reprise_backfill_state", b, "state=\"COMPLETED\"")).isZero();
              String onBackfillTopic = "topic=\"" + ControlTopics.backfillTopic(backfill) + "\"";
              assertThat(value(metrics, "reprise_consumer_lag_records", "group=\"" + workflowGroup + "\"", onBackfillTopic,
                  "partition=\"0\""))
                  .isNotNegative();
              assertThat(value(metrics, "reprise_consumer_lag_seconds", "group=\"" + workflowGroup + "\"", onBackfillTopic,
                  "partition=\"0\""))
                  .isNotNegative();
              assertThat(value(metrics, "reprise_consumer_lag_records", "group=\"" + liveGroup + "\"")).isEqualTo(40);
              assertThat(value(metrics, "reprise_consumer_group_status", "group=\"" + liveGroup + "\"", "kind=\"live\"",
                  "status=\"STOPPED\"")).isEqualTo(1);
              String ofWorkflow = "group=\"" + workflowGroup + "\"";
              assertThat(value(metrics, "reprise_consumer_group_status", ofWorkflow, "kind=\"workflow\"", "status=\"OK\"")
                  + value(metrics, "reprise_consumer_group_status", ofWorkflow, "status=\"FALLING_BEHIND\"")).isEqualTo(1);
              String w = "workflow=\"" + workflow + "\"";
              assertThat(value(metrics, "reprise_workflow_events_total", w, "outcome=\"processed\"")).isPositive();
              assertThat(value(metrics, "reprise_workflow_effects_total", w, "outcome=\"performed\"")).isPositive();
              assertThat(value(metrics, "reprise_workflow_breaker_state", w, "sink=\"webhook\"", "state=\"CLOSED\"")).isEqualTo(1);
              assertThat(value(metrics, "reprise_workflow_paused", w)).isZero();
              assertThat(value(metrics, "reprise_workflow_dlq_records", w)).isZero();
              assertThat(value(metrics, "reprise_backfill_workflow_dlq_records", b, w)).isZero();
              assertThat(value(metrics, "kafka_producer_record_send_total",
                  "client_id=\"reprise-replay-" + backfill + "\"")).isPositive();
              assertThat(value(metrics, "kafka_producer_record_send_total",
                  "client_id=\"reprise-effects-" + workflow + "\"")).isPositive();
              assertThat(metrics).contains("kafka_stream_thread_");
              assertThat(values(metrics, "jvm_memory_used_bytes", "area=\"heap\"")).isNotEmpty().allMatch(v -> v >= 0);
            });

        // The dashboard's JSON for the selected backfill: lag per workflow and live group, with history.
        JsonNode view = json.readTree(get(server.url().resolve("/api/backfills/" + backfill)).body());
        assertThat(view.get("state").asText()).isEqualTo("RUNNING");
        assertThat(view.get("days").get("cells")).hasSize(2192);
        List<String> groups = new ArrayList<>();
        view.get("lag").forEach(g -> groups.add(g.get("group").asText() + "/" + g.get("kind").asText()));
        assertThat(groups).containsExactlyInAnyOrder(workflowGroup + "/workflow", liveGroup + "/live");
        view.get("lag").forEach(g -> assertThat(g.get("history").get("t")).isNotEmpty());
        assertThat(view.get("history").get("publishRate")).isNotEmpty();
        assertThat(json.readTree(get(server.url().resolve("/api/overview")).body()).get("backfills").toString())
            .contains(backfill);

        // Actions: the header guards against cross-site posts; an unknown backfill is named.
        URI pause = server.url().resolve("/api/backfills/" + backfill + "/pause");
        assertThat(post(pause, false).statusCode()).isEqualTo(403);
        HttpResponse<String> unknown = post(server.url().resolve("/api/backfills/no-such-backfill/pause"), true);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no-such-backfill");
        assertThat(post(pause, true).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> client.status(backfill).orElseThrow().state() == BackfillState.PAUSED);
        // Who did what: the page's audit view shows the pause it sent and the state it caused.
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(
            get(server.url().resolve("/api/backfills/" + backfill + "/audit")).body())
            .contains("\"command\":\"PAUSE\"", "\"decision\":\"ACCEPTED\"", "\"toState\":\"PAUSED\""));
        await("a paused backfill publishes nothing").atMost(Duration.ofSeconds(15)).untilAsserted(() ->
            assertThat(value(get(server.url().resolve("/metrics")).body(), "reprise_backfill_publish_records_per_second", b))
                .isZero());
        assertThat(post(server.url().resolve("/api/backfills/" + backfill + "/resume"), true).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofMinutes(1)).until(() -> client.status(backfill).orElseThrow().state() == BackfillState.COMPLETED);
        await("completed in the metrics too").atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
          String metrics = get(server.url().resolve("/metrics")).body();
          scraped.append(metrics);
          assertThat(value(metrics, "reprise_backfill_state", b, "state=\"COMPLETED\"")).isEqualTo(1);
          assertThat(value(metrics, "reprise_backfill_progress_ratio", b)).isEqualTo(1.0);
        });
      }
    }

    // Every query of the Grafana dashboard names series that were really exported above.
    Set<String> exported = new TreeSet<>();
    Matcher series = SERIES.matcher(scraped);
    while (series.find()) {
      exported.add(series.group(1));
    }
    Set<String> queried = GrafanaQueries.metricNames(new ObjectMapper().readTree(deployFile("grafana/dashboards/reprise.json").toFile()));
    assertThat(queried).hasSizeGreaterThan(15);
    assertThat(exported).containsAll(queried);

    // And so does every alert rule, but for Prometheus' own `up`.
    JsonNode rules = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
        .readTree(deployFile("prometheus/alerts.yml").toFile());
    Set<String> alerted = new TreeSet<>();
    rules.get("groups").forEach(group -> group.get("rules").forEach(rule -> {
      assertThat(rule.get("alert").asText()).startsWith("Reprise");
      alerted.addAll(GrafanaQueries.metricNames(rule.get("expr").asText()));
    }));
    assertThat(alerted).contains("up").hasSizeGreaterThan(5);
    alerted.remove("up");
    assertThat(exported).containsAll(alerted);
  }

  private static Path deployFile(String name) {
    Path root = Path.of("").toAbsolutePath();
    while (!Files.exists(root.resolve("deploy").resolve(name))) {
      root = root.getParent();
    }
    return root.resolve("deploy").resolve(name);
  }

  /** The value of the one series of {@code name} whose labels contain every fragment. */
  private static double value(String metrics, String name, String... labelFragments) {
    List<Double> values = values(metrics, name, labelFragments);
    assertThat(values).as("series %s%s", name, java.util.Arrays.toString(labelFragments)).hasSize(1);
    return values.get(0);
  }

  /** The values of every series of {@code name} whose labels contain every fragment. */
  private static List<Double> values(String metrics, String name, String... labelFragments) {
    List<Double> values = new ArrayList<>();
    Matcher matcher = SERIES.matcher(metrics);
    while (matcher.find()) {
      String labels = matcher.group(2) == null ? "" : matcher.group(2);
      if (matcher.group(1).equals(name) && java.util.Arrays.stream(labelFragments).allMatch(labels::contains)) {
        values.add(Double.parseDouble(matcher.group(3)));
      }
    }
    return values;
  }

  private HttpResponse<String> get(URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(URI uri, boolean withActionHeader) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.noBody());
    if (withActionHeader) {
      String path = uri.getPath();
      request.header(ObservabilityServer.ACTION_HEADER, path.substring(path.lastIndexOf('/') + 1));
      request.header(ObservabilityServer.CSRF_HEADER,
          json.readTree(get(uri.resolve("/api/session")).body()).get("csrf").asText());
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
