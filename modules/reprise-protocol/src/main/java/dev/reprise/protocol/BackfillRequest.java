package dev.reprise.protocol;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A request to start a backfill: which history to replay, upcast to what, for whom. The fields
 * mirror {@code schemas/control/replay-request-v1.avsc}; a request is only acted upon once {@link
 * BackfillRequestValidator} accepted it.
 *
 * <pre>{@code
 * var request = new BackfillRequest("b-42", "orders",
 *     Instant.parse("2023-01-01T00:00:00Z"), Instant.parse("2023-02-01T00:00:00Z"),
 *     Map.of("region", Set.of("eu-west")), OptionalInt.empty(), Mode.EXECUTE, List.of("ship-notify"),
 *     OptionalDouble.empty(), EffectsPolicy.SUPPRESS, Optional.of("alice"), Optional.of("new workflow"))
 *     .withEventType("orders");
 * }</pre>
 *
 * @param eventType the event type's name ({@link dev.reprise.spi.EventType#name()}); empty: the
 *     coordinator's default, which it writes into the request it accepts (a request of v1, written
 *     before event types existed, names none)
 * @param from inclusive start, on the events' own (upcast) event time, UTC
 * @param to exclusive end, on the events' own event time, UTC
 * @param filters only events whose attribute ({@link dev.reprise.spi.EventType#attributes}) has one
 *     of the values, per attribute; no entry for an attribute means any value
 * @param targetSchemaVersion the version to upcast to; empty means the latest
 * @param workflows the workflows expected to consume the backfill topic (always including the
 *     handover workflows)
 * @param handoverWorkflows onboarding: workflows that read {@code sourceTopic} live and get its history
 *     through this backfill, which then ends at their live position ({@link LivePositions}) instead
 *     of at {@code to}; {@code to} is null then, {@code from} may be (all history)
 * @param requestedBy who the requester says it is: free text, for people to read, never checked
 * @param requester who sent it, as established by the coordinator from the team request topic it
 *     arrived on ({@link ControlTopics#teamRequests}); a requester cannot set it (the coordinator
 *     overwrites it), and it is empty for a request sent straight to {@link ControlTopics#REQUESTS}
 *     without an access policy
 */
public record BackfillRequest(
    String backfillId,
    String sourceTopic,
    Optional<String> eventType,
    Instant from,
    Instant to,
    Map<String, Set<String>> filters,
    OptionalInt targetSchemaVersion,
    Mode mode,
    List<String> workflows,
    OptionalDouble maxRecordsPerSecond,
    EffectsPolicy effectsPolicy,
    Optional<String> requestedBy,
    Optional<String> reason,
    List<String> handoverWorkflows,
    Optional<String> requester) {

  /** Whether a request publishes or only reports what it would publish. */
  public enum Mode { EXECUTE, PREVIEW }

  /** Whether workflows run their effects (e-mails, webhooks) for replayed events. */
  public enum EffectsPolicy { SUPPRESS, ENABLE }

  /** A request as a requester writes it: the coordinator establishes the {@code requester}. */
  public BackfillRequest(String backfillId, String sourceTopic, Optional<String> eventType, Instant from, Instant to,
      Map<String, Set<String>> filters, OptionalInt targetSchemaVersion, Mode mode, List<String> workflows,
      OptionalDouble maxRecordsPerSecond, EffectsPolicy effectsPolicy, Optional<String> requestedBy,
      Optional<String> reason, List<String> handoverWorkflows) {
    this(backfillId, sourceTopic, eventType, from, to, filters, targetSchemaVersion, mode, workflows,
        maxRecordsPerSecond, effectsPolicy, requestedBy, reason, handoverWorkflows, Optional.empty());
  }

  /** A request of the coordinator's default event type, without handover. */
  public BackfillRequest(String backfillId, String sourceTopic, Instant from, Instant to,
      Map<String, Set<String>> filters, OptionalInt targetSchemaVersion, Mode mode, List<String> workflows,
      OptionalDouble maxRecordsPerSecond, EffectsPolicy effectsPolicy, Optional<String> requestedBy,
      Optional<String> reason) {
    this(backfillId, sourceTopic, Optional.empty(), from, to, filters, targetSchemaVersion, mode, workflows,
        maxRecordsPerSecond, effectsPolicy, requestedBy, reason, List.of());
  }

  /** A request of the coordinator's default event type. */
  public BackfillRequest(String backfillId, String sourceTopic, Instant from, Instant to,
      Map<String, Set<String>> filters, OptionalInt targetSchemaVersion, Mode mode, List<String> workflows,
      OptionalDouble maxRecordsPerSecond, EffectsPolicy effectsPolicy, Optional<String> requestedBy,
      Optional<String> reason, List<String> handoverWorkflows) {
    this(backfillId, sourceTopic, Optional.empty(), from, to, filters, targetSchemaVersion, mode, workflows,
        maxRecordsPerSecond, effectsPolicy, requestedBy, reason, handoverWorkflows);
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
    return new BackfillRequest(backfillId, sourceTopic, from, null, Map.of(), OptionalInt.empty(),
        Mode.EXECUTE, List.of(workflow), OptionalDouble.empty(), effectsPolicy, requestedBy,
        Optional.of("onboard workflow '" + workflow + "' onto '" + sourceTopic + "'"), List.of(workflow));
  }

  /** This request, of event type {@code name}. */
  public BackfillRequest withEventType(String name) {
    return new BackfillRequest(backfillId, sourceTopic, Optional.of(name), from, to, filters, targetSchemaVersion, mode,
        workflows, maxRecordsPerSecond, effectsPolicy, requestedBy, reason, handoverWorkflows, requester);
  }

  /**
   * This PREVIEW's request as an EXECUTE, asked by {@code by}: what executes a preview by its id
   * (the coordinator runs it on the preview's plan).
   */
  public BackfillRequest executed(Optional<String> by) {
    return new BackfillRequest(backfillId, sourceTopic, eventType, from, to, filters, targetSchemaVersion, Mode.EXECUTE,
        workflows, maxRecordsPerSecond, effectsPolicy, by, reason, handoverWorkflows, requester);
  }

  /**
   * This request as sent by {@code requester}, whom the coordinator established (never the
   * requester's own say; empty: nobody was).
   */
  public BackfillRequest withRequester(Optional<String> requester) {
    return new BackfillRequest(backfillId, sourceTopic, eventType, from, to, filters, targetSchemaVersion, mode,
        workflows, maxRecordsPerSecond, effectsPolicy, requestedBy, reason, handoverWorkflows, requester);
  }

  /** This request, only for events whose {@code attribute} has one of {@code values} (added to the others). */
  public BackfillRequest withFilter(String attribute, Set<String> values) {
    Map<String, Set<String>> more = new TreeMap<>(filters);
    more.put(attribute, values);
    return new BackfillRequest(backfillId, sourceTopic, eventType, from, to, more, targetSchemaVersion, mode,
        workflows, maxRecordsPerSecond, effectsPolicy, requestedBy, reason, handoverWorkflows, requester);
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
    handoverWorkflows = handoverWorkflows == null ? List.of() : List.copyOf(new LinkedHashSet<>(handoverWorkflows));
    if (!handoverWorkflows.isEmpty()) {
      // A handover workflow consumes the backfill like any named one (backpressure, verification).
      LinkedHashSet<String> all = new LinkedHashSet<>(workflows == null ? List.of() : workflows);
      all.addAll(handoverWorkflows);
      workflows = List.copyOf(all);
    }
    eventType = eventType == null ? Optional.empty() : eventType;
    // Sorted, and an attribute without values is no filter at all ("any value"), so equal requests are equal.
    Map<String, Set<String>> sorted = new TreeMap<>();
    if (filters != null) {
      filters.forEach((attribute, values) -> {
        if (values != null && !values.isEmpty()) {
          sorted.put(attribute, Collections.unmodifiableSet(new TreeSet<>(values)));
        }
      });
    }
    filters = Collections.unmodifiableMap(sorted);
    workflows = workflows == null ? List.of() : List.copyOf(workflows);
    targetSchemaVersion = targetSchemaVersion == null ? OptionalInt.empty() : targetSchemaVersion;
    maxRecordsPerSecond = maxRecordsPerSecond == null ? OptionalDouble.empty() : maxRecordsPerSecond;
    requestedBy = requestedBy == null ? Optional.empty() : requestedBy;
    reason = reason == null ? Optional.empty() : reason;
    requester = requester == null ? Optional.empty() : requester;
    mode = mode == null ? Mode.EXECUTE : mode;
    effectsPolicy = effectsPolicy == null ? EffectsPolicy.SUPPRESS : effectsPolicy;
  }
}
