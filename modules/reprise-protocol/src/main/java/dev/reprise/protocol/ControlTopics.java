package dev.reprise.protocol;

import dev.reprise.protocol.internal.Topics;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;

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
  /**
   * The audit trail: every command a coordinator received, who sent it, what it decided and why,
   * and every state a backfill entered. Append-only (deleted by retention, never compacted),
   * keyed by backfill id.
   */
  public static final String AUDIT = "reprise.audit";
  /** What a team's name may be: the tail of its request topic's name. */
  private static final String TEAM_NAME = "[A-Za-z0-9_-]{1,100}";
  /**
   * Every request topic a coordinator reads: {@link #REQUESTS} and each team's {@link
   * #teamRequests}.
   */
  public static final Pattern REQUEST_TOPICS =
      Pattern.compile(Pattern.quote(REQUESTS) + "(\\." + TEAM_NAME + ")?");
  /**
   * Header of a command a coordinator forwarded from a team's topic to {@link #REQUESTS}: the team
   * (UTF-8). Trusted only because, where an access policy is in force, only coordinators may write
   * {@link #REQUESTS}.
   */
  public static final String REQUESTER_HEADER = "reprise.requester";
  /** Header of a forwarded command: where it was first read, {@code topic-partition@offset}. */
  public static final String RECEIVED_ON_HEADER = "reprise.received.on";
  /** The consumer group coordinator instances share {@link #REQUESTS} through. */
  public static final String COORDINATOR_GROUP = "reprise.coordinator";

  private static final String BACKFILL_PREFIX = "reprise.backfill.";
  private static final String WORKFLOW_PREFIX = "reprise.workflow.";
  private static final String PREVIEW_PREFIX = "reprise.preview.";

  private static final Pattern TEAM = Pattern.compile(TEAM_NAME);

  /** The control topics' partition count where nothing else is configured. */
  public static final int DEFAULT_PARTITIONS = 6;

  private ControlTopics() {}

  /**
   * Creates {@link #REQUESTS}, {@link #STATUS}, {@link #AUDIT}, {@link WorkflowDeclarations#TOPIC}
   * and {@link CoordinatorAnnouncements#TOPIC} where missing ({@link #DEFAULT_PARTITIONS} partitions, the cluster's
   * default replication), with the settings a coordinator gives them; an existing topic is left as it
   * is. What {@code reprise up} does before it says it is ready, so that a client may publish a
   * request before any coordinator runs, on a cluster that does not create topics on first use.
   */
  public static void create(Admin admin) {
    Topics.ensureControlTopics(admin, DEFAULT_PARTITIONS, Optional.empty());
  }

  /**
   * The request topic of one team: what its members write their commands to. Only the team's
   * principal may WRITE it (a Kafka ACL), so the topic a command arrives on says who sent it; the
   * coordinator forwards it to {@link #REQUESTS} with that requester.
   *
   * @throws IllegalArgumentException if {@code team} is not 1 to 100 letters, digits, '_' or '-'
   */
  public static String teamRequests(String team) {
    if (team == null || !TEAM.matcher(team).matches()) {
      throw new IllegalArgumentException("team '" + team + "' must be 1 to 100 letters, digits, '_' or '-'");
    }
    return REQUESTS + "." + team;
  }

  /** The team whose request topic {@code topic} is; empty for {@link #REQUESTS} or any other topic. */
  public static Optional<String> teamOf(String topic) {
    if (!topic.startsWith(REQUESTS + ".")) {
      return Optional.empty();
    }
    String team = topic.substring(REQUESTS.length() + 1);
    return TEAM.matcher(team).matches() ? Optional.of(team) : Optional.empty();
  }

  /** The topic a backfill publishes its upcast records to. */
  public static String backfillTopic(String backfillId) {
    return BACKFILL_PREFIX + backfillId;
  }

  /**
   * A PREVIEW's scratch topic when it names workflows: every matching record, upcast as EXECUTE
   * would publish it, for the named workflows' dry run (they handle it and record what they would
   * do, touching no dedup store, state or view). Kept a day.
   */
  public static String previewTopic(String backfillId) {
    return PREVIEW_PREFIX + backfillId;
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
    return WORKFLOW_PREFIX + workflow;
  }

  /** The topic a workflow dead-letters the events it could not handle (or whose effects failed) to. */
  public static String workflowDeadLetterTopic(String workflow) {
    return WORKFLOW_PREFIX + workflow + ".dlq";
  }

  /**
   * The topic a workflow's dead letters go back through for another try, read by the workflow with
   * its other inputs and through the same dedup (as wide as its widest input).
   */
  public static String workflowRedriveTopic(String workflow) {
    return WORKFLOW_PREFIX + workflow + ".redrive";
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
