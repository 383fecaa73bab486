package dev.reprise.workflow;

/** What a workflow did with an event, as its receipt says. */
public enum ReceiptOutcome {
  /** Handled, with its effects performed. */
  PROCESSED,
  /** Handled during a replay whose effects are suppressed: effects recorded, not performed. */
  SUPPRESSED,
  /** Seen before (live or in another backfill): not handled again. */
  DUPLICATE,
  /** Could not be handled; the record is in the workflow's dead-letter topic. */
  FAILED
}
