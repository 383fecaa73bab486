package dev.reprise.workflow.api;

import java.util.Objects;
import java.util.Optional;

/**
 * A call to the outside world a workflow asks for. It carries an idempotency key (the event id)
 * so that the sink can deduplicate too.
 *
 * <pre>{@code
 * context.perform(Effect.of("webhook", event.id(), "POST /orders " + event.id()));
 * }</pre>
 *
 * @param sink the name of the {@link EffectSink} that performs it
 * @param description what it does, for receipts ("would have done X" during a replay)
 * @param payload what the sink sends; its format is the sink's business
 * @param liveOnly never performed for a replayed event, whatever the backfill's effects policy
 *     (Axon's {@code @DisallowReplay}): "charge the card" must happen once, when it happened
 * @param target whom or what it reaches (a recipient, an account), if the workflow says: what a
 *     dry run counts ("to 8,402 distinct recipients"); the sink does not use it
 */
public record Effect(String sink, String idempotencyKey, String description, String payload, boolean liveOnly,
    Optional<String> target) {

  /** An effect a replay with effects enabled performs too. */
  public Effect(String sink, String idempotencyKey, String description, String payload) {
    this(sink, idempotencyKey, description, payload, false, Optional.empty());
  }

  public Effect(String sink, String idempotencyKey, String description, String payload, boolean liveOnly) {
    this(sink, idempotencyKey, description, payload, liveOnly, Optional.empty());
  }

  /**
   * This effect, reaching {@code target} (blank or null: none named): {@code new Effect("webhook",
   * id, "notify").to(event.string("submitterEmail"))}.
   */
  public Effect to(String target) {
    return new Effect(sink, idempotencyKey, description, payload, liveOnly,
        Optional.ofNullable(target).filter(t -> !t.isBlank()));
  }

  /**
   * This effect, never performed in a replay: {@code context.perform(Effect.of("payments", id,
   * "charge").asLiveOnly())}.
   */
  public Effect asLiveOnly() {
    return new Effect(sink, idempotencyKey, description, payload, true, target);
  }

  public Effect {
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    Objects.requireNonNull(description, "description");
    target = target == null ? Optional.empty() : target;
  }

  /** An effect of {@code event} without payload. */
  public static Effect of(String sink, EventId event, String description) {
    return new Effect(sink, event.asKey(), description, null);
  }
}
