package dev.reprise.submissions.workflow;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reprise.submissions.SubmissionEventType;
import dev.reprise.workflow.api.Effect;
import dev.reprise.workflow.api.Event;
import dev.reprise.workflow.api.Workflow;
import dev.reprise.workflow.api.WorkflowContext;
import java.util.Optional;
import java.util.Set;

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
  public Optional<String> eventType() {
    return Optional.of(SubmissionEventType.NAME);
  }

  @Override
  public Set<String> sinks() {
    return Set.of(SINK);
  }

  @Override
  public void handle(Event event, WorkflowContext context) {
    ObjectNode body = JSON.createObjectNode()
        .put("eventId", event.id().asKey())
        .put("submissionId", event.string("submissionId"))
        .put("revision", (Integer) event.get("revision"))
        .put("formId", event.string("formId"))
        .put("tenantId", event.string("tenantId"))
        .put("submittedAt", event.eventTime().toString())
        .put("amountCents", (Long) event.get("amountCents"))
        .put("currency", event.string("currency"))
        .put("status", event.string("status"));
    context.backfillId().ifPresent(id -> body.put("backfillId", id));
    // Its recipient is the submitter (when they left an address): what a dry run counts.
    context.perform(new Effect(SINK, event.id().asKey(), "POST submission " + event.id(), body.toString())
        .to(event.string("submitterEmail")));
  }
}
