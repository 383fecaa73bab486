package dev.reprise.workflow.api;

import java.util.Objects;
import java.util.Optional;

/**
 * What a workflow allows a replay to do: whether its effects may run for replayed events when a
 * backfill asks for them ({@code effectsPolicy ENABLE}). A workflow whose effects must happen once,
 * when the event happened (charge a card, ship a parcel), forbids them: its runtime then never
 * performs an effect for a replayed event, and the coordinator REJECTS a request asking ENABLE for
 * it, naming the workflow and the reason. Single effects can be live-only too ({@link
 * Effect#asLiveOnly()}).
 *
 * <pre>{@code
 * public ReplayRules replayRules() {
 *   return ReplayRules.noEffectsInReplay("charges cards");
 * }
 * }</pre>
 */
public record ReplayRules(boolean effectsAllowed, Optional<String> reason) {

  private static final ReplayRules ALLOWED = new ReplayRules(true, Optional.empty());

  public ReplayRules {
    Objects.requireNonNull(reason, "reason");
    if (!effectsAllowed && reason.isEmpty()) {
      throw new IllegalArgumentException("a workflow that forbids effects in replays must say why");
    }
  }

  /** Effects run in a replay when the backfill enables them (the default). */
  public static ReplayRules allowEffects() {
    return ALLOWED;
  }

  /** Effects never run in a replay; {@code why} is shown to whoever asks for them. */
  public static ReplayRules noEffectsInReplay(String why) {
    if (why == null || why.isBlank()) {
      throw new IllegalArgumentException("a workflow that forbids effects in replays must say why");
    }
    return new ReplayRules(false, Optional.of(why));
  }
}
