package dev.reprise.workflow.internal;

import dev.reprise.workflow.api.Effect;
import java.util.List;
import java.util.Optional;

/**
 * The effects one handled event asks for ({@code schemas/workflow/effect-request-v1.avsc}): what
 * the stream task hands the effect executor through the outbox topic.
 *
 * @param inputTopic where the workflow read the event
 * @param inputPartition the input partition, so a retry reaches the same stream task
 * @param event the event's bytes as read, for a dead letter
 */
public record EffectRequest(String workflow, Optional<String> backfillId, String eventId, String eventDay,
    String checksum, String inputTopic, int inputPartition, long inputOffset, byte[] event, List<Effect> effects) {

  public EffectRequest {
    effects = List.copyOf(effects);
  }

  /** The effect descriptions, as receipts list them. */
  public List<String> descriptions() {
    return effects.stream().map(e -> e.sink() + ": " + e.description()).toList();
  }
}
