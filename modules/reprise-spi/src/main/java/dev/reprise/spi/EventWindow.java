package dev.reprise.spi;

import java.util.Map;

/**
 * What is known of a record that could not be upcast: its event time lies in {@code
 * [earliestMillis, latestMillis]}, and its filter attributes; a missing one is unknown, and may
 * have any value (the record is dead-lettered when the request filters on it).
 *
 * <pre>{@code
 * EventWindow.exact(submittedAt, Map.of("formId", "form-7"));
 * EventWindow.around(localMillis, Duration.ofHours(18).toMillis(), attributes);   // a local time, zone unknown
 * }</pre>
 */
public record EventWindow(long earliestMillis, long latestMillis, Map<String, String> attributes) {

  public EventWindow {
    if (latestMillis < earliestMillis) {
      throw new IllegalArgumentException("latestMillis " + latestMillis + " is before earliestMillis " + earliestMillis);
    }
    attributes = Map.copyOf(attributes);
  }

  /** The time is known exactly. */
  public static EventWindow exact(long eventTimeMillis, Map<String, String> attributes) {
    return new EventWindow(eventTimeMillis, eventTimeMillis, attributes);
  }

  /** The time is known within {@code slackMillis} either side. */
  public static EventWindow around(long eventTimeMillis, long slackMillis, Map<String, String> attributes) {
    return new EventWindow(eventTimeMillis - slackMillis, eventTimeMillis + slackMillis, attributes);
  }

  /** Nothing is known of the time. */
  public static EventWindow anyTime(Map<String, String> attributes) {
    return new EventWindow(Long.MIN_VALUE, Long.MAX_VALUE, attributes);
  }
}
