package dev.reprise.coordinator;

import dev.reprise.history.GeneratedRecord;
import dev.reprise.history.GeneratedRecord.Kind;
import dev.reprise.history.HistoryGenerator;
import dev.reprise.submissions.SubmissionEventType;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a replay of generated history must produce, computed from the generator's truth, not from
 * the coordinator's code. The one rule shared with the coordinator is documented behaviour: a
 * record that cannot be upcast is dead-lettered if it might be in the range, judged by its exact
 * time from v2 on, by its local time ±18 h in v1.
 */
record ExpectedReplay(List<String> matchedIds, long filteredOut, long tombstones, long deadLettered) {

  static ExpectedReplay of(HistoryGenerator history, Instant from, Instant to, Set<String> formIds, Set<String> tenantIds) {
    List<String> matched = new ArrayList<>();
    long filtered = 0;
    long tombstones = 0;
    long dead = 0;
    for (GeneratedRecord record : history) {
      if (record.kind() == Kind.TOMBSTONE) {
        tombstones++;
      } else if (record.kind().corrupt()) {
        dead++;
      } else {
        var truth = record.truth();
        String tenant = truth.tenantId() == null ? SubmissionEventType.DEFAULT_TENANT : truth.tenantId();
        boolean keys = (formIds.isEmpty() || formIds.contains(truth.formId()))
            && (tenantIds.isEmpty() || tenantIds.contains(tenant));
        if (record.kind().upcasts()) {
          boolean inRange = !truth.submittedAt().isBefore(from) && truth.submittedAt().isBefore(to);
          if (keys && inRange) {
            matched.add(identity(truth.submissionId(), truth.revision()));
          } else {
            filtered++;
          }
        } else {
          Instant earliest = truth.submittedAt();
          Instant latest = truth.submittedAt();
          if (record.schemaVersion() == 1) {
            Instant local = LocalDateTime.parse(record.value().get("submittedAtLocal").toString()).toInstant(ZoneOffset.UTC);
            earliest = local.minus(Duration.ofHours(18));
            latest = local.plus(Duration.ofHours(18));
          }
          if (keys && !latest.isBefore(from) && earliest.isBefore(to)) {
            dead++;
          } else {
            filtered++;
          }
        }
      }
    }
    return new ExpectedReplay(List.copyOf(matched), filtered, tombstones, dead);
  }

  static String identity(Object submissionId, Object revision) {
    return submissionId + "#" + revision;
  }

  long scanned() {
    return matchedIds.size() + filteredOut + tombstones + deadLettered;
  }
}
