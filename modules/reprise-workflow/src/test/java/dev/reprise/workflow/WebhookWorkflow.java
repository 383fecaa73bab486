package dev.reprise.workflow;

/** A test workflow that posts each event once to the sink named {@code webhook}. */
final class WebhookWorkflow implements Workflow {

  private final String name;

  WebhookWorkflow(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void handle(SubmissionEvent event, WorkflowContext context) throws Exception {
    context.perform(Effect.of("webhook", event.id(), "POST " + event.id()));
  }
}
