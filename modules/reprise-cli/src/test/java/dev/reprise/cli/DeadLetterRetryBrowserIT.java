package dev.reprise.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprise.coordinator.ReplayCoordinator;
import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.observability.BackfillObserver;
import dev.reprise.observability.ObservabilityServer;
import dev.reprise.observability.RepriseMetrics;
import dev.reprise.protocol.AuditEntry;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillCounters;
import dev.reprise.protocol.BackfillDeadLetters;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.submissions.RefusingSubmissions;
import dev.reprise.submissions.SubmissionEventType;
import dev.reprise.testing.HeadlessChromium;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The replay's own failed items, from the page: a broken plugin dead-letters some submissions; once
 * the fixed plugin runs, a person sees them under Failed items (where they failed, the source record,
 * the error), retries one, then all, and sees each marked retried while the published count grows
 * to what the fixed plugin publishes. Each retry is a RETRY request in the audit trail, with the
 * dashboard user.
 */
@RepriseIntegrationTest
class DeadLetterRetryBrowserIT {

  private static final String BUG = "refused by the broken plugin";

  @Test
  void shouldListAndRetryTheReplaysDeadLettersFromThePage(RepriseTestEnvironment env) throws Exception {
    Path chromium = HeadlessChromium.executableForTest();

    String source = env.uniqueName("submissions");
    String id = env.uniqueName("refused");
    Map<String, Object> clientConfig = Map.of("bootstrap.servers", env.bootstrapServers());
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(400).seed(31).corruptShare(0)
        .dirtyShare(0).tombstoneShare(0).build());

    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var client = BackfillClient.create(clientConfig, registry)) {
      new HistoryWriter(env.producerConfig(), registry).write(source, 2, history);
      BackfillStatus broken;
      try (var coordinator = coordinator(env, registry, source, new RefusingSubmissions(BUG))) {
        client.submit(new BackfillRequest(id, source, Instant.parse("2020-01-01T00:00:00Z"),
            Instant.parse("2026-01-01T00:00:00Z"), Map.of(), OptionalInt.empty(), BackfillRequest.Mode.EXECUTE,
            List.of(), OptionalDouble.empty(), BackfillRequest.EffectsPolicy.SUPPRESS, Optional.of("it"),
            Optional.empty()));
        broken = await().atMost(Duration.ofSeconds(60)).until(() -> client.status(id).orElse(null),
            s -> s != null && s.state() == BackfillState.COMPLETED);
      }
      List<BackfillDeadLetters.Letter> letters = BackfillDeadLetters.read(clientConfig, id);
      assertThat(letters).as("only the broken plugin's refusals (a clean history)").isNotEmpty()
          .allSatisfy(l -> assertThat(l.message()).contains(BUG));
      Path target = Path.of("target");
      Files.createDirectories(target);

      String announced = env.uniqueName("announced-only");
      try (var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers())
          .schemaRegistry(registry).allowedSourceTopics(Set.of(source, announced)).eventType(new SubmissionEventType())
          .build().start();
          var observer = BackfillObserver.create(clientConfig, registry, Set.of(), Clock.systemUTC()).start();
          var server = ObservabilityServer.builder().port(0).meterRegistry(RepriseMetrics.registry("it"))
              .dashboard(observer).build().start();
          var browser = HeadlessChromium.launch(chromium, 1400, 1600)) {
        browser.navigate(server.url().resolve("#" + id));
        String firstItem = letters.get(0).item();
        await("the replay's failed items on the page").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
            .until(() -> browser.evaluate("[...document.querySelectorAll('#failed tr.failed-item')]"
                + ".filter(tr => tr.dataset.workflow === '').length").asInt(), n -> n == letters.size());
        assertThat(browser.evaluate("document.querySelector('#failed tr.failed-item').textContent").asText())
            .contains("replay").contains(firstItem).contains("source " + letters.get(0).sourcePartition() + "@"
                + letters.get(0).sourceOffset()).contains("upcast");
        Files.write(target.resolve("retry-1-replay-dead-letters.png"), browser.screenshot());
        // The new-backfill form offers what the coordinator may replay, not only sources of past backfills.
        await("the allowlist offered as sources").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
            .until(() -> browser.evaluate("[...document.querySelectorAll('#sources option')].map(o => o.value)"
                + ".includes('" + announced + "')").asBoolean());

        // One item: retried, marked so, one more published.
        browser.evaluate("document.querySelector('#failed tr.failed-item[data-item=\"" + firstItem
            + "\"] button.retry').click(); true");
        BackfillStatus one = await("the coordinator's answer").atMost(Duration.ofSeconds(30))
            .until(() -> client.status(id).orElseThrow(), s -> s.retriedDeadLetters().contains(firstItem));
        assertThat(one.counter(BackfillCounters.PUBLISHED)).isEqualTo(broken.counter(BackfillCounters.PUBLISHED) + 1);
        await("marked retried on the page").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
            .until(() -> browser.evaluate("document.querySelector('#failed tr.failed-item[data-item=\"" + firstItem
                + "\"]').textContent").asText(), text -> text.contains("retried"));

        // Then all the others, with one button.
        browser.evaluate("document.querySelector('#failed button.retry-all[data-workflow=\"\"]').click(); true");
        BackfillStatus all = await("every dead letter retried").atMost(Duration.ofSeconds(30))
            .until(() -> client.status(id).orElseThrow(), s -> s.retriedDeadLetters().size() == letters.size());
        assertThat(all.counter(BackfillCounters.DEAD_LETTERED)).isZero();
        assertThat(all.counter(BackfillCounters.PUBLISHED))
            .isEqualTo(broken.counter(BackfillCounters.PUBLISHED) + letters.size());
        await("the page's counters").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
            .until(() -> browser.evaluate("document.getElementById('counters').textContent").asText(),
                text -> text.contains("Dead-lettered0"));
        await("every row marked retried, no Retry button left").atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> browser.evaluate("document.querySelectorAll('#failed tr.failed-item[data-workflow=\"\"]"
                + " button, #failed button.retry-all').length").asInt(), n -> n == 0);
        Files.write(target.resolve("retry-2-replay-dead-letters-retried.png"), browser.screenshot());

        List<AuditEntry> trail = observer.audit(id);
        assertThat(trail).filteredOn(e -> e.command().filter("RETRY"::equals).isPresent())
            .hasSize(2).allSatisfy(e -> assertThat(e.requestedBy()).hasValueSatisfying(who ->
                assertThat(who).endsWith("(dashboard)")));
      }
    }
  }

  private static ReplayCoordinator coordinator(RepriseTestEnvironment env, ConfluentSchemaRegistryClient registry,
      String source, dev.reprise.spi.EventType type) {
    return ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
        .allowedSourceTopics(Set.of(source)).eventType(type).build().start();
  }
}
