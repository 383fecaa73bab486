package dev.reprise.workflow.internal;

import dev.reprise.workflow.ReceiptOutcome;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Receipts this instance wrote, by outcome: what metrics read. A receipt written in a transaction
 * that later aborts is counted and then, after the retry, counted again, so this is a rate signal,
 * not a ledger; the receipts topic, read committed, is the ledger.
 */
public final class OutcomeCounter {

  private final Map<ReceiptOutcome, LongAdder> counts = new EnumMap<>(ReceiptOutcome.class);

  public OutcomeCounter() {
    for (ReceiptOutcome outcome : ReceiptOutcome.values()) {
      counts.put(outcome, new LongAdder());
    }
  }

  public void count(ReceiptOutcome outcome) {
    counts.get(outcome).increment();
  }

  /** A snapshot, every outcome present. */
  public Map<ReceiptOutcome, Long> snapshot() {
    Map<ReceiptOutcome, Long> snapshot = new EnumMap<>(ReceiptOutcome.class);
    counts.forEach((outcome, count) -> snapshot.put(outcome, count.sum()));
    return snapshot;
  }
}
