package dev.reprise.backpressure;

/**
 * How a consumer group is doing, in Burrow's spirit, judged over a window of evaluations.
 */
public enum GroupStatus {
  /** No committed offset on the topics yet: not "lag = end offset". */
  NOT_STARTED,
  /** Caught up (committed at or past the last stable offset), or moving and not falling behind. */
  OK,
  /** Committing, but its lag grew over the whole window. */
  FALLING_BEHIND,
  /** Members present, lag above zero, and not one committed offset moved over the window. */
  STALLED,
  /** No active member and lag above zero. */
  STOPPED,
  /**
   * Its application paused consumption on purpose (an effect sink's breaker is open): it keeps
   * committing the same offsets, which is not a stall.
   */
  PAUSED_BY_BACKPRESSURE
}
