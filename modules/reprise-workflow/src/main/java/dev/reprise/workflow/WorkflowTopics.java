package dev.reprise.workflow;

import java.util.regex.Pattern;

/**
 * Names a workflow's application id and topics.
 *
 * <pre>{@code
 * WorkflowTopics.receipts("notify");   // reprise.workflow.notify.receipts
 * }</pre>
 */
public final class WorkflowTopics {

  /**
   * Every backfill topic, and no dead-letter topic: {@code reprise.backfill.<id>} but not {@code
   * reprise.backfill.<id>.dlq}.
   */
  public static final Pattern ALL_BACKFILLS = Pattern.compile("reprise\\.backfill\\.(?![A-Za-z0-9._-]*\\.dlq$)[A-Za-z0-9._-]+");

  private static final String PREFIX = "reprise.workflow.";

  private WorkflowTopics() {}

  /** The Kafka Streams application id of a workflow. */
  public static String applicationId(String workflow) {
    return dev.reprise.protocol.ControlTopics.workflowGroup(workflow);
  }

  /** One receipt per event handled. */
  public static String receipts(String workflow) {
    return PREFIX + workflow + ".receipts";
  }

  /** Records the workflow could not handle, raw, with error headers. */
  public static String deadLetters(String workflow) {
    return PREFIX + workflow + ".dlq";
  }

  /**
   * The outbox: effects a handled event asks for, written with the dedup update and performed by
   * the workflow's effect executor.
   */
  public static String effects(String workflow) {
    return PREFIX + workflow + ".effects";
  }

  /** The consumer group of a workflow's effect executors. */
  public static String effectsGroup(String workflow) {
    return PREFIX + workflow + ".effects";
  }

  /**
   * Records sent back through the workflow: retried dead letters, and the "forget" of an event whose
   * effects failed (so that a retry, or a later backfill, handles it again).
   */
  public static String redrive(String workflow) {
    return PREFIX + workflow + ".redrive";
  }

  /** The workflow's view (compacted): rows it publishes with {@link WorkflowContext#publish}. */
  public static String view(String workflow) {
    return PREFIX + workflow + ".view";
  }

  /** The backfill a topic belongs to, if it is a backfill topic. */
  public static java.util.Optional<String> backfillOf(String topic) {
    return ALL_BACKFILLS.matcher(topic).matches()
        ? java.util.Optional.of(topic.substring("reprise.backfill.".length()))
        : java.util.Optional.empty();
  }
}
