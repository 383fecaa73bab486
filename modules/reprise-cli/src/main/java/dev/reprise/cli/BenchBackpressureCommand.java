package dev.reprise.cli;

import dev.reprise.backpressure.GroupLag;
import dev.reprise.backpressure.LagMonitor;
import dev.reprise.coordinator.ReplayCoordinator;
import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillCounters;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.BackfillThrottle;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.workflow.WorkflowRuntime;
import dev.reprise.workflow.api.Event;
import dev.reprise.workflow.api.Workflow;
import dev.reprise.workflow.api.WorkflowContext;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reprise bench backpressure}: a backfill feeding a deliberately slow workflow, with a
 * protected live group whose lag spikes mid-run. Measures, from outside the coordinator, the most
 * records ever in flight against the cap, and the time from the spike to the rate drop.
 */
@Command(name = "backpressure", mixinStandardHelpOptions = true,
    description = {"Replay N events to a deliberately slow workflow (a real Kafka Streams app) with an in-flight cap,"
        + " spike the lag of a protected live group mid-run, then let both recover. Prints the maximum in-flight over"
        + " the cap, the seconds from the lag spike to the rate drop (goal <= 2 s), the publish rate slow vs fast,"
        + " and a JSON object as the last line."})
final class BenchBackpressureCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ConnectionOptions connection = new ConnectionOptions();

  @Option(names = "--events", paramLabel = "N", defaultValue = "30000", description = "Events (default: ${DEFAULT-VALUE}).")
  long events;

  @Option(names = "--cap", defaultValue = "2000", description = "In-flight cap (default: ${DEFAULT-VALUE}).")
  long cap;

  @Option(names = "--slow-micros", defaultValue = "1000",
      description = "Simulated work per event in the slow phase, µs (default: ${DEFAULT-VALUE}).")
  long slowMicros;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    String run = UUID.randomUUID().toString().substring(0, 8);
    String source = "bench-backpressure-" + run;
    String backfillId = "bench-backpressure-" + run;
    String workflowName = "bench-slow-" + run;
    String liveTopic = "bench-live-" + run;
    String liveGroup = "bench-live-service-" + run;
    long liveThreshold = 1_000;
    Path state = Files.createTempDirectory("reprise-bench-backpressure");
    AtomicLong delayNanos = new AtomicLong(TimeUnit.MICROSECONDS.toNanos(slowMicros));
    AtomicLong handled = new AtomicLong();
    Workflow slow = new Workflow() {
      @Override
      public String name() {
        return workflowName;
      }

      @Override
      public void handle(Event event, WorkflowContext context) {
        long delay = delayNanos.get();
        if (delay > 0) {
          // Simulated work: a slow downstream.
          LockSupport.parkNanos(delay);
        }
        handled.incrementAndGet();
      }
    };
    try (var platform = connection.connect();
        var registry = platform.registry();
        var client = BackfillClient.create(Map.of("bootstrap.servers", platform.bootstrapServers()), registry);
        var monitor = LagMonitor.create(Map.of("bootstrap.servers", platform.bootstrapServers()), Clock.systemUTC());
        var admin = Admin.create(Map.of("bootstrap.servers", platform.bootstrapServers()));
        var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", platform.bootstrapServers()),
            new ByteArraySerializer(), new ByteArraySerializer());
        var liveConsumer = new KafkaConsumer<>(liveConsumerConfig(platform.bootstrapServers(), liveGroup),
            new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      out.printf("Seeding %,d events into '%s' ...%n", events, source);
      out.flush();
      new HistoryWriter(Map.of("bootstrap.servers", platform.bootstrapServers()), registry)
          .write(source, 3, new HistoryGenerator(HistorySpec.builder().events(events).seed(42).build()));
      admin.createTopics(List.of(new NewTopic(liveTopic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
      TopicPartition live = new TopicPartition(liveTopic, 0);
      liveConsumer.commitSync(Map.of(live, new OffsetAndMetadata(0)));

      try (var coordinator = ReplayCoordinator.builder().bootstrapServers(platform.bootstrapServers())
              .schemaRegistry(registry).allowedSourceTopics(Set.of(source)).knownWorkflows(Set.of(workflowName))
              .inFlightCap(cap).protectLiveGroups(Set.of(liveGroup)).liveLagThreshold(liveThreshold, Duration.ofHours(1))
              .build().start();
          var runtime = WorkflowRuntime.builder().bootstrapServers(platform.bootstrapServers()).schemaRegistry(registry)
              .workflow(slow).backfills(Set.of(backfillId)).stateDirectory(state).build().start()) {
        BackfillRequest all = BenchSupport.fullHistory(backfillId, source, "reprise bench backpressure");
        client.submit(new BackfillRequest(all.backfillId(), all.sourceTopic(), all.from(), all.to(), Map.of(),
            all.targetSchemaVersion(), all.mode(), List.of(workflowName), all.maxRecordsPerSecond(),
            all.effectsPolicy(), all.requestedBy(), all.reason()));
        out.printf("Backfill %s to workflow '%s' (%d µs per event), in-flight cap %,d, protected live group '%s'"
            + " (threshold %,d records)%n", backfillId, workflowName, slowMicros, cap, liveGroup, liveThreshold);
        out.flush();

        Watch watch = new Watch(monitor, coordinator, backfillId, ControlTopics.workflowGroup(workflowName));
        Thread watcher = new Thread(watch, "bench-watch");
        watcher.setDaemon(true);
        watcher.start();
        try {
          long planned = -1;
          while (planned < 0) {
            planned = client.status(backfillId).map(s -> s.counter(BackfillCounters.PLANNED)).filter(p -> p > 0).orElse(-1L);
            TimeUnit.MILLISECONDS.sleep(50);
          }
          // Slow phase, measured from an eighth to a quarter of the history handled (after start-up).
          await(() -> handled.get() >= events / 8, Duration.ofMinutes(5), "the start of the slow phase");
          watch.resetRate();
          await(() -> handled.get() >= events / 4, Duration.ofMinutes(5), "the slow phase");
          double slowRate = watch.averageRate();
          out.printf(Locale.ROOT, "  slow phase: publish rate %,.0f/s, max in-flight so far %,d%n", slowRate,
              watch.maxInFlight.get());

          // The live service falls behind: 1.5x the threshold (throttles, not critical).
          double rateBefore = coordinator.throttle(backfillId).map(BackfillThrottle::ratePerSecond).orElse(0.0);
          for (int i = 0; i < liveThreshold * 3 / 2; i++) {
            producer.send(new ProducerRecord<>(liveTopic, 0, null, new byte[] {1}));
          }
          producer.flush();
          long spikeNanos = System.nanoTime();
          // The drop: the controller names the live group (it halves the rate, or holds it if it was critical).
          await(() -> coordinator.throttle(backfillId).map(t -> t.reason().contains(liveGroup)).orElse(true),
              Duration.ofSeconds(30), "the rate drop");
          double dropSeconds = (System.nanoTime() - spikeNanos) / 1e9;
          out.printf(Locale.ROOT, "  live lag spike -> rate drop in %.2f s: %,.0f/s before, now %s%n", dropSeconds,
              rateBefore, coordinator.throttle(backfillId).map(BackfillThrottle::toString).orElse("done"));

          // Both recover: the live group catches up, the workflow gets fast.
          liveConsumer.commitSync(Map.of(live, new OffsetAndMetadata(liveThreshold * 3 / 2)));
          delayNanos.set(0);
          watch.resetRate();
          BackfillStatus done = BenchSupport.awaitFinished(client, backfillId, null, out);
          double fastRate = watch.averageRate();
          if (done.state() != BackfillState.COMPLETED) {
            out.printf("the backfill ended %s: %s%n", done.state(), done.reason().orElse("?"));
            return 1;
          }
          double overCap = (double) watch.maxInFlight.get() / cap;
          out.printf(Locale.ROOT, "max in-flight %,d = %.3f x cap %,d (goal <= 1.2); fast phase publish rate %,.0f/s"
              + " (%.1f x the slow phase)%n", watch.maxInFlight.get(), overCap, cap, fastRate, fastRate / slowRate);
          out.printf(Locale.ROOT, "{\"benchmark\": \"backpressure\", \"events\": %d, \"published\": %d, \"inFlightCap\": %d,"
                  + " \"maxInFlight\": %d, \"maxInFlightOverCap\": %.3f, \"lagSpikeToRateDropSeconds\": %.2f,"
                  + " \"slowPhaseRecordsPerSecond\": %.0f, \"fastPhaseRecordsPerSecond\": %.0f}%n",
              events, done.counter(BackfillCounters.PUBLISHED), cap, watch.maxInFlight.get(), overCap, dropSeconds,
              slowRate, fastRate);
          return 0;
        } finally {
          watch.stop = true;
          watcher.join(5_000);
        }
      }
    } finally {
      BenchSupport.deleteQuietly(state);
    }
  }

  private static Map<String, Object> liveConsumerConfig(String bootstrap, String group) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return config;
  }

  private static void await(java.util.function.BooleanSupplier condition, Duration timeout, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(what + " did not happen within " + timeout.toSeconds() + " s");
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  /** Samples in-flight from outside (last stable offset minus the workflow's commits) and the publish rate. */
  private static final class Watch implements Runnable {
    final AtomicLong maxInFlight = new AtomicLong();
    private final LagMonitor monitor;
    private final ReplayCoordinator coordinator;
    private final String backfillId;
    private final String group;
    private volatile boolean stop;
    private long rateFromNanos = System.nanoTime();
    private long rateFromEnd = -1;
    private volatile long lastEnd;
    private volatile long lastNanos;

    Watch(LagMonitor monitor, ReplayCoordinator coordinator, String backfillId, String group) {
      this.monitor = monitor;
      this.coordinator = coordinator;
      this.backfillId = backfillId;
      this.group = group;
    }

    @Override
    public void run() {
      while (!stop) {
        try {
          GroupLag lag = monitor.lag(group, List.of(ControlTopics.backfillTopic(backfillId)));
          long end = lag.partitions().stream().mapToLong(p -> p.endOffset()).sum();
          long inFlight = lag.partitions().stream().mapToLong(p -> p.endOffset() - p.committed().orElse(0)).sum();
          maxInFlight.accumulateAndGet(inFlight, Math::max);
          synchronized (this) {
            if (rateFromEnd < 0) {
              rateFromEnd = end;
              rateFromNanos = System.nanoTime();
            }
            lastEnd = end;
            lastNanos = System.nanoTime();
          }
        } catch (RuntimeException e) {
          // Topic not there yet.
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      }
    }

    synchronized double averageRate() {
      return lastNanos <= rateFromNanos ? 0 : (lastEnd - rateFromEnd) / ((lastNanos - rateFromNanos) / 1e9);
    }

    synchronized void resetRate() {
      rateFromEnd = lastEnd;
      rateFromNanos = lastNanos;
    }
  }
}
