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
 * @param workflows the workflows expected to consume the backfill topic
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
    Optional<String> reason) {

  /** Whether a request publishes or only reports what it would publish. */
  public enum Mode { EXECUTE, PREVIEW }

  /** Whether workflows run their effects (e-mails, webhooks) for replayed events. */
  public enum EffectsPolicy { SUPPRESS, ENABLE }

  public BackfillRequest {
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
