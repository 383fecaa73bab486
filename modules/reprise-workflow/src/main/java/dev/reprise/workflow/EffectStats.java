package dev.reprise.workflow;

/**
 * What a workflow instance's effect executor did since it started.
 *
 * @param performed effects the sinks accepted
 * @param failed events whose effects failed for good (dead-lettered)
 * @param inDoubtConfirmed effects in doubt after a crash that the sink confirmed, so not repeated
 * @param inDoubtRepeated effects in doubt that the sink could not confirm, so performed again
 */
public record EffectStats(long performed, long failed, long inDoubtConfirmed, long inDoubtRepeated) {}
