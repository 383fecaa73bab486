package dev.reprise.observability;

import dev.reprise.observability.internal.DeadLetterTally;
import dev.reprise.workflow.EffectStats;
import dev.reprise.workflow.ReceiptOutcome;
import dev.reprise.workflow.WorkflowRuntime;
import dev.reprise.workflow.WorkflowTopics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A workflow instance's metrics: events by receipt outcome, effects by outcome, each sink's
 * circuit breaker state, whether it is paused by backpressure, and its dead-letter topic's size.
 *
 * <pre>{@code
 * WorkflowRuntime runtime = WorkflowRuntime.builder()...clientObserver(RepriseMetrics.kafkaClients(registry)).build().start();
 * try (var metrics = new WorkflowMetrics(runtime, clientConfig)) {
 *   metrics.bindTo(registry);   // reprise_workflow_events_total{workflow="notify",outcome="processed"} ...
 * }
 * }</pre>
 */
public final class WorkflowMetrics implements MeterBinder, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WorkflowMetrics.class);
  /** The states a resilience4j breaker reports that a dashboard shows. */
  static final List<String> BREAKER_STATES = List.of("CLOSED", "OPEN", "HALF_OPEN", "FORCED_OPEN", "DISABLED");

  private final WorkflowRuntime runtime;
  private final String workflow;
  private final Admin admin;
  private final DeadLetterTally deadLetters;
  private final ScheduledExecutorService counter;

  /** Counts the dead-letter topic in the background (every 2 s) from {@code clientConfig}'s cluster. */
  public WorkflowMetrics(WorkflowRuntime runtime, Map<String, Object> clientConfig) {
    this.runtime = runtime;
    this.workflow = runtime.workflowName();
    this.admin = Admin.create(clientConfig);
    String topic = WorkflowTopics.deadLetters(workflow);
    this.deadLetters = new DeadLetterTally(clientConfig, admin, topic::equals);
    this.counter = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "reprise-dlq-tally-" + workflow);
      thread.setDaemon(true);
      return thread;
    });
    counter.scheduleWithFixedDelay(() -> {
      try {
        deadLetters.refresh();
      } catch (RuntimeException e) {
        log.debug("workflow '{}': cannot count dead letters: {}", workflow, e.toString());
      }
    }, 0, 2, TimeUnit.SECONDS);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (ReceiptOutcome outcome : ReceiptOutcome.values()) {
      FunctionCounter.builder("reprise.workflow.events", runtime, r -> r.outcomes().getOrDefault(outcome, 0L))
          .description("Events this instance handled, by receipt outcome (processed, suppressed, duplicate, failed)")
          .tags("workflow", workflow, "outcome", outcome.name().toLowerCase(Locale.ROOT))
          .register(registry);
    }
    effects(registry, "performed", EffectStats::performed);
    effects(registry, "failed", EffectStats::failed);
    effects(registry, "in_doubt_confirmed", EffectStats::inDoubtConfirmed);
    effects(registry, "in_doubt_repeated", EffectStats::inDoubtRepeated);
    runtime.sinkStates().keySet().forEach(sink -> BREAKER_STATES.forEach(state ->
        Gauge.builder("reprise.workflow.breaker.state", runtime, r -> state.equals(r.sinkStates().get(sink)) ? 1 : 0)
            .description("1 for the effect sink's current circuit breaker state, 0 for the others")
            .tags("workflow", workflow, "sink", sink, "state", state)
            .register(registry)));
    Gauge.builder("reprise.workflow.paused", runtime, r -> r.isPausedByBackpressure() ? 1 : 0)
        .description("1 while consumption is paused because an effect sink's breaker is open")
        .tags("workflow", workflow).register(registry);
    String topic = WorkflowTopics.deadLetters(workflow);
    Gauge.builder("reprise.workflow.dlq.records", deadLetters, d -> d.total(topic))
        .description("Records in the workflow's dead-letter topic (read committed)")
        .tags("workflow", workflow).register(registry);
  }

  private void effects(MeterRegistry registry, String outcome, ToDoubleFunction<EffectStats> value) {
    FunctionCounter.builder("reprise.workflow.effects", runtime, r -> value.applyAsDouble(r.effectStats()))
        .description("Effects this instance's executor ran, by outcome")
        .tags("workflow", workflow, "outcome", outcome)
        .register(registry);
  }

  @Override
  public void close() {
    counter.shutdownNow();
    try {
      counter.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    deadLetters.close();
    admin.close(Duration.ofSeconds(5));
  }
}
