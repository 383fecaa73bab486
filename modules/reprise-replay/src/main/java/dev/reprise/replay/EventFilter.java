package dev.reprise.replay;

import dev.reprise.spi.EventWindow;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which events a replay wants: event time in {@code [fromMillis, toMillis)}, and for each filtered
 * attribute one of the values asked for (an attribute not named is not filtered; an empty value
 * set means all). Also answers the weaker question for records whose time is only known within a
 * window (see {@link EventWindow}): could it be wanted? Such records are dead-lettered rather than
 * dropped, so nothing that might belong to the replay disappears silently.
 *
 * <pre>{@code
 * EventFilter filter = new EventFilter(from.toEpochMilli(), to.toEpochMilli(), Map.of("tenantId", Set.of("acme")));
 * filter.matches(type.eventTimeMillis(event), type.attributes(event));
 * }</pre>
 */
public record EventFilter(long fromMillis, long toMillis, Map<String, Set<String>> attributes) {

  public EventFilter {
    Map<String, Set<String>> copy = new TreeMap<>();
    attributes.forEach((name, values) -> {
      if (values != null && !values.isEmpty()) {
        copy.put(name, Set.copyOf(values));
      }
    });
    attributes = java.util.Collections.unmodifiableMap(copy);
  }

  /** Every event, at any time. */
  public static EventFilter all() {
    return new EventFilter(Long.MIN_VALUE, Long.MAX_VALUE, Map.of());
  }

  /** Whether an event at {@code eventMillis} with {@code values} is wanted. */
  public boolean matches(long eventMillis, Map<String, String> values) {
    return eventMillis >= fromMillis && eventMillis < toMillis && matchesAttributes(values);
  }

  /**
   * Whether a record somewhere in {@code window} might be wanted. An attribute the window does not
   * know (a record that failed before its value could be read) might have any value: such a record
   * is dead-lettered for a person to look at, never silently filtered out.
   */
  public boolean mayMatch(EventWindow window) {
    return window.latestMillis() >= fromMillis && window.earliestMillis() < toMillis
        && matchesAttributes(window.attributes(), true);
  }

  private boolean matchesAttributes(Map<String, String> values) {
    return matchesAttributes(values, false);
  }

  private boolean matchesAttributes(Map<String, String> values, boolean unknownMayMatch) {
    for (Map.Entry<String, Set<String>> wanted : attributes.entrySet()) {
      // In an upcast event a missing value matches no filter on it: an event without a tenant is no tenant's.
      String value = values.get(wanted.getKey());
      if (value == null ? !unknownMayMatch : !wanted.getValue().contains(value)) {
        return false;
      }
    }
    return true;
  }
}
