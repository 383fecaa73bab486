package dev.reprise.workflow.api;

import java.util.Map;
import java.util.TreeMap;

/**
 * A backfill that handed a live topic's history over to a workflow ({@code reprise onboard}) is
 * complete, and the workflow has read all of it: from now on it only sees live records. See
 * {@link Workflow#onHistoryComplete}.
 *
 * @param backfillId the handover backfill
 * @param sourceTopic the live topic whose history it was
 * @param handoverOffsets per partition of {@code sourceTopic}, the first offset read live
 */
public record HistoryComplete(String backfillId, String sourceTopic, Map<Integer, Long> handoverOffsets) {
  public HistoryComplete {
    handoverOffsets = java.util.Collections.unmodifiableMap(new TreeMap<>(handoverOffsets));
  }
}
