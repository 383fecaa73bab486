package dev.reprise.protocol;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a workflow declares about itself ({@code schemas/control/workflow-declaration-v1.avsc}), on
 * {@link WorkflowDeclarations#TOPIC}: its replay rule and its live topics. Workflow runtimes publish
 * it when they start; the coordinator reads it to refuse a request that would make a workflow
 * perform effects it forbids in replays, or that names it for events of another type.
 *
 * <pre>{@code
 * new WorkflowDeclaration("charge", false, Optional.of("charges cards"), List.of("orders"), clock.instant());
 * }</pre>
 *
 * @param effectsAllowedInReplay false: the workflow's effects never run for a replayed event
 * @param reason why they are forbidden (empty when allowed)
 * @param eventType the event type it handles; empty if not declared
 */
public record WorkflowDeclaration(String workflow, boolean effectsAllowedInReplay, Optional<String> reason,
    List<String> liveTopics, Instant declaredAt, Optional<String> eventType) {

  /** A declaration that names no event type. */
  public WorkflowDeclaration(String workflow, boolean effectsAllowedInReplay, Optional<String> reason,
      List<String> liveTopics, Instant declaredAt) {
    this(workflow, effectsAllowedInReplay, reason, liveTopics, declaredAt, Optional.empty());
  }

  public WorkflowDeclaration {
    Objects.requireNonNull(workflow, "workflow");
    reason = reason == null ? Optional.empty() : reason;
    liveTopics = liveTopics == null ? List.of() : List.copyOf(liveTopics);
    Objects.requireNonNull(declaredAt, "declaredAt");
    eventType = eventType == null ? Optional.empty() : eventType;
  }
}
