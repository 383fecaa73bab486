package dev.reprise.workflow.backpressure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprise.backpressure.GroupLag;
import dev.reprise.backpressure.LagMonitor;
import dev.reprise.coordinator.ReplayCoordinator;
import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.BackfillRequest.EffectsPolicy;
import dev.reprise.protocol.BackfillRequest.Mode;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.BackfillThrottle;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import dev.reprise.workflow.WorkflowRuntime;
import dev.reprise.workflow.api.Event;
import dev.reprise.workflow.api.Workflow;
import dev.reprise.workflow.api.WorkflowContext;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator publishes as fast as the slowest named workflow keeps up, and never hurts a
 * protected live group: the real broker, the real coordinator, a real (deliberately slow) Kafka
 * Streams workflow, in-flight measured from outside.
 */
@RepriseIntegrationTest
class AdaptiveBackpressureIT {

  private static final Instant FROM = Instant.parse("2020-01-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2026-01-01T00:00:00Z");
  private static final long CAP = 1_000;

  @TempDir Path state;

  /** Handles an event in {@code delayNanos} of simulated work. */
  private static final class SlowWorkflow implements Workflow {
    private final String name;
    final AtomicLong delayNanos = new AtomicLong();
    final AtomicLong handled = new AtomicLong();

    SlowWorkflow(String name, long delayNanos) {
      this.name = name;
      this.delayNanos.set(delayNanos);
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void handle(Event event, WorkflowContext context) {
      long delay = delayNanos.get();
      if (delay > 0) {
        LockSupport.parkNanos(delay);
      }
      handled.incrementAndGet();
    }
  }

  @Test
  void shouldKeepInFlightUnderTheCapForASlowWorkflowAndSpeedUpWhenItDoes(RepriseTestEnvironment env) throws Exception {
    String source = env.uniqueName("submissions");
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(8_000).seed(71).build());
    String backfill = env.uniqueName("paced");
    SlowWorkflow workflow = new SlowWorkflow(env.uniqueName("slow"), TimeUnit.MILLISECONDS.toNanos(2));
    String group = ControlTopics.workflowGroup(workflow.name());

    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var client = BackfillClient.create(Map.of("bootstrap.servers", env.bootstrapServers()), registry);
        var monitor = LagMonitor.create(Map.of("bootstrap.servers", env.bootstrapServers()), Clock.systemUTC())) {
      new HistoryWriter(env.producerConfig(), registry).write(source, 3, history);
      try (var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
              .allowedSourceTopics(Set.of(source)).knownWorkflows(Set.of(workflow.name())).inFlightCap(CAP)
              .adaptiveMaxRate(5_000).throttleInterval(Duration.ofMillis(200)).build().start();
          var runtime = WorkflowRuntime.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
              .workflow(workflow).backfills(Set.of(backfill)).stateDirectory(state).build().start()) {
        client.submit(new BackfillRequest(backfill, source, FROM, TO, Map.of(), OptionalInt.empty(),
            Mode.EXECUTE, List.of(workflow.name()), OptionalDouble.empty(), EffectsPolicy.SUPPRESS, Optional.of("it"),
            Optional.empty()));

        // In-flight from outside, as an operator would see it: the backfill topic's last stable
        // offset minus the workflow's committed offset.
        AtomicLong maxInFlight = new AtomicLong();
        List<Double> rates = new CopyOnWriteArrayList<>();
        ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
        watcher.scheduleWithFixedDelay(() -> {
          try {
            GroupLag lag = monitor.lag(group, List.of(ControlTopics.backfillTopic(backfill)));
            long inFlight = lag.partitions().stream().mapToLong(p -> p.endOffset() - p.committed().orElse(0)).sum();
            maxInFlight.accumulateAndGet(inFlight, Math::max);
            client.status(backfill).flatMap(BackfillStatus::throttle).map(BackfillThrottle::ratePerSecond)
                .ifPresent(rates::add);
          } catch (RuntimeException e) {
            // The topic may not exist yet.
          }
        }, 0, 100, TimeUnit.MILLISECONDS);
        try {
          await().atMost(Duration.ofSeconds(60)).until(() -> workflow.handled.get() >= 2_500);
          double rateWhenSlow = rates.isEmpty() ? 0 : rates.get(rates.size() - 1);
          int ratesBefore = rates.size();
          workflow.delayNanos.set(0);
          BackfillStatus done = await().atMost(Duration.ofSeconds(90)).until(() -> client.status(backfill).orElseThrow(),
              s -> s.state() == BackfillState.COMPLETED);
          double fastest = rates.subList(ratesBefore, rates.size()).stream().mapToDouble(Double::doubleValue).max().orElse(0);
          System.out.printf("max in-flight %d (cap %d); rate when slow %.0f/s, fastest after %.0f/s; %s%n",
              maxInFlight.get(), CAP, rateWhenSlow, fastest, done);
          assertThat(maxInFlight.get()).as("in-flight within 1.2x the cap").isLessThanOrEqualTo((long) (1.2 * CAP));
          assertThat(maxInFlight.get()).as("the cap was actually reached: the workflow was the bottleneck")
              .isGreaterThan(CAP / 2);
          assertThat(fastest).as("the rate rises once the workflow speeds up").isGreaterThan(rateWhenSlow);
          await().atMost(Duration.ofSeconds(60)).until(() -> workflow.handled.get() == done.counter("published"));
        } finally {
          watcher.shutdownNow();
        }
      }
    }
  }

  @Test
  void shouldSlowOrHoldWhileAProtectedLiveGroupLagsAndResumeWhenItRecovers(RepriseTestEnvironment env) throws Exception {
    String source = env.uniqueName("submissions");
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(6_000).seed(73).build());
    String backfill = env.uniqueName("polite");
    String liveTopic = env.createTopic(env.uniqueName("orders"), 1, Map.of());
    String liveGroup = env.uniqueName("orders-service");
    TopicPartition live = new TopicPartition(liveTopic, 0);

    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var client = BackfillClient.create(Map.of("bootstrap.servers", env.bootstrapServers()), registry);
        var producer = new KafkaProducer<>(env.producerConfig(), new ByteArraySerializer(), new ByteArraySerializer());
        var liveConsumer = new KafkaConsumer<>(env.consumerConfig(liveGroup), new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      new HistoryWriter(env.producerConfig(), registry).write(source, 3, history);
      liveConsumer.commitSync(Map.of(live, new OffsetAndMetadata(0)));
      try (var coordinator = ReplayCoordinator.builder().bootstrapServers(env.bootstrapServers()).schemaRegistry(registry)
          .allowedSourceTopics(Set.of(source)).protectLiveGroups(Set.of(liveGroup))
          .liveLagThreshold(1_000, Duration.ofMinutes(10)).throttleInterval(Duration.ofMillis(200)).build().start()) {
        client.submit(new BackfillRequest(backfill, source, FROM, TO, Map.of(), OptionalInt.empty(),
            Mode.EXECUTE, List.of(), OptionalDouble.of(600), EffectsPolicy.SUPPRESS, Optional.of("it"), Optional.empty()));
        await().atMost(Duration.ofSeconds(30)).until(() -> client.status(backfill),
            s -> s.map(status -> status.counter("published") > 500).orElse(false));

        // The live service falls 3,000 records behind: critical (2x the threshold).
        for (int i = 0; i < 3_000; i++) {
          producer.send(new ProducerRecord<>(liveTopic, 0, null, new byte[] {1}));
        }
        producer.flush();
        BackfillStatus held = await().atMost(Duration.ofSeconds(10)).until(() -> client.status(backfill).orElseThrow(),
            s -> s.throttle().map(t -> t.mode().equals("PAUSED")).orElse(false));
        assertThat(held.state()).isEqualTo(BackfillState.RUNNING);
        // Held as soon as the lag passes 2,000, which may be before all 3,000 records are in.
        assertThat(held.throttle().orElseThrow().reason())
            .matches(".*live group " + java.util.regex.Pattern.quote(liveGroup) + " lag (2,\\d{3}|3,000) records > critical 2,000.*");
        long publishedWhenHeld = held.counter("published");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
            .until(() -> client.status(backfill).orElseThrow().counter("published") <= publishedWhenHeld + 600);

        // It catches up: the backfill resumes and completes.
        liveConsumer.commitSync(Map.of(live, new OffsetAndMetadata(3_000)));
        BackfillStatus done = await().atMost(Duration.ofSeconds(90)).until(() -> client.status(backfill).orElseThrow(),
            s -> s.state() == BackfillState.COMPLETED);
        assertThat(done.counter("published")).isGreaterThan(publishedWhenHeld);
      }
    }
  }
}
