package dev.reprise.cli;

import dev.reprise.backpressure.GroupLag;
import dev.reprise.backpressure.LagMonitor;
import dev.reprise.coordinator.ReplayCoordinator;
import dev.reprise.history.GeneratedRecord;
import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistorySummary;
import dev.reprise.history.HistoryWriter;
import dev.reprise.observability.ObservabilityServer;
import dev.reprise.observability.RepriseMetrics;
import dev.reprise.observability.WorkflowMetrics;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillCounters;
import dev.reprise.protocol.BackfillRequest.EffectsPolicy;
import dev.reprise.protocol.BackfillRequest.Mode;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.protocol.LivePositions;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.submissions.workflow.FormDailyStatsWorkflow;
import dev.reprise.submissions.workflow.NotifyWorkflow;
import dev.reprise.verify.BackfillVerifier;
import dev.reprise.verify.VerificationReport;
import dev.reprise.workflow.CountingWebhookServer;
import dev.reprise.workflow.HttpWebhookSink;
import dev.reprise.workflow.Receipt;
import dev.reprise.workflow.ReceiptOutcome;
import dev.reprise.workflow.SinkResilience;
import dev.reprise.workflow.WorkflowReceipts;
import dev.reprise.workflow.WorkflowRuntime;
import dev.reprise.workflow.api.Workflow;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reprise demo}: the whole story on one machine. Seeds three years of mixed-version history,
 * runs the coordinator and a local webhook, keeps live submissions arriving, and onboards the two
 * built-in workflows onto the live topic: a PREVIEW (with its pilot estimate) of the handover, then
 * the handover itself (history since {@code --from} through a backfill with effects enabled,
 * everything after the handover point live), shows progress and lag, verifies, and reports the
 * history and the live records each handled once. Exit 0 only if verified and every live record
 * after the handover point got exactly one webhook call.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Seed history, run the coordinator, the notify and form-daily-stats workflows and a local webhook,"
        + " onboard them onto the live topic while live submissions arrive (PREVIEW, then history through a backfill and"
        + " the rest live), show progress and lag, verify, and report. Exit 0 only if verified."})
final class DemoCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ConnectionOptions connection = new ConnectionOptions();

  @Option(names = "--events", defaultValue = "20000", description = "History to seed (default: ${DEFAULT-VALUE}).")
  long events;

  @Option(names = "--from", defaultValue = "2023-01-01",
      description = "The history the workflows get: from this UTC date to the handover point (default: ${DEFAULT-VALUE}).")
  String from;

  @Option(names = "--live-rate", paramLabel = "RECORDS_PER_S", defaultValue = "50",
      description = "Live submissions per second written during the demo (default: ${DEFAULT-VALUE}; 0: none).")
  double liveRate;

  @Option(names = "--json", description = "Print a machine-readable report as the last line.")
  boolean json;

  @Mixin HttpOptions http = new HttpOptions();

  @Option(names = "--max-rate", paramLabel = "RECORDS_PER_S",
      description = "Cap the EXECUTE backfill's publish rate, to watch it on the dashboard (default: no cap).")
  Double maxRate;

  @Option(names = "--keep-open",
      description = "After the report, keep the dashboard (and the embedded platform) up until Ctrl-C.")
  boolean keepOpen;

  private PrintWriter out;
  private PrometheusMeterRegistry meters;
  private long began;
  private String source;
  private String previewId;
  private String backfillId;
  private NotifyWorkflow notify;
  private FormDailyStatsWorkflow stats;
  private List<Workflow> workflows;
  private Path state;

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    began = System.nanoTime();
    String run = UUID.randomUUID().toString().substring(0, 8);
    source = "demo.submissions." + run;
    previewId = "demo-" + run + "-preview";
    backfillId = "demo-" + run;
    notify = new NotifyWorkflow("notify-" + run);
    stats = new FormDailyStatsWorkflow("form-daily-stats-" + run);
    workflows = List.of(notify, stats);
    state = Files.createTempDirectory("reprise-demo");
    meters = RepriseMetrics.registry("demo");
    try (var platform = connection.connect();
        var registry = platform.registry();
        var client = BackfillClient.create(platform.clientConfig(), registry);
        var webhook = new CountingWebhookServer();
        var dashboard = http.serveDashboard(0, meters, platform.clientConfig(), registry, Set.of())) {
      Map<String, Object> clientConfig = platform.clientConfig();
      say("1/6 Platform: Kafka %s, schema registry %s%s", platform.bootstrapServers(), platform.schemaRegistryUrl(),
          platform.isEmbedded() ? " (embedded, started for this demo)" : "");
      ObservabilityServer server = dashboard.server();
      if (server != null) {
        say("    dashboard: %s (metrics: %smetrics)%s", server.url(), server.url(),
            keepOpen ? "" : "; --keep-open keeps it up after the report");
      }
      int exit = run(platform, registry, client, webhook, clientConfig);
      if (keepOpen && server != null) {
        say("Dashboard still up at %s; Ctrl-C stops it.", server.url());
        UntilStopped.onStop("reprise-demo-shutdown", () -> { }).await();
      }
      return exit;
    } finally {
      BenchSupport.deleteQuietly(state);
    }
  }

  /** Seeds, previews, executes, follows, verifies and reports; the exit code. */
  private int run(ConnectionOptions.Connection platform, ConfluentSchemaRegistryClient registry, BackfillClient client,
      CountingWebhookServer webhook, Map<String, Object> clientConfig) throws Exception {
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(events).seed(42).build());
    HistoryWriter writer = new HistoryWriter(clientConfig, registry);
    HistorySummary written = writer.write(source, 3, history);
    Map<Integer, Long> seededEnd;
    try (var admin = Admin.create(clientConfig)) {
      seededEnd = LivePositions.endOffsets(admin, source);
    }
    Logs.file().ifPresent(file -> say("    logs (Kafka's and Reprise's; -v shows them here): %s", file));
    say("    seeded %,d records of history into '%s': per schema version %s, %,d corrections, %,d unreadable",
        events, source, new TreeMap<>(written.recordsPerVersion()), written.revisions(), written.unreadable());
    // Live submissions keep arriving during the whole onboarding: new ids, all readable.
    HistoryGenerator liveTraffic = new HistoryGenerator(HistorySpec.builder().events(1_000_000).seed(7).idPrefix("live-")
        .corruptShare(0).dirtyShare(0).tombstoneShare(0).build());
    AtomicBoolean writing = new AtomicBoolean(true);
    CompletableFuture<HistorySummary> live = liveRate > 0
        ? CompletableFuture.supplyAsync(() -> writer.write(source, 3, liveTraffic, liveRate, writing::get))
        : CompletableFuture.completedFuture(null);
    try {
      return onboard(platform, registry, client, webhook, clientConfig, liveTraffic, seededEnd, live, writing);
    } finally {
      writing.set(false);
    }
  }

  private int onboard(ConnectionOptions.Connection platform, ConfluentSchemaRegistryClient registry, BackfillClient client,
      CountingWebhookServer webhook, Map<String, Object> clientConfig, HistoryGenerator liveTraffic,
      Map<Integer, Long> seededEnd, CompletableFuture<HistorySummary> live,
      AtomicBoolean writing)
      throws Exception {

    try (var coordinator = ReplayCoordinator.builder().bootstrapServers(platform.bootstrapServers())
        .kafkaProperties(platform.kafkaProperties()).clientObserver(RepriseMetrics.kafkaClients(meters))
        .schemaRegistry(registry).allowedSourceTopics(Set.of(source))
        .knownWorkflows(Set.of(notify.name(), stats.name()))
        .defaultEventType(CoordinatorCommand.defaultEventType(null)).build().start()) {
      Instant rangeFrom = RequestCommand.instant("--from", from);
      List<String> names = List.of(notify.name(), stats.name());

      say("2/6 PREVIEW of onboarding %s onto live '%s': history since %s up to their live position (nothing is"
          + " published; a ~1%% pilot is replayed for real to estimate)", names, source, from);
      client.submit(request(previewId, source, rangeFrom, Mode.PREVIEW, names, OptionalDouble.empty()));
      BackfillStatus preview = await(client, previewId, s -> s.state().isTerminal(), Duration.ofMinutes(5));
      PreviewCommand.describe(preview, out);

      say("3/6 EXECUTE '%s': onboard %s with effects ENABLED for the history (notify posts each submission to %s);"
          + " live submissions keep arriving at %.0f/s", backfillId, names, webhook.url(), liveRate);
      client.submit(request(backfillId, source, rangeFrom, Mode.EXECUTE, names,
          maxRate == null ? OptionalDouble.empty() : OptionalDouble.of(maxRate)));
      BackfillStatus planned = await(client, backfillId, s -> s.state() != BackfillState.ACCEPTED, Duration.ofMinutes(1));
      Map<Integer, Long> handover = new TreeMap<>();
      planned.partitions().forEach(p -> handover.put(p.partition(), p.endOffset()));
      say("    handover point %s: records before it are the backfill's, from it on live", handover);
      List<WorkflowRuntime> runtimes = new ArrayList<>();
      List<WorkflowMetrics> workflowMetrics = new ArrayList<>();
      try (var lag = LagMonitor.create(clientConfig, Clock.systemUTC())) {
        // Started once the backfill topic exists: Streams starts with it instead of restarting for it.
        runtimes.add(WorkflowRuntime.builder().bootstrapServers(platform.bootstrapServers())
            .clientObserver(RepriseMetrics.kafkaClients(meters))
            .kafkaProperties(platform.kafkaProperties()).schemaRegistry(registry).workflow(notify).sink(new HttpWebhookSink(NotifyWorkflow.SINK, webhook.url(), webhook.lookupUrl()),
                // A local sink takes thousands of calls a second; a real one sets its own limit.
                SinkResilience.builder().maxCallsPerSecond(10_000).maxConcurrentCalls(1).build())
            .backfills(Set.of(backfillId)).liveTopics(Set.of(source)).stateDirectory(state.resolve("notify")).build().start());
        runtimes.add(WorkflowRuntime.builder().bootstrapServers(platform.bootstrapServers())
            .clientObserver(RepriseMetrics.kafkaClients(meters))
            .kafkaProperties(platform.kafkaProperties()).schemaRegistry(registry).workflow(stats).backfills(Set.of(backfillId))
            .liveTopics(Set.of(source)).stateDirectory(state.resolve("stats")).build().start());

        for (WorkflowRuntime runtime : runtimes) {
          WorkflowMetrics metrics = new WorkflowMetrics(runtime, clientConfig);
          metrics.bindTo(meters);
          workflowMetrics.add(metrics);
        }
        say("4/6 Progress and consumer lag");
        BackfillStatus done = follow(client, backfillId, lag, names);
        Map<String, WorkflowTally> tallies = new LinkedHashMap<>();
        long published = done.counter(BackfillCounters.PUBLISHED);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        for (Workflow workflow : workflows) {
          WorkflowTally tally;
          do {
            tally = tally(clientConfig, registry, workflow.name(), backfillId, published);
          } while (tally.processed() < published && System.nanoTime() < deadline && pause());
          tallies.put(workflow.name(), tally);
        }
        // The history is handled: stop the live traffic and wait for what was written after the point.
        writing.set(false);
        HistorySummary liveSummary = live.get(1, TimeUnit.MINUTES);
        long liveWritten = liveSummary == null ? 0 : liveSummary.records();
        Set<String> liveIds = liveAfter(liveTraffic, liveWritten, seededEnd, handover);
        LiveTally liveTally = liveTally(clientConfig, registry, notify.name(), liveIds, webhook);
        while (!liveTally.caughtUp() && System.nanoTime() < deadline && pause()) {
          liveTally = liveTally(clientConfig, registry, notify.name(), liveIds, webhook);
        }
        workflowMetrics.forEach(WorkflowMetrics::close);
        workflowMetrics.clear();
        runtimes.forEach(WorkflowRuntime::close);
        runtimes.clear();
        int duplicateCalls = webhook.accepted().values().stream().mapToInt(c -> Math.max(0, c - 1)).sum();
        tallies.computeIfPresent(notify.name(), (k, t) -> t.withDuplicates(t.duplicates() + duplicateCalls));

        say("5/6 Verify: per day, source vs backfill topic vs each workflow's receipts; 1,000 records field by field;"
            + " every effect at the webhook");
        VerificationReport report = new BackfillVerifier(clientConfig, registry, client).checkingSinks(notify.name(),
            List.of(HttpWebhookSink.lookupOnly(NotifyWorkflow.SINK, webhook.lookupUrl()))).verify(backfillId);
        BackfillStatus verified = await(client, backfillId, s -> s.state().canBeVerified() && s.state() != BackfillState.COMPLETED,
            Duration.ofSeconds(30));

        double actual = Duration.between(done.startedAt().orElse(done.updatedAt()), done.updatedAt()).toMillis() / 1000.0;
        OptionalDouble estimate = preview.estimatedSeconds().isPresent()
            ? OptionalDouble.of(preview.estimatedSeconds().getAsLong()) : OptionalDouble.empty();
        say("6/6 Report");
        say("    backfill %s: %s", backfillId, verified.state());
        say("    in range %,d | published %,d | filtered out %,d | dead-lettered %,d | tombstones %,d",
            done.counter(BackfillCounters.MATCHED), published, done.counter(BackfillCounters.FILTERED_OUT),
            done.counter(BackfillCounters.DEAD_LETTERED), done.counter(BackfillCounters.TOMBSTONES));
        tallies.forEach((name, t) -> say("    workflow %-28s expected %,d processed %,d duplicates %d missing %d", name,
            t.expected(), t.processed(), t.duplicates(), t.missing()));
        say("    live: %,d submissions written during the demo, %,d of them after the handover point: %,d handled live"
            + " by %s, %,d webhook calls for them, %d repeated, %d missing", liveWritten, liveTally.expected(),
            liveTally.handled(), notify.name(), liveTally.calls(), liveTally.repeated(), liveTally.missing());
        say("    webhook: %,d calls for %,d distinct submissions (history with effects enabled, and live)",
            webhook.accepted().values().stream().mapToInt(i -> i).sum(), webhook.accepted().size());
        say("    verification: %s", report.verified() ? String.format(Locale.ROOT,
            "%,d days match on every side, %,d sampled records identical, %,d webhook calls seen exactly once at the"
            + " webhook", report.days().size(), report.sampled(), report.sinks().checked())
            : report.failures());
        say("    duration: estimated %s, actual %.1f s; demo %.0f s in all",
            estimate.isPresent() ? String.format(Locale.ROOT, "%.0f s", estimate.getAsDouble()) : "n/a", actual,
            (System.nanoTime() - began) / 1e9);
        if (json) {
          out.println(json(backfillId, verified, report, done, tallies, liveTally, estimate, actual));
        }
        out.flush();
        return report.verified() && liveTally.exact() ? 0 : 1;
      } finally {
        workflowMetrics.forEach(WorkflowMetrics::close);
        runtimes.forEach(WorkflowRuntime::close);
      }
    }
  }

  /** A handover of {@code workflows} onto {@code source}: its history since {@code from}, the rest live. */
  private BackfillRequest request(String id, String source, Instant from, Mode mode, List<String> workflows,
      OptionalDouble rate) {
    return new BackfillRequest(id, source, from, null, Map.of(), OptionalInt.empty(), mode, workflows,
        rate, EffectsPolicy.ENABLE, Optional.of("reprise demo"), Optional.of("the demo: onboard " + workflows), workflows);
  }

  /**
   * The ids of the live records written after the handover point: the live generator's first
   * {@code written} records, placed as the writer placed them (its partitioner, after the seeded
   * history's end offsets).
   */
  private static Set<String> liveAfter(HistoryGenerator traffic, long written, Map<Integer, Long> seededEnd,
      Map<Integer, Long> handover) {
    Set<String> after = new HashSet<>();
    Map<Integer, Long> next = new HashMap<>(seededEnd);
    long seen = 0;
    for (GeneratedRecord record : traffic) {
      if (seen++ == written) {
        break;
      }
      int partition = HistoryWriter.partitionOf(record.key(), next.size());
      long offset = next.merge(partition, 1L, Long::sum) - 1;
      if (offset >= handover.get(partition)) {
        after.add(record.truth().submissionId() + "#" + record.truth().revision());
      }
    }
    return after;
  }

  private static LiveTally liveTally(Map<String, Object> clientConfig, ConfluentSchemaRegistryClient registry,
      String workflow, Set<String> expected, CountingWebhookServer webhook) {
    Map<String, List<Receipt>> live = WorkflowReceipts.live(clientConfig, registry, workflow);
    long handled = expected.stream().filter(id -> live.containsKey(id) && live.get(id).stream()
        .anyMatch(r -> r.outcome() == ReceiptOutcome.PROCESSED)).count();
    Map<String, Integer> accepted = webhook.accepted();
    long calls = expected.stream().mapToLong(id -> accepted.getOrDefault(id, 0)).sum();
    long repeated = expected.stream().mapToLong(id -> Math.max(0, accepted.getOrDefault(id, 0) - 1)).sum();
    // Live receipts or calls for anything but these would be history handled as live.
    long stray = live.keySet().stream().filter(id -> !expected.contains(id)).count();
    return new LiveTally(expected.size(), handled, calls, repeated + stray, expected.size() - handled);
  }

  /**
   * What the live path did with the records written after the handover point: handled live by
   * {@code workflow} (a PROCESSED receipt without backfill) and called at the webhook once.
   */
  record LiveTally(long expected, long handled, long calls, long repeated, long missing) {
    boolean caughtUp() {
      return handled >= expected && calls >= expected;
    }

    boolean exact() {
      return handled == expected && calls == expected && repeated == 0 && missing == 0;
    }
  }

  private BackfillStatus follow(BackfillClient client, String id, LagMonitor lag, List<String> workflows)
      throws InterruptedException {
    while (true) {
      BackfillStatus status = client.status(id).orElseThrow();
      StringBuilder lags = new StringBuilder();
      for (String workflow : workflows) {
        try {
          GroupLag g = lag.lag(ControlTopics.workflowGroup(workflow), List.of(ControlTopics.backfillTopic(id)));
          lags.append(String.format(Locale.ROOT, " | %s lag %,d (%s)", workflow, g.records(), g.status()));
        } catch (RuntimeException e) {
          lags.append(" | ").append(workflow).append(" lag ?");
        }
      }
      say("    %s %5.1f%% %,7d published %,7.0f rec/s%s%s", StatusCommand.bar(status.progress(), 30),
          status.progress() * 100, status.counter(BackfillCounters.PUBLISHED), status.recordsPerSecond(),
          status.throttle().map(t -> " " + t.mode() + (t.reason().isEmpty() ? "" : " (" + t.reason() + ")")).orElse(""),
          lags);
      if (status.state().isTerminal()) {
        return status;
      }
      TimeUnit.SECONDS.sleep(1);
    }
  }

  /** What a workflow did with this backfill, from its receipts. */
  record WorkflowTally(long expected, long processed, long duplicates, long missing) {
    WorkflowTally withDuplicates(long count) {
      return new WorkflowTally(expected, processed, count, missing);
    }
  }

  private static WorkflowTally tally(Map<String, Object> clientConfig, ConfluentSchemaRegistryClient registry,
      String workflow, String backfillId, long expected) {
    Map<String, List<Receipt>> byEvent = WorkflowReceipts.of(clientConfig, registry, workflow, backfillId);
    long processed = byEvent.values().stream().filter(WorkflowReceipts::handled).count();
    // An event handled (not merely seen as a duplicate) more than once is a duplicate effect.
    long duplicates = byEvent.values().stream().mapToLong(receipts -> Math.max(0, receipts.stream()
        .filter(r -> r.outcome() == ReceiptOutcome.PROCESSED || r.outcome() == ReceiptOutcome.SUPPRESSED).count() - 1))
        .sum();
    return new WorkflowTally(expected, processed, duplicates, Math.max(0, expected - processed));
  }

  private static BackfillStatus await(BackfillClient client, String id, Predicate<BackfillStatus> done, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<BackfillStatus> status = client.status(id);
      if (status.isPresent() && done.test(status.get())) {
        return status.get();
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    throw new IllegalStateException("backfill '" + id + "' did not get there within " + timeout.toSeconds() + " s: "
        + client.status(id).map(BackfillStatus::toString).orElse("no status"));
  }

  private static boolean pause() throws InterruptedException {
    TimeUnit.MILLISECONDS.sleep(500);
    return true;
  }

  private String json(String backfillId, BackfillStatus verified, VerificationReport report, BackfillStatus done,
      Map<String, WorkflowTally> tallies, LiveTally live, OptionalDouble estimate, double actual) {
    StringBuilder workflows = new StringBuilder();
    tallies.forEach((name, t) -> workflows.append(workflows.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT,
        "\"%s\": {\"expected\": %d, \"processed\": %d, \"duplicates\": %d, \"missing\": %d}", name, t.expected(),
        t.processed(), t.duplicates(), t.missing())));
    return String.format(Locale.ROOT, "{\"backfillId\": \"%s\", \"state\": \"%s\", \"verified\": %s, \"counts\":"
            + " {\"inRange\": %d, \"published\": %d, \"filtered\": %d, \"deadLettered\": %d}, \"workflows\": {%s},"
            + " \"live\": {\"expected\": %d, \"handled\": %d, \"calls\": %d, \"repeated\": %d, \"missing\": %d},"
            + " \"estimatedSeconds\": %s, \"actualSeconds\": %.2f}",
        backfillId, verified.state(), report.verified(), done.counter(BackfillCounters.MATCHED),
        done.counter(BackfillCounters.PUBLISHED), done.counter(BackfillCounters.FILTERED_OUT),
        done.counter(BackfillCounters.DEAD_LETTERED), workflows, live.expected(), live.handled(), live.calls(),
        live.repeated(), live.missing(),
        estimate.isPresent() ? String.format(Locale.ROOT, "%.0f", estimate.getAsDouble()) : "null", actual);
  }

  private void say(String format, Object... args) {
    out.printf(Locale.ROOT, format + "%n", args);
    out.flush();
  }
}
