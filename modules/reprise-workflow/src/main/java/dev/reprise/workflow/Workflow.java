package dev.reprise.workflow;

/**
 * A piece of business logic that must see each submission event once: a webhook, a view, a
 * ledger entry. It never calls the outside world directly; it asks its context to perform
 * effects, which the runtime runs, suppresses during a replay, retries and deduplicates.
 *
 * <pre>{@code
 * Workflow notify = new Workflow() {
 *   public String name() { return "notify"; }
 *   public void handle(SubmissionEvent event, WorkflowContext context) {
 *     context.perform(Effect.of("webhook", event.id(), "POST submission " + event.id()));
 *   }
 * };
 * }</pre>
 *
 * <p>Handlers must be deterministic in their event: use {@link WorkflowContext#logicalDate()}, never
 * {@code now()}, so a replay of 2023 behaves as 2023 did.
 */
public interface Workflow {

  /** Unique, stable name: it names the Kafka Streams application, its store and its topics. */
  String name();

  /** Handles one event, seen for the first time by this workflow. */
  void handle(SubmissionEvent event, WorkflowContext context) throws Exception;
}
