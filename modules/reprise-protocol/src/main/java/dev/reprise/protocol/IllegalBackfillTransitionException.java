package dev.reprise.protocol;

import dev.reprise.core.RepriseNonRetriableException;

/** A command asked a backfill to move to a state it cannot reach from where it is. */
public class IllegalBackfillTransitionException extends RepriseNonRetriableException {

  private final String backfillId;
  private final BackfillState from;
  private final BackfillState to;

  public IllegalBackfillTransitionException(String backfillId, BackfillState from, BackfillState to) {
    super("backfill '" + backfillId + "' is " + from + " and cannot move to " + to + " (allowed: "
        + (from.isTerminal() ? "none, it is finished" : from.next().toString()) + ")");
    this.backfillId = backfillId;
    this.from = from;
    this.to = to;
  }

  public String backfillId() {
    return backfillId;
  }

  public BackfillState from() {
    return from;
  }

  public BackfillState to() {
    return to;
  }
}
