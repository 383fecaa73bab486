package dev.reprise.protocol;

/**
 * The names of the topics and groups Reprise's control plane uses. One place, because the CLI,
 * the coordinator, workflows and dashboards must agree on them.
 *
 * <pre>{@code
 * String topic = ControlTopics.backfillTopic("b-42");      // reprise.backfill.b-42
 * String dlq = ControlTopics.deadLetterTopic("b-42");      // reprise.backfill.b-42.dlq
 * }</pre>
 */
public final class ControlTopics {

  /** Replay requests and control commands, keyed by backfill id. */
  public static final String REQUESTS = "reprise.requests";
  /** Latest status per backfill, compacted, keyed by backfill id. */
  public static final String STATUS = "reprise.status";
  /** The consumer group coordinator instances share {@link #REQUESTS} through. */
  public static final String COORDINATOR_GROUP = "reprise.coordinator";

  private static final String BACKFILL_PREFIX = "reprise.backfill.";

  private ControlTopics() {}

  /** The topic a backfill publishes its upcast records to. */
  public static String backfillTopic(String backfillId) {
    return BACKFILL_PREFIX + backfillId;
  }

  /** The topic a backfill dead-letters unreadable records to, raw bytes plus error headers. */
  public static String deadLetterTopic(String backfillId) {
    return backfillTopic(backfillId) + ".dlq";
  }

  /**
   * The consumer group (Kafka Streams application id) of a workflow: what the coordinator watches
   * to know how far a workflow named in a request has processed the backfill topic.
   */
  public static String workflowGroup(String workflow) {
    return "reprise.workflow." + workflow;
  }

  /**
   * The group under which the coordinator commits its read position in the source topic, in the
   * same transaction as the records it publishes.
   */
  public static String replayGroup(String backfillId) {
    return BACKFILL_PREFIX + backfillId + ".coordinator";
  }

  /**
   * The transactional id of a backfill's producer. Stable per backfill, so a new owner fences the
   * previous one and aborts whatever it left open.
   */
  public static String transactionalId(String backfillId) {
    return "reprise.coordinator." + backfillId;
  }
}
