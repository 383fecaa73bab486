package dev.reprise.coordinator;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A request to start a backfill: which history to replay, upcast to what, for whom. The fields
 * mirror {@code schemas/control/replay-request-v1.avsc}; a request is only acted upon once {@link
 * BackfillRequestValidator} accepted it.
 *
 * <pre>{@code
 * var request = new BackfillRequest("b-42", "submissions",
 *     Instant.parse("2023-01-01T00:00:00Z"), Instant.parse("2023-02-01T00:00:00Z"),
 *     Set.of("form-7"), Set.of(), OptionalInt.empty(), Mode.EXECUTE, List.of("notify"),
 *     OptionalDouble.empty(), EffectsPolicy.SUPPRESS, Optional.of("alice"), Optional.of("new workflow"));
 * }</pre>
 *
 * @param from inclusive start, on the events' own (upcast) submission time, UTC
 * @param to exclusive end, on the events' own submission time, UTC
 * @param formIds only these forms; empty means all
 * @param tenantIds only these tenants; empty means all
 * @param targetSchemaVersion the version to upcast to; empty means the latest
 * @param workflows the workflows expected to consume the backfill topic (always including the
 *     handover workflows)
 * @param handoverWorkflows onboarding: workflows that read {@code sourceTopic} live and get its history
 *     through this backfill, which then ends at their live position ({@link LivePositions}) instead
 *     of at {@code to}; {@code to} is null then, {@code from} may be (all history)
 */
public record BackfillRequest(
    String backfillId,
    String sourceTopic,
    Instant from,
    Instant to,
    Set<String> formIds,
    Set<String> tenantIds,
    OptionalInt targetSchemaVersion,
    Mode mode,
    List<String> workflows,
    OptionalDouble maxRecordsPerSecond,
    EffectsPolicy effectsPolicy,
    Optional<String> requestedBy,
    Optional<String> reason,
    List<String> handoverWorkflows) {

  /** Whether a request publishes or only reports what it would publish. */
  public enum Mode { EXECUTE, PREVIEW }

  /** Whether workflows run their effects (e-mails, webhooks) for replayed events. */
  public enum EffectsPolicy { SUPPRESS, ENABLE }

  /** A request without handover: a range of history replayed to whoever subscribes. */
  public BackfillRequest(String backfillId, String sourceTopic, Instant from, Instant to, Set<String> formIds,
      Set<String> tenantIds, OptionalInt targetSchemaVersion, Mode mode, List<String> workflows,
      OptionalDouble maxRecordsPerSecond, EffectsPolicy effectsPolicy, Optional<String> requestedBy,
      Optional<String> reason) {
    this(backfillId, sourceTopic, from, to, formIds, tenantIds, targetSchemaVersion, mode, workflows,
        maxRecordsPerSecond, effectsPolicy, requestedBy, reason, List.of());
  }

  /**
   * Onboarding {@code workflow} onto live topic {@code sourceTopic}: all its history since {@code
   * from} (null: all of it) through a backfill that ends at the workflow's live position.
   *
   * <pre>{@code
   * client.submit(BackfillRequest.handover("onboard-notify", "submissions", "notify", null,
   *     EffectsPolicy.SUPPRESS, Optional.of("alice")));
   * }</pre>
   */
  public static BackfillRequest handover(String backfillId, String sourceTopic, String workflow, Instant from,
      EffectsPolicy effectsPolicy, Optional<String> requestedBy) {
    return new BackfillRequest(backfillId, sourceTopic, from, null, Set.of(), Set.of(), OptionalInt.empty(),
        Mode.EXECUTE, List.of(workflow), OptionalDouble.empty(), effectsPolicy, requestedBy,
        Optional.of("onboard workflow '" + workflow + "' onto '" + sourceTopic + "'"), List.of(workflow));
  }

  /**
   * The attribute filters of the event type ({@link dev.reprise.spi.EventType#attributes}): this
   * version of the request carries the submissions' two, {@code formIds} and {@code tenantIds}; a
   * generic {@code filters} field comes with the event type in the request.
   */
  public java.util.Map<String, Set<String>> filters() {
    return java.util.Map.of("formId", formIds, "tenantId", tenantIds);
  }

  /** Whether this backfill hands history over to workflows that read the source live (onboarding). */
  public boolean isHandover() {
    return !handoverWorkflows.isEmpty();
  }

  /** {@code from} in epoch millis; the smallest long when there is none (a handover of all history). */
  public long fromMillis() {
    return from == null ? Long.MIN_VALUE : from.toEpochMilli();
  }

  /** {@code to} in epoch millis; the largest long when there is none (a handover: offsets bound it). */
  public long toMillis() {
    return to == null ? Long.MAX_VALUE : to.toEpochMilli();
  }

  public BackfillRequest {
    handoverWorkflows = handoverWorkflows == null ? List.of() : List.copyOf(new java.util.LinkedHashSet<>(handoverWorkflows));
    if (!handoverWorkflows.isEmpty()) {
      // A handover workflow consumes the backfill like any named one (backpressure, verification).
      java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(workflows == null ? List.of() : workflows);
      all.addAll(handoverWorkflows);
      workflows = List.copyOf(all);
    }
    formIds = formIds == null ? Set.of() : Set.copyOf(formIds);
    tenantIds = tenantIds == null ? Set.of() : Set.copyOf(tenantIds);
    workflows = workflows == null ? List.of() : List.copyOf(workflows);
    targetSchemaVersion = targetSchemaVersion == null ? OptionalInt.empty() : targetSchemaVersion;
    maxRecordsPerSecond = maxRecordsPerSecond == null ? OptionalDouble.empty() : maxRecordsPerSecond;
    requestedBy = requestedBy == null ? Optional.empty() : requestedBy;
    reason = reason == null ? Optional.empty() : reason;
    mode = mode == null ? Mode.EXECUTE : mode;
    effectsPolicy = effectsPolicy == null ? EffectsPolicy.SUPPRESS : effectsPolicy;
  }
}
