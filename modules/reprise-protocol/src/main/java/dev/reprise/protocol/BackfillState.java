package dev.reprise.protocol;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of a backfill, as an explicit state machine. Every state lists the states it may move
 * to; {@link #checkTransition} refuses anything else, naming the backfill and both states.
 *
 * <pre>
 *   ACCEPTED ─▶ PLANNED ─▶ RUNNING ─▶ COMPLETED
 *      │           │        │  ▲
 *      ▼           │        ▼  │
 *   REJECTED       │      PAUSED
 *                  ▼        │
 *          CANCELLED / FAILED (from PLANNED, RUNNING or PAUSED)
 *
 *   COMPLETED ─▶ VERIFIED / VERIFICATION_FAILED   (by a verifier, again at will)
 *   COMPLETED / VERIFIED / VERIFICATION_FAILED ─▶ COMPLETED   (a RETRY of its dead letters)
 * </pre>
 *
 * <p>Like a verification, a RETRY of a completed backfill's own dead letters happens after the
 * replay and is not among {@link #next()}: it publishes what now replays and returns the backfill
 * to COMPLETED, since its topic changed and an earlier verification no longer holds.
 *
 * <p>A completed PREVIEW is finished as a preview, and may be executed: its id then starts a new
 * life at ACCEPTED, as an EXECUTE on the preview's plan ({@link BackfillStatus#executing}). That is
 * a new run of the same request, not a move of this machine, so it is not among {@link #next()}.
 *
 * <p>A backfill is not done until it is verified: verification compares the source, the backfill
 * topic and the workflows' receipts after the replay, so its states follow COMPLETED and are
 * {@linkplain #isTerminal terminal} for the replay itself.
 *
 * <p>If you add a state: decide its transitions here, and whether it is terminal; status
 * consumers (CLI, dashboard) switch on this enum.
 */
public enum BackfillState {
  ACCEPTED,
  REJECTED,
  PLANNED,
  RUNNING,
  PAUSED,
  CANCELLED,
  FAILED,
  COMPLETED,
  /** Completed, and the source, the backfill topic and every named workflow's receipts agree. */
  VERIFIED,
  /** Completed, but verification found days or records that differ (the status says which). */
  VERIFICATION_FAILED;

  /** The states this one may move to. */
  public Set<BackfillState> next() {
    return switch (this) {
      case ACCEPTED -> EnumSet.of(PLANNED, REJECTED, FAILED, CANCELLED);
      case PLANNED -> EnumSet.of(RUNNING, PAUSED, CANCELLED, FAILED, COMPLETED);
      case RUNNING -> EnumSet.of(PAUSED, CANCELLED, FAILED, COMPLETED);
      case PAUSED -> EnumSet.of(RUNNING, CANCELLED, FAILED);
      case REJECTED, CANCELLED, FAILED, COMPLETED, VERIFIED, VERIFICATION_FAILED -> EnumSet.noneOf(BackfillState.class);
    };
  }

  /** Whether a verification may record its outcome now: the replay completed (verified or not before). */
  public boolean canBeVerified() {
    return this == COMPLETED || this == VERIFIED || this == VERIFICATION_FAILED;
  }

  /** Whether nothing can happen to the backfill any more. */
  public boolean isTerminal() {
    return next().isEmpty();
  }

  /** Whether the backfill may move from this state to {@code target}. */
  public boolean canTransitionTo(BackfillState target) {
    return next().contains(target);
  }

  /**
   * Returns {@code target} if the move is allowed.
   *
   * @throws IllegalBackfillTransitionException otherwise, e.g. {@code "backfill 'b-42' is
   *     COMPLETED and cannot move to RUNNING (allowed: none, it is finished)"}
   */
  public BackfillState checkTransition(String backfillId, BackfillState target) {
    if (!canTransitionTo(target)) {
      throw new IllegalBackfillTransitionException(backfillId, this, target);
    }
    return target;
  }
}
