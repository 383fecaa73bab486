package dev.reprise.workflow.api;

import java.time.LocalDate;
import java.util.Optional;

/**
 * What a handler may know and do about the event at hand.
 *
 * <pre>{@code
 * if (context.backfillId().isPresent()) { ... }     // a replayed event
 * context.perform(Effect.of("webhook", event.id(), "POST"));
 * context.publish("form-1|2023-03-14", "{\"count\":3}");
 * }</pre>
 *
 * <p><b>Effects vs views.</b> {@link #perform} calls the outside world, so it is suppressed during a
 * replay unless the backfill enables effects. {@link #state} and {@link #publish} stay inside Kafka,
 * exactly once with the event, so they apply live and replayed alike: that is how a replay rebuilds
 * a view.
 */
public interface WorkflowContext {

  /** The backfill the event came through; empty for live traffic. */
  Optional<String> backfillId();

  /** The event's logical date; use it instead of the clock. */
  LocalDate logicalDate();

  /** Whether effects run for this event: always live, during a replay only if the backfill enables them. */
  boolean effectsEnabled();

  /**
   * Asks for {@code effect}: performed after the event is committed as handled, or recorded as
   * "would have done" when effects are suppressed. Effects of a handler that throws are dropped.
   *
   * @throws IllegalArgumentException if no sink of that name is configured
   */
  void perform(Effect effect);

  /** The workflow's keyed state. */
  WorkflowState state();

  /**
   * Publishes a row of the workflow's view (the topic {@code reprise.workflow.<name>.view}, compacted: the latest value
   * per key is the row); a null value deletes the row.
   */
  void publish(String key, String value);
}
