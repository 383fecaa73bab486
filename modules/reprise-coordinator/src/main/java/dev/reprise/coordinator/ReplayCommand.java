package dev.reprise.coordinator;

import java.util.Objects;
import java.util.Optional;

/**
 * One event on {@link ControlTopics#REQUESTS}: start a backfill, or act on an existing one. Keyed
 * by backfill id on the topic, so every command of a backfill reaches the coordinator instance that
 * owns it, in order.
 *
 * <pre>{@code
 * client.send(ReplayCommand.start(request));
 * client.send(ReplayCommand.of(ReplayCommand.Type.PAUSE, "b-42"));
 * }</pre>
 *
 * @param request the backfill to start; present exactly for {@link Type#START}
 */
public record ReplayCommand(String backfillId, Type type, Optional<BackfillRequest> request) {

  /** What the command asks for. */
  public enum Type { START, PAUSE, RESUME, CANCEL, RETRY }

  public ReplayCommand {
    Objects.requireNonNull(type, "type");
    request = request == null ? Optional.empty() : request;
    if (type == Type.START && request.isEmpty()) {
      throw new IllegalArgumentException("a START command needs a request");
    }
  }

  /** A START command for {@code request}. */
  public static ReplayCommand start(BackfillRequest request) {
    return new ReplayCommand(request.backfillId(), Type.START, Optional.of(request));
  }

  /** A PAUSE, RESUME, CANCEL or RETRY command for {@code backfillId}. */
  public static ReplayCommand of(Type type, String backfillId) {
    if (type == Type.START) {
      throw new IllegalArgumentException("use ReplayCommand.start(request) for START");
    }
    return new ReplayCommand(backfillId, type, Optional.empty());
  }
}
