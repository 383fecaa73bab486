package dev.reprise.workflow;

import dev.reprise.workflow.api.Effect;
import dev.reprise.workflow.api.Event;
import dev.reprise.workflow.api.Workflow;
import dev.reprise.workflow.api.WorkflowContext;
import java.util.Set;

/**
 * A test workflow that posts each event once to the sink named {@code webhook}; its handler fails
 * for the event ids in {@code failing} (a set the test may change while it runs).
 */
final class WebhookWorkflow implements Workflow {

  private final String name;
  private final Set<String> failing;

  WebhookWorkflow(String name) {
    this(name, Set.of());
  }

  WebhookWorkflow(String name, Set<String> failing) {
    this.name = name;
    this.failing = failing;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void handle(Event event, WorkflowContext context) {
    if (failing.contains(event.id().asKey())) {
      throw new IllegalStateException("handler told to fail on " + event.id());
    }
    context.perform(Effect.of("webhook", event.id(), "POST " + event.id()));
  }
}
