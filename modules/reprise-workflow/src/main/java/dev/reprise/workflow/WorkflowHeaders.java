package dev.reprise.workflow;

import dev.reprise.protocol.DeadLetterRedriver;
import dev.reprise.protocol.ReplayHeaders;

/**
 * Headers on a workflow's dead letters and re-driven records (UTF-8 strings). A dead letter keeps
 * the record's own headers (a replayed record's {@code reprise.provenance} among them), adds these,
 * and names the backfill of a replayed record in {@link ReplayHeaders#BACKFILL_ID}.
 *
 * <pre>{@code
 * String stage = new String(record.headers().lastHeader(WorkflowHeaders.ERROR_STAGE).value(), UTF_8);
 * }</pre>
 */
public final class WorkflowHeaders {

  /**
   * Where it failed: {@code handle} (reading or handling the event), {@code effect} (performing its
   * effects) or {@code outbox} (an unreadable effect request).
   */
  public static final String ERROR_STAGE = ReplayHeaders.ERROR_STAGE;
  /** The exception class. */
  public static final String ERROR_CLASS = ReplayHeaders.ERROR_CLASS;
  /** The exception message. */
  public static final String ERROR_MESSAGE = ReplayHeaders.ERROR_MESSAGE;
  /** The topic the workflow read the record from. */
  public static final String INPUT_TOPIC = DeadLetterRedriver.INPUT_TOPIC;
  /** Its partition there: a retry goes back to the same partition number, so through the same dedup. */
  public static final String INPUT_PARTITION = DeadLetterRedriver.INPUT_PARTITION;
  /** Its offset there. */
  public static final String INPUT_OFFSET = DeadLetterRedriver.INPUT_OFFSET;
  /** The event id, when the record had one. */
  public static final String EVENT_ID = DeadLetterRedriver.EVENT_ID;
  /** On the redrive topic: {@code retry} (handle it again) or {@code forget} (drop it from the dedup store). */
  public static final String REDRIVE = DeadLetterRedriver.REDRIVE;
  /** On a retried record: the dead letter it came from, {@code partition@offset}. */
  public static final String RETRY_OF = DeadLetterRedriver.RETRY_OF;

  /** Error stage of a record that could not be read or handled. */
  public static final String STAGE_HANDLE = "handle";
  /** Error stage of an event whose effects failed. */
  public static final String STAGE_EFFECT = "effect";
  /**
   * Error stage of an effect-outbox record that could not be read: kept as it was for inspection;
   * it names no event, so there is nothing to retry.
   */
  public static final String STAGE_OUTBOX = DeadLetterRedriver.STAGE_OUTBOX;

  private WorkflowHeaders() {}
}
