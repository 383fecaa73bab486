package dev.reprise.protocol;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One event on {@link ControlTopics#REQUESTS}: start a backfill, or act on an existing one. Keyed
 * by backfill id on the topic, so every command of a backfill reaches the coordinator instance that
 * owns it, in order.
 *
 * <pre>{@code
 * client.send(ReplayCommand.start(request));
 * client.send(ReplayCommand.of(ReplayCommand.Type.PAUSE, "b-42"));
 * client.send(ReplayCommand.throttle("b-42", OptionalDouble.of(500)));   // at most 500 records/s from now
 * }</pre>
 *
 * @param request the backfill to start; present exactly for {@link Type#START}
 * @param maxRecordsPerSecond for {@link Type#THROTTLE}: the operator's ceiling; empty lifts it
 */
public record ReplayCommand(String backfillId, Type type, Optional<BackfillRequest> request,
    OptionalDouble maxRecordsPerSecond) {

  /** What the command asks for. */
  public enum Type { START, PAUSE, RESUME, CANCEL, RETRY, THROTTLE }

  public ReplayCommand {
    Objects.requireNonNull(type, "type");
    request = request == null ? Optional.empty() : request;
    maxRecordsPerSecond = maxRecordsPerSecond == null ? OptionalDouble.empty() : maxRecordsPerSecond;
    if (type == Type.START && request.isEmpty()) {
      throw new IllegalArgumentException("a START command needs a request");
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
    return new ReplayCommand(backfillId, Type.THROTTLE, Optional.empty(), maxRecordsPerSecond);
  }

  /** A START command for {@code request}. */
  public static ReplayCommand start(BackfillRequest request) {
    return new ReplayCommand(request.backfillId(), Type.START, Optional.of(request), OptionalDouble.empty());
  }

  /** A PAUSE, RESUME, CANCEL or RETRY command for {@code backfillId}. */
  public static ReplayCommand of(Type type, String backfillId) {
    if (type == Type.START) {
      throw new IllegalArgumentException("use ReplayCommand.start(request) for START");
    }
    return new ReplayCommand(backfillId, type, Optional.empty(), OptionalDouble.empty());
  }
}
