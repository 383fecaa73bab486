package dev.reprise.workflow.builtin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reprise.workflow.Effect;
import dev.reprise.workflow.SubmissionEvent;
import dev.reprise.workflow.Workflow;
import dev.reprise.workflow.WorkflowContext;

/**
 * Posts each submission to a webhook: one effect on the sink named {@link #SINK}, with the event id
 * as idempotency key and the submission as JSON.
 *
 * <pre>{@code
 * WorkflowRuntime.builder().workflow(new NotifyWorkflow())
 *     .sink(new HttpWebhookSink(NotifyWorkflow.SINK, URI.create("http://127.0.0.1:8088/hook")))...
 * }</pre>
 */
public final class NotifyWorkflow implements Workflow {

  /** The default name. */
  public static final String NAME = "notify";
  /** The sink it posts to. */
  public static final String SINK = "webhook";

  private static final ObjectMapper JSON = new ObjectMapper();
  private final String name;

  public NotifyWorkflow() {
    this(NAME);
  }

  /** Under another name (several independent instances, tests). */
  public NotifyWorkflow(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void handle(SubmissionEvent event, WorkflowContext context) {
    ObjectNode body = JSON.createObjectNode()
        .put("eventId", event.id().asKey())
        .put("submissionId", event.id().submissionId())
        .put("revision", event.id().revision())
        .put("formId", event.string("formId"))
        .put("tenantId", event.string("tenantId"))
        .put("submittedAt", event.submittedAt().toString())
        .put("amountCents", (Long) event.submission().get("amountCents"))
        .put("currency", event.string("currency"))
        .put("status", event.string("status"));
    context.backfillId().ifPresent(id -> body.put("backfillId", id));
    context.perform(new Effect(SINK, event.id().asKey(), "POST submission " + event.id(), body.toString()));
  }
}
