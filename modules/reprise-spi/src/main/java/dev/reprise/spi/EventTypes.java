package dev.reprise.spi;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The event types installed, found with {@link ServiceLoader} on the thread's context class loader
 * (where {@code reprise --plugin PATH} puts a team's jars): the engine never names a plugin's
 * class.
 *
 * <pre>{@code
 * EventType type = EventTypes.only();          // the one event type installed
 * EventType orders = EventTypes.byName("orders");
 * }</pre>
 */
public final class EventTypes {

  private EventTypes() {}

  /** Every event type on the class path, by name. */
  public static Map<String, EventType> all() {
    Map<String, EventType> types = new TreeMap<>();
    for (EventType type : ServiceLoader.load(EventType.class, Thread.currentThread().getContextClassLoader())) {
      EventType previous = types.putIfAbsent(type.name(), type);
      // The same class twice (a plugin jar that is also on the class path) is one type.
      if (previous != null && !previous.getClass().getName().equals(type.getClass().getName())) {
        throw new IllegalStateException("two event types are named '" + type.name() + "': "
            + previous.getClass().getName() + " and " + type.getClass().getName());
      }
    }
    return types;
  }

  /** The event type named {@code name}. */
  public static EventType byName(String name) {
    EventType type = all().get(name);
    if (type == null) {
      throw new IllegalArgumentException("no event type '" + name + "' on the class path; installed: " + all().keySet());
    }
    return type;
  }

  /** The only event type on the class path (what a deployment with one kind of history uses). */
  public static EventType only() {
    Map<String, EventType> types = all();
    if (types.size() != 1) {
      throw new IllegalStateException(types.isEmpty()
          ? "no event type on the class path: add a plugin jar with META-INF/services/" + EventType.class.getName()
          : "several event types on the class path " + types.keySet() + ": choose one by name");
    }
    return types.values().iterator().next();
  }
}
