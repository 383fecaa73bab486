package dev.reprise.workflow;

import java.time.LocalDate;
import java.util.Optional;

/**
 * What a handler may know and do about the event at hand.
 *
 * <pre>{@code
 * if (context.backfillId().isPresent()) { ... }     // a replayed event
 * context.perform(Effect.of("webhook", event.id(), "POST"));
 * }</pre>
 */
public interface WorkflowContext {

  /** The backfill the event came through; empty for live traffic. */
  Optional<String> backfillId();

  /** The event's logical date; use it instead of the clock. */
  LocalDate logicalDate();

  /** Whether effects run for this event: always live, during a replay only if the backfill enables them. */
  boolean effectsEnabled();

  /** Performs {@code effect}, or records that it would have, when effects are suppressed. */
  void perform(Effect effect) throws Exception;
}
