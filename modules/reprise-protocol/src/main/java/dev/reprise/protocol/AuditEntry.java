package dev.reprise.protocol;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One line of the audit trail on {@link ControlTopics#AUDIT} ({@code
 * schemas/control/audit-entry-v1.avsc}): a command a coordinator received and what it decided, a
 * state a backfill entered, or a change of the access policy.
 *
 * <pre>{@code
 * for (AuditEntry entry : AuditTrail.read(clientConfig, codec, Optional.of("b-42"), Duration.ofSeconds(30))) {
 *   System.out.println(entry.at() + " " + entry.command().orElse("") + " by " + entry.requester().orElse("?")
 *       + ": " + entry.decision().orElse("") + entry.reason().map(r -> " (" + r + ")").orElse(""));
 * }
 * }</pre>
 *
 * @param requester who sent the command as the coordinator established it (empty: nobody was,
 *     see {@link BackfillRequest#requester})
 * @param requestedBy who the sender said it acted for (free text, not established)
 * @param decision ACCEPTED, REFUSED or DUPLICATE for a command; LOADED or REFUSED for a
 *     policy
 * @param source where the command was read, {@code topic-partition@offset}
 */
public record AuditEntry(Instant at, Optional<String> backfillId, Kind kind, Optional<String> command,
    Optional<String> requester, Optional<String> requestedBy, Optional<String> decision, Optional<String> reason, Optional<String> fromState,
    Optional<String> toState, String coordinator, Optional<String> source) {

  /** What the entry records. */
  public enum Kind { COMMAND, TRANSITION, POLICY }

  public AuditEntry {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(coordinator, "coordinator");
    backfillId = backfillId == null ? Optional.empty() : backfillId;
    command = command == null ? Optional.empty() : command;
    requester = requester == null ? Optional.empty() : requester;
    requestedBy = requestedBy == null ? Optional.empty() : requestedBy;
    decision = decision == null ? Optional.empty() : decision;
    reason = reason == null ? Optional.empty() : reason;
    fromState = fromState == null ? Optional.empty() : fromState;
    toState = toState == null ? Optional.empty() : toState;
    source = source == null ? Optional.empty() : source;
  }

  /** A command received and what was decided about it. */
  public static AuditEntry command(Instant at, String backfillId, String command, Optional<String> requester,
      Optional<String> requestedBy, String decision, Optional<String> reason, String coordinator,
      Optional<String> source) {
    return new AuditEntry(at, Optional.ofNullable(backfillId), Kind.COMMAND, Optional.of(command), requester,
        requestedBy, Optional.of(decision), reason, Optional.empty(), Optional.empty(), coordinator, source);
  }

  /** A backfill entering state {@code to}. */
  public static AuditEntry transition(Instant at, String backfillId, Optional<BackfillState> from, BackfillState to,
      Optional<String> reason, String coordinator) {
    return new AuditEntry(at, Optional.of(backfillId), Kind.TRANSITION, Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), reason, from.map(Enum::name), Optional.of(to.name()), coordinator, Optional.empty());
  }

  /** The access policy loaded (or a new version of it refused). */
  public static AuditEntry policy(Instant at, String decision, String reason, String coordinator) {
    return new AuditEntry(at, Optional.empty(), Kind.POLICY, Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.of(decision), Optional.of(reason), Optional.empty(), Optional.empty(), coordinator, Optional.empty());
  }

  /**
   * The entry as named fields in schema order, absent ones as null: what JSON views of the trail
   * ({@code reprise audit --json}, the dashboard) print.
   */
  public Map<String, Object> fields() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("at", at.toString());
    fields.put("backfillId", backfillId.orElse(null));
    fields.put("kind", kind.name());
    fields.put("command", command.orElse(null));
    fields.put("requester", requester.orElse(null));
    fields.put("requestedBy", requestedBy.orElse(null));
    fields.put("decision", decision.orElse(null));
    fields.put("reason", reason.orElse(null));
    fields.put("fromState", fromState.orElse(null));
    fields.put("toState", toState.orElse(null));
    fields.put("coordinator", coordinator);
    fields.put("source", source.orElse(null));
    return fields;
  }

  /** One line for people: time, backfill, what happened, who, decision and why. */
  public String describe() {
    StringBuilder line = new StringBuilder().append(at).append("  ").append(backfillId.orElse("-")).append("  ");
    switch (kind) {
      case COMMAND -> line.append(command.orElse("?")).append(" by ").append(requester.orElse("(not established)"))
          .append(requestedBy.map(who -> " for " + who).orElse("")).append(": ").append(decision.orElse("?"));
      case TRANSITION -> line.append(fromState.map(s -> s + " -> ").orElse("-> ")).append(toState.orElse("?"));
      case POLICY -> line.append("policy ").append(decision.orElse("?"));
    }
    reason.ifPresent(r -> line.append(" (").append(r).append(')'));
    line.append("  [").append(coordinator).append(source.map(s -> ", " + s).orElse("")).append(']');
    return line.toString();
  }
}
