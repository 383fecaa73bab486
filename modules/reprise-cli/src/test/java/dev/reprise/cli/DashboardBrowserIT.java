package dev.reprise.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillState;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.testing.HeadlessChromium;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real browser against a running {@code reprise demo}: headless Chromium (Debian's
 * package) shows the backfill running with its progress bar; its Pause button publishes a PAUSE the
 * coordinator obeys, and the paused backfill shows progress, the publish-rate chart, a lag chart
 * per workflow group and replayed days; Resume lets it finish, and after the verification every
 * day of the grid is verified. Screenshots ({@code dashboard-paused.png}, {@code
 * dashboard-verified.png}) go to {@code target/}.
 *
 * <p>Skipped where no Chromium is installed, unless {@code REPRISE_BROWSER_REQUIRED=true} (CI sets
 * it and installs {@code chromium}), where it fails instead.
 */
@RepriseIntegrationTest
class DashboardBrowserIT {

  private static final Pattern DASHBOARD = Pattern.compile("dashboard: (http://127\\.0\\.0\\.1:\\d+/)");
  private static final Pattern EXECUTE = Pattern.compile("EXECUTE '(demo-[0-9a-f]+)'");

  @Test
  void shouldShowARunningBackfillWithProgressAndLagAndObeyThePauseAndResumeButtons(RepriseTestEnvironment env)
      throws Exception {
    Path chromium = HeadlessChromium.executableForTest();

    StringWriter output = new StringWriter();
    var commandLine = RepriseCli.commandLine();
    commandLine.setOut(new PrintWriter(output, true));
    commandLine.setErr(new PrintWriter(output, true));
    ExecutorService runner = Executors.newSingleThreadExecutor();
    // Slow enough (300 records/s) to be watched and paused while it runs; kept open to be seen verified.
    Future<Integer> demo = runner.submit(() -> commandLine.execute("demo", "--events", "8000", "--max-rate", "300",
        "--http-port", "0", "--keep-open", "--bootstrap-server", env.bootstrapServers(),
        "--schema-registry", env.schemaRegistryUrl()));
    Path target = Path.of("target");
    Files.createDirectories(target);
    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var client = BackfillClient.create(Map.of("bootstrap.servers", env.bootstrapServers()), registry)) {
      URI dashboard = URI.create(await("the dashboard's address").atMost(Duration.ofMinutes(2))
          .until(() -> find(DASHBOARD, output), Optional::isPresent).orElseThrow());
      String backfill = await("the EXECUTE backfill").atMost(Duration.ofMinutes(2))
          .until(() -> find(EXECUTE, output), Optional::isPresent).orElseThrow();

      try (var browser = HeadlessChromium.launch(chromium, 1400, 1900)) {
        browser.navigate(dashboard.resolve("/#" + backfill));
        // Only "running with progress" is awaited before pausing: a 2-core CI machine can take longer to start
        // the workflows than the whole replay takes, so the lag history is checked on the paused backfill, whose
        // groups the observer keeps sampling (once a second).
        await("the running backfill with its progress bar").atMost(Duration.ofMinutes(1))
            .pollInterval(Duration.ofMillis(250)).untilAsserted(() -> assertThat(browser.evaluate("""
                (() => {
                  const row = document.querySelector('tr.backfill[data-id="%s"]');
                  const bar = row && row.querySelector('.progress-bar > span');
                  return {
                    running: document.getElementById('detail-state').textContent === 'RUNNING',
                    progressBar: !!bar && parseFloat(bar.style.width) >= 20
                  };
                })()""".formatted(backfill)).toString()).doesNotContain("false"));

        // Paused through the page, so what follows is checked on a backfill that stands still.
        browser.evaluate("document.getElementById('pause').click()");
        await("PAUSED through the dashboard's button").atMost(Duration.ofSeconds(30))
            .until(() -> client.status(backfill).map(s -> s.state() == BackfillState.PAUSED).orElse(false));
        try {
          await("the paused backfill with progress, rate, lag history and days on the page")
              .atMost(Duration.ofMinutes(1))
              .pollInterval(Duration.ofMillis(250)).untilAsserted(() -> assertThat(browser.evaluate("""
                  (() => {
                    const row = document.querySelector('tr.backfill[data-id="%s"]');
                    const bar = row && row.querySelector('.progress-bar > span');
                    const lagLines = [...document.querySelectorAll('#lag-chart path.series')];
                    return {
                      paused: document.getElementById('detail-state').textContent === 'PAUSED',
                      resumable: !document.getElementById('resume').disabled,
                      progressBar: !!bar && parseFloat(bar.style.width) > 0,
                      rateChart: document.querySelectorAll('#rate-chart path.series').length >= 1,
                      lagHistoryPerWorkflow: lagLines.length >= 2
                          && lagLines.every(line => (line.getAttribute('d').match(/L/g) || []).length >= 3),
                      lagLegend: document.getElementById('lag-legend').textContent.includes('notify-'),
                      groupTable: [...document.querySelectorAll('#groups td')]
                          .some(td => td.textContent.startsWith('reprise.workflow.')),
                      daysReplayed: document.querySelectorAll('#day-grid rect.day.replayed').length > 0
                    };
                  })()""".formatted(backfill)).toString()).doesNotContain("false"));
        } finally {
          Files.write(target.resolve("dashboard-paused.png"), browser.screenshot());
        }

        browser.evaluate("document.getElementById('resume').click()");
        await("resumed and finished").atMost(Duration.ofMinutes(2))
            .until(() -> client.status(backfill).map(s -> s.state() == BackfillState.VERIFIED).orElse(false));
        // A handover's range runs from --from (2023-01-01) to the last day it found (2025-09-30).
        long days = await("every day of the range verified on the page").atMost(Duration.ofSeconds(30))
            .until(() -> browser.evaluate("document.querySelectorAll('#day-grid rect.day.verified').length").asLong(),
                count -> count == 1004);
        assertThat(days).isEqualTo(1004);
        assertThat(browser.evaluate("document.querySelectorAll('#day-grid rect.day').length").asInt()).isEqualTo(1004);
        assertThat(browser.evaluate("document.querySelectorAll('#day-grid rect.day.failed').length").asInt()).isZero();
        Files.write(target.resolve("dashboard-verified.png"), browser.screenshot());
      }
      await("the demo's report").atMost(Duration.ofMinutes(1))
          .until(() -> output.toString().contains("Dashboard still up"));
      assertThat(output.toString()).contains("backfill " + backfill + ": VERIFIED");
    } finally {
      demo.cancel(true);
      runner.shutdown();
      assertThat(runner.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES)).as("the demo stopped").isTrue();
    }
  }

  private static Optional<String> find(Pattern pattern, StringWriter output) {
    Matcher matcher = pattern.matcher(output.toString());
    return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
  }
}
