package dev.reprise.workflow;

import java.util.List;
import java.util.Optional;

/**
 * What a workflow did with one event ({@code schemas/workflow/receipt-v1.avsc}), published on
 * {@link WorkflowTopics#receipts} in the same transaction as the dedup update.
 *
 * @param backfillId the backfill the event came through; empty for live traffic
 * @param eventId the event's identity as its event type defines it ({@code EventType.eventId}); for a
 *     record without identity, its coordinates
 * @param eventDay ISO date of the event's own time, empty if unknown
 * @param checksum {@link dev.reprise.spi.EventChecksum} of the event (its type's); empty if unreadable
 * @param effects performed (PROCESSED) or that would have been performed (SUPPRESSED)
 * @param detail why it FAILED
 */
public record Receipt(String workflow, Optional<String> backfillId, String eventId, String eventDay, String checksum,
    ReceiptOutcome outcome, List<String> effects, Optional<String> detail) {

  public Receipt {
    backfillId = backfillId == null ? Optional.empty() : backfillId;
    effects = effects == null ? List.of() : List.copyOf(effects);
    detail = detail == null ? Optional.empty() : detail;
  }
}
