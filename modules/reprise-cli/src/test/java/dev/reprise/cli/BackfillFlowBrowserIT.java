package dev.reprise.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprise.coordinator.ReplayCoordinator;
import dev.reprise.history.GeneratedRecord;
import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.observability.BackfillObserver;
import dev.reprise.observability.ObservabilityServer;
import dev.reprise.observability.RepriseMetrics;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillCounters;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.submissions.workflow.NotifyWorkflow;
import dev.reprise.testing.HeadlessChromium;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import dev.reprise.workflow.CountingWebhookServer;
import dev.reprise.workflow.HttpWebhookSink;
import dev.reprise.workflow.WorkflowDryRun;
import dev.reprise.workflow.WorkflowReceipts;
import dev.reprise.workflow.WorkflowRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backfill flow a person uses, in headless Chromium on the dashboard: fill in the new-backfill
 * form (which shows the named workflow's replay rules) and preview it (the workflow's dry run says how many webhooks EXECUTE would post, and
 * nothing is posted or stored), execute exactly that preview (confirming the effects), watch it
 * complete, retry the one item the webhook refused once it accepts it again, and verify it.
 * Screenshots of each step go to {@code target/} (the README's come from here).
 *
 * <p>Skipped where no Chromium is installed, unless {@code REPRISE_BROWSER_REQUIRED=true}.
 */
@RepriseIntegrationTest
class BackfillFlowBrowserIT {

  @Test
  void shouldPreviewExecuteRetryAndVerifyABackfillFromThePage(RepriseTestEnvironment env, @TempDir Path state)
      throws Exception {
    Path chromium = HeadlessChromium.executableForTest();

    String source = env.uniqueName("submissions");
    String workflow = env.uniqueName("notify");
    String id = env.uniqueName("notify-2024");
    String other = env.uniqueName("other");
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(600).seed(29).corruptShare(0)
        .dirtyShare(0).tombstoneShare(0).build());
    List<String> inRange = new ArrayList<>();
    for (GeneratedRecord record : history) {
      if (record.kind().upcasts() && record.truth().submittedAt().toString().startsWith("2024")) {
        inRange.add(record.truth().submissionId() + "#" + record.truth().revision());
      }
    }
    String refused = inRange.get(inRange.size() / 2);
    Map<String, Object> clientConfig = Map.of("bootstrap.servers", env.bootstrapServers());
    Path target = Path.of("target");
    Files.createDirectories(target);

    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var client = BackfillClient.create(clientConfig, registry);
        var webhook = new CountingWebhookServer();
        var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
            .allowedSourceTopics(Set.of(source)).knownWorkflows(Set.of(workflow)).build().start();
        var runtime = WorkflowRuntime.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
            .workflow(new NotifyWorkflow(workflow))
            .sink(new HttpWebhookSink(NotifyWorkflow.SINK, webhook.url(), webhook.lookupUrl()))
            .backfills(Set.of(id)).stateDirectory(state).build().start();
        var observer = BackfillObserver.create(clientConfig, registry, Set.of(), Clock.systemUTC()).start();
        var server = ObservabilityServer.builder().port(0).meterRegistry(RepriseMetrics.registry("it"))
            .dashboard(observer).build().start();
        var browser = HeadlessChromium.launch(chromium, 1400, 2000)) {
      new HistoryWriter(env.producerConfig(), registry).write(source, 3, history);
      webhook.reject(Set.of(refused));
      // Someone else's backfill, running slowly the whole time: the page must not trade ours for it.
      client.submit(new BackfillRequest(other, source, Instant.parse("2020-01-01T00:00:00Z"),
          Instant.parse("2026-01-01T00:00:00Z"), Map.of(), OptionalInt.empty(), BackfillRequest.Mode.EXECUTE, List.of(),
          OptionalDouble.of(5), BackfillRequest.EffectsPolicy.SUPPRESS, Optional.of("someone else"), Optional.empty()));
      await("the other backfill runs").atMost(Duration.ofSeconds(30))
          .until(() -> client.status(other).map(s -> s.state() == BackfillState.RUNNING).orElse(false));
      browser.navigate(server.url());

      // 1. The form, as a person fills it in: last year's submissions, the new workflow, effects on.
      browser.evaluate("""
          (() => {
            document.getElementById('new-backfill').open = true;
            const f = document.getElementById('new-form').elements;
            f.id.value = '%s'; f.source.value = '%s'; f.from.value = '2024-01-01'; f.to.value = '2025-01-01';
            f.workflows.value = '%s'; f.effects.value = 'ENABLE'; f.reason.value = 'the new workflow must see 2024';
            f.workflows.dispatchEvent(new Event('input'));
            return true;
          })()""".formatted(id, source, workflow));
      // The workflow's declared replay rules, next to the effects choice.
      await("the replay rules of the workflow").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
          .until(() -> browser.evaluate("document.getElementById('new-form').elements.workflows"
              + ".dispatchEvent(new Event('input')) && document.getElementById('replay-rules').textContent").asText(),
              text -> text.equals(workflow + ": effects may run in replays"));
      Files.write(target.resolve("flow-1-new-backfill.png"), browser.screenshot());
      browser.evaluate("document.getElementById('preview-button').click()");

      // 2. The preview: the scan's counts and the workflow's dry run, and no trace of it.
      BackfillStatus preview = await("the preview completes").atMost(Duration.ofMinutes(1))
          .until(() -> client.status(id).orElse(null), s -> s != null && s.state() == BackfillState.COMPLETED);
      long matched = preview.counter(BackfillCounters.MATCHED);
      assertThat(matched).isEqualTo(inRange.size());
      String wouldDo = "would perform %,d effect(s) (webhook %,d)".formatted(matched, matched);
      // The worker first restarts Kafka Streams with the new scratch topic (and waits out its old
      // member's session): the dry run itself, then the page showing it.
      await("the workflow's dry run").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
          .until(() -> WorkflowDryRun.of(clientConfig, registry, workflow, id).events(), events -> events == matched);
      await("the dry run on the page").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
          .until(() -> browser.evaluate("(document.querySelector('#dry-runs .summary') || {}).textContent || ''")
              .asText(), text -> text.contains(wouldDo));
      assertThat(browser.evaluate("document.getElementById('execute').disabled").asBoolean()).isFalse();
      Files.write(target.resolve("flow-2-preview.png"), browser.screenshot());
      assertThat(webhook.accepted()).as("a dry run posts nothing").isEmpty();
      assertThat(WorkflowReceipts.of(clientConfig, registry, workflow, id)).as("nor records anything").isEmpty();

      // 3. Execute what was previewed; the page asks first, with the dry run's count.
      browser.evaluate("window.confirm = (message) => { window.asked = message; return true; }; "
          + "document.getElementById('execute').click(); true");
      await("the execution completes").atMost(Duration.ofMinutes(2)).until(() -> client.status(id).orElse(null),
          s -> s != null && s.state() == BackfillState.COMPLETED
              && s.request().map(BackfillRequest::mode).orElse(null) == BackfillRequest.Mode.EXECUTE);
      assertThat(browser.evaluate("window.asked").asText()).contains("%,d effect(s) will be performed".formatted(matched));
      await("every webhook but the refused one").atMost(Duration.ofMinutes(1))
          .until(() -> webhook.accepted().size() == matched - 1);

      // 4. The refused item, listed with its error, retried once the webhook takes it.
      await("the failed item on the page").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
          .until(() -> browser.evaluate("[...document.querySelectorAll('#failed tr.failed-item')]"
              + ".map(tr => tr.textContent).join('|')").asText(), rows -> rows.contains(refused) && rows.contains("effect"));
      Files.write(target.resolve("flow-3-failed-item.png"), browser.screenshot());
      webhook.reject(Set.of());
      browser.evaluate("document.querySelector('#failed tr.failed-item button.retry').click(); true");
      await("the retried item performed").atMost(Duration.ofMinutes(1)).until(() -> webhook.accepted().containsKey(refused));
      await("its receipt").atMost(Duration.ofMinutes(1)).until(() -> WorkflowReceipts.handled(
          WorkflowReceipts.of(clientConfig, registry, workflow, id).getOrDefault(refused, List.of())));
      // The page's retry was a RETRY request: the coordinator's trail says who asked and what it sent back.
      assertThat(observer.audit(id)).filteredOn(e -> e.command().filter("RETRY"::equals).isPresent())
          .singleElement().satisfies(e -> {
            assertThat(e.decision()).hasValue("ACCEPTED");
            assertThat(e.requestedBy()).hasValueSatisfying(who -> assertThat(who).endsWith("(dashboard)"));
            assertThat(e.reason()).hasValueSatisfying(r -> assertThat(r).contains("1 dead letter(s) of workflow '"
                + workflow + "' sent back"));
          });

      // 5. Verified from the page.
      browser.evaluate("document.getElementById('verify').click(); true");
      await("VERIFIED").atMost(Duration.ofMinutes(1)).until(() -> client.status(id).orElseThrow().state(),
          s -> s == BackfillState.VERIFIED);
      await("VERIFIED on the page").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
          .until(() -> browser.evaluate("document.getElementById('detail-state').textContent").asText(),
              text -> text.equals("VERIFIED"));
      Files.write(target.resolve("flow-4-verified.png"), browser.screenshot());
      client.cancel(other);
      assertThat(webhook.accepted()).hasSize((int) matched)
          .allSatisfy((key, calls) -> assertThat(calls).as(key).isEqualTo(1));
    }
  }
}
