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
 * @param targets a dry run's: each effect's target, as the workflow named it ({@code ""}: none),
 *     in the order of {@code effects}; empty on other receipts
 * @param payloadSample a dry run's: the first effect's payload, cut to {@link #SAMPLE_CHARS}
 */
public record Receipt(String workflow, Optional<String> backfillId, String eventId, String eventDay, String checksum,
    ReceiptOutcome outcome, List<String> effects, Optional<String> detail, List<String> targets,
    Optional<String> payloadSample) {

  /** How much of a payload a dry-run receipt keeps. */
  public static final int SAMPLE_CHARS = 1000;

  public Receipt {
    backfillId = backfillId == null ? Optional.empty() : backfillId;
    effects = effects == null ? List.of() : List.copyOf(effects);
    detail = detail == null ? Optional.empty() : detail;
    targets = targets == null ? List.of() : List.copyOf(targets);
    payloadSample = payloadSample == null ? Optional.empty() : payloadSample;
  }

  /** A receipt without a dry run's effect details. */
  public Receipt(String workflow, Optional<String> backfillId, String eventId, String eventDay, String checksum,
      ReceiptOutcome outcome, List<String> effects, Optional<String> detail) {
    this(workflow, backfillId, eventId, eventDay, checksum, outcome, effects, detail, List.of(), Optional.empty());
  }
}
