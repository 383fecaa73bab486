package dev.reprise.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.reprise.backpressure.WorkflowHealth;
import dev.reprise.coordinator.ReplayCoordinator;
import dev.reprise.embedded.BrokerSecurity;
import dev.reprise.embedded.EmbeddedKafkaBroker;
import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.protocol.WorkflowDeclarations;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.submissions.workflow.FormDailyStatsWorkflow;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import dev.reprise.workflow.WorkflowRuntime;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reprise on a secured cluster: a broker with SASL_SSL (SCRAM-SHA-512) and {@code
 * StandardAuthorizer}, a principal per role with exactly the ACLs the README lists, the CLI's
 * clients configured by {@code --command-config}. A team replays what its policy allows; it cannot
 * write another team's topic, {@code reprise.requests} or {@code reprise.status}; a team outside the
 * policy is refused and audited; the verifier records its outcome through the coordinator.
 */
@RepriseIntegrationTest
class SecuredClusterIT {

  @Test
  void shouldLetEachPrincipalDoOnlyWhatItsAclsAndItsTeamsPolicyAllow(RepriseTestEnvironment env, @TempDir Path dir)
      throws Exception {
    BrokerSecurity security = BrokerSecurity.selfSigned(dir.resolve("tls"));
    String source = "orders-history";
    try (var broker = EmbeddedKafkaBroker.builder().security(security).build().start();
        var admin = Admin.create(broker.adminClientConfig());
        var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl())) {
      Map<String, String> passwords = new HashMap<>();
      for (String user : List.of("coordinator", "growth", "qa", "mallory", "stats")) {
        passwords.put(user, UUID.randomUUID().toString());
        broker.addUser(user, passwords.get(user));
      }
      admin.createTopics(List.of(new NewTopic(source, 2, (short) 1).configs(Map.of("cleanup.policy", "compact")),
          new NewTopic(ControlTopics.teamRequests("mallory"), 6, (short) 1))).all().get(30, TimeUnit.SECONDS);
      admin.createAcls(readmeAcls(source)).all().get(30, TimeUnit.SECONDS);
      new HistoryWriter(broker.adminClientConfig(), registry).write(source, 2,
          new HistoryGenerator(HistorySpec.builder().events(800).seed(15).build()));

      Path policy = dir.resolve("policy.yaml");
      Files.writeString(policy, """
          teams:
            growth:
              sources: [%s]
            qa:
              sources: [%s]
              verify: true
          """.formatted(source, source));
      Map<String, Object> coordinatorConfig = security.clientConfig("coordinator", passwords.get("coordinator"));
      try (var coordinator = ReplayCoordinator.builder().bootstrapServers(broker.bootstrapServers())
          .kafkaProperties(coordinatorConfig).schemaRegistry(registry).allowedSourceTopics(Set.of(source))
          .knownWorkflows(Set.of("stats")).accessPolicyFile(policy).sessionTimeout(Duration.ofSeconds(6)).build().start()) {
        Cli cli = new Cli(broker, env, dir, security, passwords);

        Run requested = cli.as("growth", "request", "--id", "eu-2024", "--source", source, "--from", "2020-01-01",
            "--to", "2026-01-01", "--workflow", "stats");
        assertThat(requested.exit()).as(requested.output()).isZero();
        Map<String, Object> growth = withBootstrap(broker, security.clientConfig("growth", passwords.get("growth")));
        try (var asGrowth = BackfillClient.create(growth, registry, Optional.of("growth"))) {
          await().atMost(Duration.ofSeconds(60)).until(() -> asGrowth.status("eu-2024")
              .map(s -> s.state() != BackfillState.ACCEPTED).orElse(false));
          // The workflow, a Kafka Streams app (exactly once), as its own principal.
          try (var worker = WorkflowRuntime.builder().bootstrapServers(broker.bootstrapServers())
              .kafkaProperties(security.clientConfig("stats", passwords.get("stats"))).schemaRegistry(registry)
              .workflow(new FormDailyStatsWorkflow("stats")).backfills(Set.of("eu-2024"))
              .stateDirectory(dir.resolve("streams")).build().start()) {
            BackfillStatus done = await().atMost(Duration.ofSeconds(120)).until(() -> asGrowth.status("eu-2024")
                .orElse(null), s -> s != null && s.state() == BackfillState.COMPLETED);
            assertThat(done.request().orElseThrow().requester()).contains("growth");
            assertThat(done.counter("published")).isPositive();

            // The verifier's team records its outcome through the coordinator: it cannot write statuses.
            Run verified = cli.as("qa", "verify", "eu-2024", "--wait", "120");
            assertThat(verified.exit()).as(verified.output()).isZero();
            assertThat(verified.output()).contains("VERIFIED 'eu-2024'");
          }
        }

        // What growth's principal cannot do, whatever it writes: Kafka refuses, not Reprise.
        try (var asGrowth = new KafkaProducer<>(growth, new ByteArraySerializer(), new ByteArraySerializer())) {
          for (String topic : List.of(ControlTopics.REQUESTS, ControlTopics.STATUS, ControlTopics.AUDIT,
              ControlTopics.teamRequests("qa"))) {
            assertThatThrownBy(() -> asGrowth.send(new ProducerRecord<>(topic, "x".getBytes(StandardCharsets.UTF_8),
                "forged".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS))
                .as("growth writes " + topic).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TopicAuthorizationException.class);
          }
        }

        // A team the policy does not name, on the topic its principal may write: refused, with the reason.
        Run stranger = cli.as("mallory", "request", "--id", "mallory-1", "--source", source, "--from", "2020-01-01", "--to", "2026-01-01");
        assertThat(stranger.exit()).as(stranger.output()).isEqualTo(1);
        assertThat(stranger.output()).contains("REJECTED").contains("team 'mallory' is not in the access policy");

        Run audit = cli.as("growth", "audit", "eu-2024");
        assertThat(audit.exit()).as(audit.output()).isZero();
        assertThat(audit.output())
            .contains("eu-2024  START by growth for " + System.getProperty("user.name") + ": ACCEPTED")
            .contains("eu-2024  VERIFY by qa: ACCEPTED")
            .contains("RUNNING -> COMPLETED")
            .contains("COMPLETED -> VERIFIED");
        Run refused = cli.as("growth", "audit", "mallory-1");
        assertThat(refused.output()).contains("START by mallory for " + System.getProperty("user.name") + ": REFUSED");
      }
    }
  }

  /** Exactly the README's table, for principals coordinator, growth, qa (verifying) and mallory. */
  private static List<AclBinding> readmeAcls(String source) {
    List<AclBinding> acls = new ArrayList<>();
    // coordinator: everything under reprise. (control, team and backfill topics, its groups),
    // reading the allowlisted sources, its transactional ids, and describing the cluster's groups.
    allow(acls, "coordinator", ResourceType.TOPIC, "reprise.", PatternType.PREFIXED, AclOperation.ALL);
    allow(acls, "coordinator", ResourceType.TOPIC, source, PatternType.LITERAL, AclOperation.READ);
    allow(acls, "coordinator", ResourceType.GROUP, "reprise.", PatternType.PREFIXED, AclOperation.ALL);
    allow(acls, "coordinator", ResourceType.TRANSACTIONAL_ID, "reprise.coordinator.", PatternType.PREFIXED,
        AclOperation.ALL);
    allow(acls, "coordinator", ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, AclOperation.DESCRIBE);
    for (String team : List.of("growth", "qa", "mallory")) {
      allow(acls, team, ResourceType.TOPIC, ControlTopics.teamRequests(team), PatternType.LITERAL, AclOperation.WRITE);
      allow(acls, team, ResourceType.TOPIC, ControlTopics.STATUS, PatternType.LITERAL, AclOperation.READ);
      allow(acls, team, ResourceType.TOPIC, ControlTopics.AUDIT, PatternType.LITERAL, AclOperation.READ);
    }
    // qa verifies: it reads the source, the backfill topics and the workflows' receipts, and sees
    // how far the workflows are and whether a coordinator runs.
    allow(acls, "qa", ResourceType.TOPIC, source, PatternType.LITERAL, AclOperation.READ);
    allow(acls, "qa", ResourceType.TOPIC, "reprise.backfill.", PatternType.PREFIXED, AclOperation.READ);
    allow(acls, "qa", ResourceType.TOPIC, "reprise.workflow.", PatternType.PREFIXED, AclOperation.READ);
    allow(acls, "qa", ResourceType.GROUP, "reprise.workflow.", PatternType.PREFIXED, AclOperation.DESCRIBE);
    allow(acls, "qa", ResourceType.GROUP, ControlTopics.COORDINATOR_GROUP, PatternType.LITERAL, AclOperation.DESCRIBE);
    // A workflow W: everything under reprise.workflow.W (its topics, Streams' internal topics, its
    // groups and transactional ids), reading backfill topics and statuses, declaring itself.
    String app = "reprise.workflow.stats";
    allow(acls, "stats", ResourceType.TOPIC, app, PatternType.PREFIXED, AclOperation.ALL);
    allow(acls, "stats", ResourceType.GROUP, app, PatternType.PREFIXED, AclOperation.ALL);
    allow(acls, "stats", ResourceType.TRANSACTIONAL_ID, app, PatternType.PREFIXED, AclOperation.ALL);
    allow(acls, "stats", ResourceType.TOPIC, "reprise.backfill.", PatternType.PREFIXED, AclOperation.READ);
    allow(acls, "stats", ResourceType.TOPIC, ControlTopics.STATUS, PatternType.LITERAL, AclOperation.READ);
    allow(acls, "stats", ResourceType.TOPIC, WorkflowDeclarations.TOPIC, PatternType.LITERAL, AclOperation.READ);
    allow(acls, "stats", ResourceType.TOPIC, WorkflowDeclarations.TOPIC, PatternType.LITERAL, AclOperation.WRITE);
    allow(acls, "stats", ResourceType.TOPIC, WorkflowHealth.TOPIC, PatternType.LITERAL, AclOperation.WRITE);
    return acls;
  }

  private static void allow(List<AclBinding> acls, String user, ResourceType type, String name, PatternType pattern,
      AclOperation operation) {
    acls.add(new AclBinding(new ResourcePattern(type, name, pattern),
        new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW)));
  }

  private static Map<String, Object> withBootstrap(EmbeddedKafkaBroker broker, Map<String, Object> config) {
    Map<String, Object> all = new HashMap<>(config);
    all.put("bootstrap.servers", broker.bootstrapServers());
    return all;
  }

  private record Run(int exit, String output) {}

  /** The CLI in this JVM, as one principal: its team and a --command-config file with its credentials. */
  private record Cli(EmbeddedKafkaBroker broker, RepriseTestEnvironment env, Path dir, BrokerSecurity security,
      Map<String, String> passwords) {

    Run as(String user, String... args) throws Exception {
      Path config = dir.resolve(user + ".properties");
      Properties properties = new Properties();
      security.clientConfig(user, passwords.get(user)).forEach((key, value) -> properties.put(key, value.toString()));
      try (var out = Files.newOutputStream(config)) {
        properties.store(out, "client security of " + user);
      }
      StringWriter output = new StringWriter();
      var commandLine = RepriseCli.commandLine();
      commandLine.setOut(new PrintWriter(output, true));
      commandLine.setErr(new PrintWriter(output, true));
      List<String> all = new ArrayList<>(List.of(args));
      all.addAll(List.of("--team", user, "--bootstrap-server", broker.bootstrapServers(),
          "--schema-registry", env.schemaRegistryUrl(), "--command-config", config.toString()));
      int exit = commandLine.execute(all.toArray(String[]::new));
      return new Run(exit, output.toString());
    }
  }
}
