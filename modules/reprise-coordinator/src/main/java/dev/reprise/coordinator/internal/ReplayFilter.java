package dev.reprise.coordinator.internal;

import dev.reprise.coordinator.BackfillRequest;
import java.util.Set;

/**
 * Which records a backfill wants: event time in {@code [from, to)}, and the form and tenant
 * filters. Also answers the weaker question for records whose time is only known within a window
 * (a v1 record with a broken zone): could it be wanted? Such records are dead-lettered rather than
 * dropped, so nothing that might belong to the range disappears silently.
 */
record ReplayFilter(long fromMillis, long toMillis, Set<String> formIds, Set<String> tenantIds) {

  static ReplayFilter of(BackfillRequest request) {
    return new ReplayFilter(request.fromMillis(), request.toMillis(), request.formIds(),
        request.tenantIds());
  }

  boolean matches(long eventMillis, String formId, String tenantId) {
    return eventMillis >= fromMillis && eventMillis < toMillis && matchesKeys(formId, tenantId);
  }

  /** Whether a record with an event time somewhere in {@code [earliest, latest]} might match. */
  boolean mayMatch(long earliestMillis, long latestMillis, String formId, String tenantId) {
    return latestMillis >= fromMillis && earliestMillis < toMillis && matchesKeys(formId, tenantId);
  }

  private boolean matchesKeys(String formId, String tenantId) {
    return (formIds.isEmpty() || formIds.contains(formId)) && (tenantIds.isEmpty() || tenantIds.contains(tenantId));
  }
}
