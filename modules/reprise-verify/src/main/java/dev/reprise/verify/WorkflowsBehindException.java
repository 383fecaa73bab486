package dev.reprise.verify;

import dev.reprise.core.RepriseRetriableException;
import java.util.List;

/**
 * A workflow the backfill names has not yet processed all of it (or not yet performed the effects
 * it asked for). Nothing was recorded: a workflow still at work is not a failed verification.
 * Verify again later, or give the verifier time to wait.
 */
public final class WorkflowsBehindException extends RepriseRetriableException {

  private static final long serialVersionUID = 1L;

  private final List<String> behind;

  public WorkflowsBehindException(String backfillId, List<String> behind) {
    super("backfill '" + backfillId + "' cannot be verified yet: " + String.join("; ", behind)
        + ". Nothing was recorded; verify again once the workflows have caught up (reprise verify --wait SECONDS).");
    this.behind = List.copyOf(behind);
  }

  /** One line per workflow that is behind, saying by how much. */
  public List<String> behind() {
    return behind;
  }
}
