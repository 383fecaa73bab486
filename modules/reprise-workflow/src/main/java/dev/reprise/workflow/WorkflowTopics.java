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

  /** Every PREVIEW's scratch topic ({@code reprise.preview.<id>}), which the workflows it names dry-run. */
  public static final Pattern ALL_PREVIEWS = Pattern.compile("reprise\\.preview\\.[A-Za-z0-9._-]+");

  /** What a runtime following every backfill subscribes to: backfill topics and preview topics. */
  public static final Pattern ALL_FOLLOWED = Pattern.compile(ALL_BACKFILLS.pattern() + "|" + ALL_PREVIEWS.pattern());

  private static final String PREFIX = "reprise.workflow.";
  private static final String PREVIEW_PREFIX = "reprise.preview.";

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
    return dev.reprise.protocol.ControlTopics.workflowDeadLetterTopic(workflow);
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
    return dev.reprise.protocol.ControlTopics.workflowRedriveTopic(workflow);
  }

  /** The workflow's view (compacted): rows it publishes with {@link WorkflowContext#publish}. */
  public static String view(String workflow) {
    return PREFIX + workflow + ".view";
  }

  /**
   * What a workflow would do with each event of a PREVIEW that names it (its dry run): one receipt
   * per event, as EXECUTE would write it — PROCESSED with the effects it would perform, SUPPRESSED
   * with those it would record, DUPLICATE if its dedup store already has the event, FAILED with why.
   */
  public static String dryRuns(String workflow) {
    return PREFIX + workflow + ".dryrun";
  }

  /** The PREVIEW a topic is the scratch topic of, if it is one. */
  public static java.util.Optional<String> previewOf(String topic) {
    return ALL_PREVIEWS.matcher(topic).matches()
        ? java.util.Optional.of(topic.substring(PREVIEW_PREFIX.length()))
        : java.util.Optional.empty();
  }

  /** The backfill a topic belongs to, if it is a backfill topic. */
  public static java.util.Optional<String> backfillOf(String topic) {
    return ALL_BACKFILLS.matcher(topic).matches()
        ? java.util.Optional.of(topic.substring("reprise.backfill.".length()))
        : java.util.Optional.empty();
  }
}
