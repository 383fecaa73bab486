package dev.reprise.coordinator;

import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.EventTypeChoice;
import dev.reprise.protocol.WorkflowDeclaration;
import dev.reprise.protocol.WorkflowDeclarations;
import dev.reprise.spi.EventType;
import dev.reprise.spi.EventTypes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides whether a {@link BackfillRequest} may run, and if not, says every reason at once so the
 * requester can fix them in one go.
 *
 * <pre>{@code
 * var validator = new BackfillRequestValidator(Set.of("submissions"), Set.of("notify"), clock);
 * List<String> problems = validator.problems(request);
 * if (!problems.isEmpty()) reject(request, String.join("; ", problems));
 * }</pre>
 *
 * <p>Source topics must be on the allowlist: a request must not be able to copy an arbitrary,
 * possibly sensitive topic into a backfill topic other people can read. Internal topics ({@code
 * __*}, {@code reprise.*}) are refused even when allowlisted. The clock is read for one thing
 * only: a range that ends in the future would replay a moving target.
 */
public final class BackfillRequestValidator {

  /** Backfill ids become topic names ({@code reprise.backfill.<id>}), so they use topic characters. */
  static final Pattern BACKFILL_ID = Pattern.compile("[a-zA-Z0-9._-]{1,200}");

  private final Set<String> allowedSourceTopics;
  private final Set<String> knownWorkflows;
  private final WorkflowDeclarations declarations;
  private final EventTypeChoice eventTypes;
  private final Clock clock;

  /**
   * @param allowedSourceTopics topics requests may replay
   * @param knownWorkflows workflows requests may name
   * @param clock wall time, only to refuse ranges ending in the future
   */
  public BackfillRequestValidator(Set<String> allowedSourceTopics, Set<String> knownWorkflows, Clock clock) {
    this(allowedSourceTopics, knownWorkflows, WorkflowDeclarations.NONE, EventTypeChoice.only(EventTypes.only()), clock);
  }

  /**
   * @param declarations what workflows declared about themselves (their replay rules), consulted
   *     for every workflow a request names
   * @param eventTypes the event types requests may name, and the default
   */
  public BackfillRequestValidator(Set<String> allowedSourceTopics, Set<String> knownWorkflows,
      WorkflowDeclarations declarations, EventTypeChoice eventTypes, Clock clock) {
    this.allowedSourceTopics = Set.copyOf(allowedSourceTopics);
    this.knownWorkflows = Set.copyOf(knownWorkflows);
    this.declarations = Objects.requireNonNull(declarations, "declarations");
    this.eventTypes = Objects.requireNonNull(eventTypes, "eventTypes");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Every reason {@code request} cannot run; empty when it can. */
  public List<String> problems(BackfillRequest request) {
    List<String> problems = new ArrayList<>();
    String id = request.backfillId();
    if (id == null || id.isBlank()) {
      problems.add("missing field 'backfillId'");
    } else if (!BACKFILL_ID.matcher(id).matches()) {
      problems.add("backfillId '" + id + "' may only use letters, digits, '.', '_' and '-' (at most 200)");
    } else if (id.endsWith(".dlq")) {
      // reprise.backfill.<id>.dlq is the dead-letter topic of <id>: such an id would be ambiguous.
      problems.add("backfillId '" + id + "' must not end with '.dlq'");
    }
    problems.addAll(sourceProblems(request));
    if (request.isHandover()) {
      // The handover point (offsets) bounds the history: a record before it with a later event
      // time would reach the workflow neither through the backfill nor live.
      if (request.to() != null) {
        problems.add("'to' must be empty for a handover to " + request.handoverWorkflows() + ": the workflows' live"
            + " position bounds the history, and records before it with a later event time would reach them neither"
            + " way");
      }
    } else {
      if (request.from() == null) {
        problems.add("missing field 'from'");
      }
      if (request.to() == null) {
        problems.add("missing field 'to'");
      }
    }
    if (request.from() != null && request.to() != null) {
      if (!request.from().isBefore(request.to())) {
        problems.add("'from' (" + request.from() + ") must be before 'to' (" + request.to() + ")");
      } else if (request.to().isAfter(clock.instant())) {
        problems.add("'to' (" + request.to() + ") is in the future; replay only history (now is " + clock.instant() + ")");
      }
    }
    Optional<EventType> type = eventTypes.of(request);
    if (type.isEmpty()) {
      problems.add(eventTypes.whyNone(request));
    } else {
      problems.addAll(eventTypeProblems(request, type.get()));
    }
    for (String workflow : request.workflows()) {
      Optional<WorkflowDeclaration> declared = declarations.declaration(workflow);
      if (!knownWorkflows.contains(workflow) && declared.isEmpty()) {
        problems.add("unknown workflow '" + workflow + "'; known: " + sorted(knownWorkflows)
            + " and those that declared themselves on " + WorkflowDeclarations.TOPIC);
      } else if (declared.flatMap(WorkflowDeclaration::eventType).isPresent() && type.isPresent()
          && !declared.get().eventType().get().equals(type.get().name())) {
        // Its runtime would pass every record by: an empty backfill for it, found out only at verify.
        problems.add("workflow '" + workflow + "' handles '" + declared.get().eventType().get() + "' events, not '"
            + type.get().name() + "'");
      } else if (request.effectsPolicy() == BackfillRequest.EffectsPolicy.ENABLE) {
        declared.filter(d -> !d.effectsAllowedInReplay()).ifPresent(d ->
            problems.add("workflow '" + workflow + "' forbids effects in replays (" + d.reason().orElse("no reason given")
                + "): effectsPolicy ENABLE refused; its history can only be replayed with SUPPRESS"));
      }
    }
    request.maxRecordsPerSecond().ifPresent(rate -> {
      if (!(rate > 0)) {
        problems.add("maxRecordsPerSecond must be positive, was " + rate);
      }
    });
    return List.copyOf(problems);
  }

  /**
   * Why this coordinator must not read {@code request}'s source topic: missing, internal, or not
   * on the allowlist. Checked on every request, and again for every status a run would start from
   * (a resumed or adopted backfill), since whoever can write {@code reprise.status} could forge one.
   */
  public List<String> sourceProblems(BackfillRequest request) {
    String topic = request.sourceTopic();
    if (topic == null || topic.isBlank()) {
      return List.of("missing field 'sourceTopic'");
    } else if (topic.startsWith("__") || topic.startsWith("reprise.")) {
      return List.of("source topic '" + topic + "' is internal and cannot be replayed");
    } else if (!allowedSourceTopics.contains(topic)) {
      // Not looked up: a request must not learn which topics exist beyond those it may replay.
      return List.of("source topic '" + topic + "' is not on the coordinator's allowlist " + sorted(allowedSourceTopics)
          + " (whether it exists is not checked for a topic off the allowlist)");
    }
    return List.of();
  }

  /** The target version and the filters, against what the request's event type has. */
  private static List<String> eventTypeProblems(BackfillRequest request, EventType eventType) {
    List<String> problems = new ArrayList<>();
    request.targetSchemaVersion().ifPresent(version -> {
      int latest = eventType.versions().latestVersion();
      if (version < 1 || version > latest) {
        problems.add("targetSchemaVersion " + version + " does not exist; '" + eventType.name() + "' has versions 1.."
            + latest);
      } else if (version < eventType.minTargetVersion()) {
        problems.add("targetSchemaVersion " + version + " cannot be replayed to: '" + eventType.name() + "' events"
            + " have their identity, event time and filter attributes from v" + eventType.minTargetVersion()
            + " on; the lowest target is v" + eventType.minTargetVersion());
      }
    });
    Set<String> known = eventType.attributeNames();
    for (String attribute : request.filters().keySet()) {
      // A filter on an attribute the type never reports would match nothing: a silent empty backfill.
      if (!known.contains(attribute)) {
        problems.add("event type '" + eventType.name() + "' cannot filter on '" + attribute + "'; it filters on "
            + (known.isEmpty() ? "nothing" : sorted(known)));
      }
    }
    return problems;
  }

  private static List<String> sorted(Set<String> values) {
    return values.stream().sorted().toList();
  }
}
