package dev.reprise.workflow.internal;

import dev.reprise.protocol.ReplayHeaders;
import dev.reprise.workflow.WorkflowHeaders;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** The headers of a workflow's dead letters, the same whichever stage failed. */
final class DeadLetters {

  private static final List<String> OURS = List.of(WorkflowHeaders.ERROR_STAGE, WorkflowHeaders.ERROR_CLASS,
      WorkflowHeaders.ERROR_MESSAGE, WorkflowHeaders.INPUT_TOPIC, WorkflowHeaders.INPUT_PARTITION,
      WorkflowHeaders.INPUT_OFFSET, WorkflowHeaders.EVENT_ID, WorkflowHeaders.REDRIVE);

  private DeadLetters() {}

  /**
   * The record's own headers (a retried record's earlier error headers replaced) plus what failed,
   * where the record was read, its event id if known, and its backfill if it was replayed (a
   * replayed record names it by its topic only; a retry must go through the backfill's effects
   * policy again).
   */
  static Headers headers(Headers original, String stage, Exception error, String topic, int partition, long offset,
      String eventId, Optional<String> backfillId) {
    RecordHeaders headers = new RecordHeaders(original.toArray());
    OURS.forEach(headers::remove);
    backfillId.ifPresent(id -> {
      headers.remove(ReplayHeaders.BACKFILL_ID);
      add(headers, ReplayHeaders.BACKFILL_ID, id);
    });
    add(headers, WorkflowHeaders.ERROR_STAGE, stage);
    add(headers, WorkflowHeaders.ERROR_CLASS, error.getClass().getName());
    add(headers, WorkflowHeaders.ERROR_MESSAGE, String.valueOf(error.getMessage()));
    add(headers, WorkflowHeaders.INPUT_TOPIC, topic);
    add(headers, WorkflowHeaders.INPUT_PARTITION, Integer.toString(partition));
    add(headers, WorkflowHeaders.INPUT_OFFSET, Long.toString(offset));
    if (eventId != null) {
      add(headers, WorkflowHeaders.EVENT_ID, eventId);
    }
    return headers;
  }

  static void add(Headers headers, String name, String value) {
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
