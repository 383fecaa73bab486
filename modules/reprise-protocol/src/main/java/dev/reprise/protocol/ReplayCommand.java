package dev.reprise.protocol;

import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One event on {@link ControlTopics#REQUESTS} (or a team's {@link ControlTopics#teamRequests}):
 * start a backfill, or act on an existing one. Keyed by backfill id on the topic, so every command
 * of a backfill reaches the coordinator instance that owns it, in order.
 *
 * <pre>{@code
 * client.send(ReplayCommand.start(request));
 * client.send(ReplayCommand.of(ReplayCommand.Type.PAUSE, "b-42"));
 * client.send(ReplayCommand.throttle("b-42", OptionalDouble.of(500)));   // at most 500 records/s from now
 * }</pre>
 *
 * @param request the backfill to start; present exactly for {@link Type#START}
 * @param maxRecordsPerSecond for {@link Type#THROTTLE}: the operator's ceiling; empty lifts it
 * @param verification for {@link Type#VERIFY}: the verifier's outcome, which the coordinator records
 * @param requester who sent it, as the coordinator established it from the team topic it arrived
 *     on; whatever a requester writes here is overwritten (see {@link BackfillRequest#requester})
 * @param requestedBy who the sender says it acts for (a person, a dashboard user): free text for
 *     the audit trail, never checked; a START's is its request's
 * @param retryItems for {@link Type#RETRY}: the dead letters to retry, as {@code partition@offset}
 *     of the backfill's {@link ControlTopics#deadLetterTopic} (or, with {@code retryWorkflow}, of that
 *     workflow's {@link ControlTopics#workflowDeadLetterTopic}); empty: every one (not retried yet)
 * @param retryWorkflow for {@link Type#RETRY}: the workflow whose dead letters of this backfill to
 *     send back through its redrive topic and dedup; empty: the backfill's own dead letters
 */
public record ReplayCommand(String backfillId, Type type, Optional<BackfillRequest> request,
    OptionalDouble maxRecordsPerSecond, Optional<Verification> verification, Optional<String> requester,
    Optional<String> requestedBy, List<String> retryItems, Optional<String> retryWorkflow) {

  /** A dead letter's name in {@link #retryItems}: its partition and offset on the dead-letter topic. */
  public static final java.util.regex.Pattern DEAD_LETTER_ITEM = java.util.regex.Pattern.compile("(\\d+)@(\\d+)");

  /** What the command asks for. */
  public enum Type { START, PAUSE, RESUME, CANCEL, RETRY, THROTTLE, VERIFY }

  /**
   * A verifier's outcome for a completed backfill: the coordinator records it as the backfill's
   * VERIFIED or VERIFICATION_FAILED status (only coordinators write {@link ControlTopics#STATUS}).
   *
   * @param failures empty when verified; otherwise what differs
   * @param failedDays the days (UTC, event time) whose counts or checksums differ
   */
  public record Verification(Optional<String> failures, List<LocalDate> failedDays) {
    public Verification {
      failures = failures == null ? Optional.empty() : failures;
      failedDays = failedDays == null ? List.of() : List.copyOf(failedDays);
    }

    /** VERIFIED or VERIFICATION_FAILED. */
    public BackfillState verdict() {
      return failures.isEmpty() ? BackfillState.VERIFIED : BackfillState.VERIFICATION_FAILED;
    }
  }

  public ReplayCommand {
    Objects.requireNonNull(type, "type");
    request = request == null ? Optional.empty() : request;
    maxRecordsPerSecond = maxRecordsPerSecond == null ? OptionalDouble.empty() : maxRecordsPerSecond;
    verification = verification == null ? Optional.empty() : verification;
    requester = requester == null ? Optional.empty() : requester;
    requestedBy = requestedBy == null ? Optional.empty() : requestedBy;
    retryItems = retryItems == null ? List.of() : List.copyOf(retryItems);
    retryWorkflow = retryWorkflow == null ? Optional.empty() : retryWorkflow;
    if ((!retryItems.isEmpty() || retryWorkflow.isPresent()) && type != Type.RETRY) {
      throw new IllegalArgumentException("only a RETRY names dead letters to retry, not a " + type);
    }
    for (String item : retryItems) {
      if (!DEAD_LETTER_ITEM.matcher(item).matches()) {
        throw new IllegalArgumentException("dead letter '" + item + "' is not PARTITION@OFFSET");
      }
    }
    if (type == Type.START && request.isEmpty()) {
      throw new IllegalArgumentException("a START command needs a request");
    }
    if (type == Type.VERIFY && verification.isEmpty()) {
      throw new IllegalArgumentException("a VERIFY command needs a verification");
    }
    if (maxRecordsPerSecond.isPresent() && !(maxRecordsPerSecond.getAsDouble() > 0)) {
      throw new IllegalArgumentException("a THROTTLE rate must be positive, was " + maxRecordsPerSecond.getAsDouble());
    }
  }

  /**
   * Sets (or, with an empty rate, lifts) an operator's ceiling on a running backfill's publish
   * rate, below its request's own maximum. Held by the instance running it; a new owner after a
   * failover starts without it.
   */
  public static ReplayCommand throttle(String backfillId, OptionalDouble maxRecordsPerSecond) {
    return new ReplayCommand(backfillId, Type.THROTTLE, Optional.empty(), maxRecordsPerSecond, Optional.empty(),
        Optional.empty(), Optional.empty(), List.of(), Optional.empty());
  }

  /** A START command for {@code request}. */
  public static ReplayCommand start(BackfillRequest request) {
    return new ReplayCommand(request.backfillId(), Type.START, Optional.of(request), OptionalDouble.empty(),
        Optional.empty(), request.requester(), request.requestedBy(), List.of(), Optional.empty());
  }

  /** A VERIFY command: records {@code verification} as the outcome of completed {@code backfillId}. */
  public static ReplayCommand verify(String backfillId, Verification verification) {
    return new ReplayCommand(backfillId, Type.VERIFY, Optional.empty(), OptionalDouble.empty(),
        Optional.of(verification), Optional.empty(), Optional.empty(), List.of(), Optional.empty());
  }

  /** A PAUSE, RESUME, CANCEL or RETRY command for {@code backfillId}. */
  public static ReplayCommand of(Type type, String backfillId) {
    if (type == Type.START || type == Type.VERIFY) {
      throw new IllegalArgumentException("use ReplayCommand.start(request) or verify(id, outcome) for " + type);
    }
    return new ReplayCommand(backfillId, type, Optional.empty(), OptionalDouble.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), List.of(), Optional.empty());
  }

  /**
   * A RETRY of the backfill's own dead letters (source records that could not be replayed), once
   * what failed them is fixed (a corrected upcaster in a new plugin version): each of {@code items}
   * ({@code partition@offset} of the dead-letter topic; empty: every one not retried yet) goes
   * through the event type's current pipeline again, and what now replays is published to the
   * backfill topic. Allowed once the backfill completed; it returns to COMPLETED (verify again).
   */
  public static ReplayCommand retry(String backfillId, List<String> items) {
    return new ReplayCommand(backfillId, Type.RETRY, Optional.empty(), OptionalDouble.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), items, Optional.empty());
  }

  /**
   * A RETRY of {@code workflow}'s dead letters of this backfill ({@code items}, {@code
   * partition@offset} of its dead-letter topic; empty: all of this backfill's): the coordinator
   * checks who asks (as for any command of the backfill), records it in the audit trail, and sends
   * them back through the workflow's redrive topic and dedup, so nothing runs twice.
   */
  public static ReplayCommand retry(String backfillId, String workflow, List<String> items) {
    return new ReplayCommand(backfillId, Type.RETRY, Optional.empty(), OptionalDouble.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), items, Optional.of(workflow));
  }

  /**
   * This command as sent by {@code requester}, as a coordinator established it (never the
   * sender's own say: empty clears whatever the sender wrote).
   */
  public ReplayCommand withRequester(Optional<String> requester) {
    return new ReplayCommand(backfillId, type, request.map(r -> r.withRequester(requester)), maxRecordsPerSecond,
        verification, requester, requestedBy, retryItems, retryWorkflow);
  }

  /**
   * This command on behalf of {@code who} (free text for the audit trail, e.g. a dashboard user);
   * a START keeps its request's {@code requestedBy}.
   */
  public ReplayCommand withRequestedBy(String who) {
    return type == Type.START ? this
        : new ReplayCommand(backfillId, type, request, maxRecordsPerSecond, verification, requester, Optional.of(who),
            retryItems, retryWorkflow);
  }
}
