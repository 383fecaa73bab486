package dev.reprise.workflow.api;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.StreamsBuilder;

/**
 * A piece of business logic that must see each event once: a webhook, a view, a ledger entry. It
 * never calls the outside world directly; it asks its context to perform effects, which the
 * runtime runs, suppresses during a replay, retries and deduplicates.
 *
 * <p>A plugin's workflow is found by name ({@link Workflows}) and needs a public no-argument
 * constructor; it handles the events of one type ({@link #eventType()}), upcast to that type's
 * latest schema version.
 *
 * <pre>{@code
 * Workflow notify = new Workflow() {
 *   public String name() { return "notify"; }
 *   public void handle(Event event, WorkflowContext context) {
 *     context.perform(Effect.of("webhook", event.id(), "POST " + event.id()));
 *   }
 * };
 * }</pre>
 *
 * <p>Handlers must be deterministic in their event: use {@link WorkflowContext#logicalDate()}, never
 * {@code now()}, so a replay of 2023 behaves as 2023 did.
 */
public interface Workflow {

  /** Unique, stable name: it names the Kafka Streams application, its store and its topics. */
  String name();

  /** Handles one event, seen for the first time by this workflow. */
  void handle(Event event, WorkflowContext context) throws Exception;

  /**
   * The event type it handles, by name ({@code EventType.name()}); empty: the only one installed.
   * A workflow reads fields of its type's latest schema, so naming it lets a runtime with several
   * plugins pick the right one and refuse a wrong one.
   */
  default Optional<String> eventType() {
    return Optional.empty();
  }

  /**
   * The names of the effect sinks it performs on ({@link Effect#sink()}), which whoever runs it must
   * configure: {@code reprise worker} refuses to start a workflow whose sinks it was not given.
   */
  default Set<String> sinks() {
    return Set.of();
  }

  /**
   * Derives further views from this workflow's view topic with the Kafka Streams DSL, in the same
   * application (so exactly once too): typically an aggregate across events, which the
   * handler cannot compute alone because its state lives in the stream task of one partition.
   * Every topic named in {@link #derivedViewTopics()} is created, compacted, before the
   * application starts.
   *
   * <pre>{@code
   * public void deriveViews(StreamsBuilder builder, String viewTopic) {
   *   builder.table(viewTopic, Consumed.with(Serdes.String(), Serdes.String()))
   *       .groupBy((id, row) -> KeyValue.pair(formOf(row), row), Grouped.with(Serdes.String(), Serdes.String()))
   *       .count().toStream().mapValues(String::valueOf).to("per-form", Produced.with(Serdes.String(), Serdes.String()));
   * }
   * }</pre>
   */
  default void deriveViews(StreamsBuilder builder, String viewTopic) {}

  /**
   * Whether this workflow's effects may run for replayed events; default: when the backfill
   * enables them. See {@link ReplayRules}.
   */
  default ReplayRules replayRules() {
    return ReplayRules.allowEffects();
  }

  /**
   * Called once per runtime instance when a backfill that hands a live topic's history over to
   * this workflow is complete and the workflow's group has read all of it: e.g. to mark a view
   * rebuilt ("rebuilding" → "live"). It runs on the runtime's watcher thread, outside any stream
   * task, and again after a restart: make it idempotent.
   */
  default void onHistoryComplete(HistoryComplete history) {}

  /** The output topics of {@link #deriveViews}. */
  default List<String> derivedViewTopics() {
    return List.of();
  }
}
