package dev.reprise.protocol;

import dev.reprise.spi.EventType;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The event types a coordinator replays, and which one a request means: the one it names, else the
 * default (the configured one, or the only one). A request's type is resolved once, when it is
 * accepted, and written into it.
 *
 * <pre>{@code
 * var types = new EventTypeChoice(Map.of("orders", orders, "submissions", submissions), "submissions");
 * EventType type = types.of(request).orElseThrow();
 * }</pre>
 */
public final class EventTypeChoice {

  private final Map<String, EventType> types;
  private final Optional<String> defaultType;

  /**
   * @param types the event types, by name
   * @param defaultType the type of a request that names none; null: the only one, if there is one
   */
  public EventTypeChoice(Map<String, EventType> types, String defaultType) {
    this.types = new TreeMap<>(types);
    this.defaultType = Optional.ofNullable(defaultType).or(() -> this.types.size() == 1
        ? Optional.of(this.types.keySet().iterator().next()) : Optional.empty());
  }

  /** One event type, the default. */
  public static EventTypeChoice only(EventType type) {
    return new EventTypeChoice(Map.of(type.name(), type), type.name());
  }

  /** {@code request}, naming its event type: the default if it names none and there is one. */
  public BackfillRequest named(BackfillRequest request) {
    return request.eventType().isPresent() || defaultType.isEmpty() ? request : request.withEventType(defaultType.get());
  }

  /** The event type of {@code request}, if it names one of these or there is a default. */
  public Optional<EventType> of(BackfillRequest request) {
    return request.eventType().or(() -> defaultType).map(types::get);
  }

  /** Why {@code request} has no event type here: it names an unknown one, or none with no default. */
  public String whyNone(BackfillRequest request) {
    return request.eventType().map(name -> "unknown event type '" + name + "'; this coordinator replays "
            + types.keySet() + " ('reprise plugins' lists what is installed; a team's own come with --plugin)")
        .orElse("the request names no event type and this coordinator has several " + types.keySet()
            + " without a default: name one ('eventType')");
  }

  /** The names of these types. */
  public java.util.Set<String> names() {
    return types.keySet();
  }

  /** The type of a request that names none, if there is one. */
  public Optional<String> defaultName() {
    return defaultType;
  }
}
