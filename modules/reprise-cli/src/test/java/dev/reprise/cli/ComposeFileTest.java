package dev.reprise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.reprise.submissions.workflow.FormDailyStatsWorkflow;
import dev.reprise.submissions.workflow.NotifyWorkflow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * No Docker engine runs where Reprise is built, so the compose stack is checked by reading it:
 * every service, image tag, port, dependency, mounted file, the commands the Reprise services run
 * (parsed by the real command line), and how Prometheus and Grafana find them.
 */
class ComposeFileTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static Path root;
  private static JsonNode services;

  @BeforeAll
  static void read() throws IOException {
    root = Path.of("").toAbsolutePath();
    while (!Files.exists(root.resolve("docker-compose.yml"))) {
      root = root.getParent();
    }
    // SnakeYAML itself, not Jackson's YAML parser: the file uses merge keys (<<: *reprise), which
    // only SnakeYAML's constructor resolves.
    try (var in = Files.newInputStream(root.resolve("docker-compose.yml"))) {
      Object compose = new org.yaml.snakeyaml.Yaml().load(in);
      services = new ObjectMapper().valueToTree(compose).get("services");
    }
  }

  @Test
  void shouldRunEveryPartOfTheStack() {
    assertThat(names(services)).containsExactlyInAnyOrder("kafka", "registry", "seed", "webhook", "coordinator",
        "worker-notify", "worker-form-daily-stats", "prometheus", "grafana");
  }

  @Test
  void shouldPinEveryImageToTheVersionsRepriseBuildsAgainst() throws IOException {
    String pom = Files.readString(root.resolve("pom.xml"));
    services.properties().forEach(service -> {
      String image = service.getValue().path("image").asText();
      assertThat(image).as(service.getKey() + "'s image").matches("[a-z0-9./-]+:[A-Za-z0-9._-]+")
          .doesNotEndWith(":latest");
    });
    assertThat(image("kafka")).isEqualTo("apache/kafka:" + property(pom, "kafka.version"));
    assertThat(image("registry")).isEqualTo("apicurio/apicurio-registry:" + property(pom, "apicurio.version"));
    String reprise = "reprise:" + projectVersion(pom);
    for (String service : List.of("seed", "webhook", "coordinator", "worker-notify", "worker-form-daily-stats")) {
      assertThat(image(service)).as(service).isEqualTo(reprise);
      JsonNode build = services.get(service).get("build");
      assertThat(root.resolve(build.get("context").asText()).resolve(build.get("dockerfile").asText())).isRegularFile();
    }
  }

  @Test
  void shouldPublishPortsOnTheHostsLoopbackOnly() {
    List<String> ports = new ArrayList<>();
    services.properties().forEach(service -> service.getValue().path("ports").forEach(port -> ports.add(port.asText())));
    assertThat(ports).isNotEmpty().allSatisfy(port -> assertThat(port).startsWith("127.0.0.1:"));
    Set<String> hostPorts = new HashSet<>();
    ports.forEach(port -> assertThat(hostPorts.add(port.split(":")[1])).as("host port %s used twice", port).isTrue());
  }

  @Test
  void shouldDependOnlyOnServicesThatExistAndOnHealthchecksTheyHave() {
    Set<String> names = names(services);
    services.properties().forEach(service -> {
      JsonNode dependsOn = service.getValue().path("depends_on");
      dependsOn.properties().forEach(dependency -> {
        assertThat(names).as(service.getKey() + " depends on").contains(dependency.getKey());
        String condition = dependency.getValue().path("condition").asText();
        assertThat(condition).isIn("service_started", "service_healthy", "service_completed_successfully");
        if (condition.equals("service_healthy")) {
          assertThat(services.get(dependency.getKey()).has("healthcheck"))
              .as("%s waits for %s to be healthy, which has no healthcheck", service.getKey(), dependency.getKey()).isTrue();
        }
      });
    });
    for (String service : List.of("kafka", "registry", "coordinator", "prometheus", "grafana")) {
      assertThat(services.get(service).get("healthcheck").get("test")).as(service).isNotEmpty();
    }
  }

  @Test
  void shouldMountOnlyFilesThatExistInTheRepository() {
    List<String> mounts = new ArrayList<>();
    services.properties().forEach(service -> service.getValue().path("volumes").forEach(volume -> {
      String source = volume.asText().split(":")[0];
      if (source.startsWith("./")) {
        mounts.add(source);
      }
    }));
    assertThat(mounts).isNotEmpty().allSatisfy(source -> assertThat(root.resolve(source)).exists());
  }

  @Test
  void shouldRunRepriseCommandsTheCommandLineAccepts() {
    for (String service : List.of("seed", "webhook", "coordinator", "worker-notify", "worker-form-daily-stats")) {
      List<String> command = command(service);
      // Throws on an unknown command or option, or a missing required one.
      CommandLine.ParseResult parsed = RepriseCli.commandLine().parseArgs(command.toArray(String[]::new));
      assertThat(parsed.hasSubcommand()).as(service).isTrue();
    }
    assertThat(command("seed")).first().isEqualTo("seed");
    assertThat(services.get("seed").get("restart").asText()).as("seed runs once").isEqualTo("no");
    assertThat(Set.of(option(command("worker-notify"), "--workflow"), option(command("worker-form-daily-stats"), "--workflow")))
        .containsExactlyInAnyOrder(NotifyWorkflow.NAME, FormDailyStatsWorkflow.NAME);
    assertThat(options(command("coordinator"), "--workflow"))
        .containsExactlyInAnyOrder(NotifyWorkflow.NAME, FormDailyStatsWorkflow.NAME);
    // notify posts to the webhook service, on its port.
    assertThat(option(command("worker-notify"), "--webhook"))
        .isEqualTo("http://webhook:" + option(command("webhook"), "--port") + "/hook");
  }

  @Test
  void shouldLetPrometheusScrapeTheCoordinatorAndEveryWorker() throws IOException {
    JsonNode prometheus = YAML.readTree(root.resolve(mountSource("prometheus", "/etc/prometheus/prometheus.yml")).toFile());
    Set<String> targets = new TreeSet<>();
    prometheus.get("scrape_configs").forEach(job -> {
      assertThat(job.path("metrics_path").asText("/metrics")).isEqualTo("/metrics");
      job.get("static_configs").forEach(config -> config.get("targets").forEach(target -> targets.add(target.asText())));
    });
    Map<String, String> served = new HashMap<>();
    for (String service : List.of("coordinator", "worker-notify", "worker-form-daily-stats")) {
      List<String> command = command(service);
      assertThat(option(command, "--http-host")).as(service + " listens beyond its container's loopback").isEqualTo("0.0.0.0");
      served.put(service, service + ":" + option(command, "--http-port"));
    }
    assertThat(targets).containsExactlyInAnyOrderElementsOf(served.values());
    // Alert rules: loaded from a file mounted into the container, with at least one rule.
    assertThat(prometheus.get("rule_files")).isNotEmpty();
    for (JsonNode ruleFile : prometheus.get("rule_files")) {
      JsonNode rules = YAML.readTree(root.resolve(mountSource("prometheus", ruleFile.asText())).toFile());
      assertThat(rules.get("groups").get(0).get("rules")).isNotEmpty();
    }
  }

  @Test
  void shouldProvisionGrafanaWithThePrometheusDatasourceAndTheDashboard() throws IOException {
    Path datasources = root.resolve(mountSource("grafana", "/etc/grafana/provisioning/datasources"));
    JsonNode datasource = YAML.readTree(datasources.resolve("prometheus.yml").toFile()).get("datasources").get(0);
    assertThat(datasource.get("url").asText()).isEqualTo("http://prometheus:9090");
    assertThat(services.get("prometheus").get("ports").get(0).asText()).endsWith(":9090");

    Path providers = root.resolve(mountSource("grafana", "/etc/grafana/provisioning/dashboards"));
    String dashboardsPath = YAML.readTree(providers.resolve("reprise.yml").toFile()).get("providers").get(0)
        .get("options").get("path").asText();
    Path dashboards = root.resolve(mountSource("grafana", dashboardsPath));
    JsonNode dashboard = new ObjectMapper().readTree(dashboards.resolve("reprise.json").toFile());
    assertThat(dashboard.get("uid").asText()).isEqualTo("reprise");
    List<JsonNode> panels = new ArrayList<>();
    dashboard.get("panels").forEach(panel -> {
      if (!panel.get("type").asText().equals("row")) {
        panels.add(panel);
      }
    });
    assertThat(panels).hasSizeGreaterThan(10).allSatisfy(panel -> {
      assertThat(panel.get("datasource").get("uid").asText()).isEqualTo(datasource.get("uid").asText());
      assertThat(panel.get("targets")).isNotEmpty();
    });
  }

  private static Set<String> names(JsonNode node) {
    Set<String> names = new TreeSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static String image(String service) {
    return services.get(service).get("image").asText();
  }

  private static List<String> command(String service) {
    List<String> command = new ArrayList<>();
    services.get(service).get("command").forEach(part -> command.add(part.asText()));
    return command;
  }

  private static String option(List<String> command, String name) {
    List<String> values = options(command, name);
    assertThat(values).as(name + " in " + command).hasSize(1);
    return values.get(0);
  }

  private static List<String> options(List<String> command, String name) {
    List<String> values = new ArrayList<>();
    for (int i = 0; i < command.size() - 1; i++) {
      if (command.get(i).equals(name)) {
        values.add(command.get(i + 1));
      }
    }
    return values;
  }

  /** The repository path mounted at {@code target} in {@code service}. */
  private static String mountSource(String service, String target) {
    for (JsonNode volume : services.get(service).get("volumes")) {
      String[] parts = volume.asText().split(":");
      if (parts[1].equals(target)) {
        return parts[0];
      }
    }
    throw new AssertionError(service + " mounts nothing at " + target);
  }

  private static String property(String pom, String name) {
    Matcher matcher = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
    assertThat(matcher.find()).as(name + " in pom.xml").isTrue();
    return matcher.group(1);
  }

  private static String projectVersion(String pom) {
    Matcher matcher = Pattern.compile("<artifactId>reprise-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
    assertThat(matcher.find()).isTrue();
    return matcher.group(1);
  }
}
