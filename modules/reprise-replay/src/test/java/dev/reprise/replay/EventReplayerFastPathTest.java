package dev.reprise.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprise.history.GeneratedRecord;
import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistoryWriter;
import dev.reprise.registry.InMemorySchemaRegistryClient;
import dev.reprise.submissions.SubmissionEventType;
import dev.reprise.submissions.SubmissionSchemas;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The replayer's fast paths against its reference path (decode, upcast, encode), record for
 * record, on the generator's whole mix: every version, corrections, tombstones, dirty and corrupt
 * records.
 */
class EventReplayerFastPathTest {

  private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
  private final int[] ids = {0, registry.register("s-value", SubmissionSchemas.forVersion(1)),
      registry.register("s-value", SubmissionSchemas.forVersion(2)),
      registry.register("s-value", SubmissionSchemas.forVersion(3))};

  @Test
  void givesExactlyTheReferenceOutcomeForEveryRecordWhetherTheTargetIdIsTheSourcesOrNot() {
    HistoryGenerator history = new HistoryGenerator(HistorySpec.builder().events(30_000).seed(5)
        .dirtyShare(0.02).corruptShare(0.01).build());
    // Same id as the v3 source records (bytes pass as they are), and another one (only the frame changes).
    for (int targetId : new int[] {ids[3], 4242}) {
      EventFilter filter = new EventFilter(Instant.parse("2023-01-01T00:00:00Z").toEpochMilli(),
          Instant.parse("2026-01-01T00:00:00Z").toEpochMilli(), Map.of(SubmissionEventType.FORM_ID,
          Set.of("form-1", "form-2", "form-3")));
      EventReplayer fast = new EventReplayer(registry, new SubmissionEventType(), filter, 3, targetId, true);
      EventReplayer reference = new EventReplayer(registry, new SubmissionEventType(), filter, 3, targetId, false);
      int passedThrough = 0;
      int n = 0;
      for (GeneratedRecord record : history) {
        byte[] value = HistoryWriter.bytes(record, ids);
        EventReplayer.Outcome expected = reference.process(value);
        EventReplayer.Outcome actual = fast.process(value);
        String at = "record " + n++ + " (" + record.kind() + ", v" + record.schemaVersion() + ")";
        assertThat(actual.getClass()).as(at).isEqualTo(expected.getClass());
        if (expected instanceof EventReplayer.Matched m) {
          EventReplayer.Matched f = (EventReplayer.Matched) actual;
          assertThat(f.value()).as(at).isEqualTo(m.value());
          assertThat(f.sourceVersion()).as(at).isEqualTo(m.sourceVersion());
          assertThat(f.eventTimeMillis()).as(at).isEqualTo(m.eventTimeMillis());
          assertThat(f.upcast()).as(at).isEqualTo(m.upcast());
          if (m.sourceVersion() == 3) {
            passedThrough++;
          }
        } else if (expected instanceof EventReplayer.DeadLetter d) {
          assertThat(((EventReplayer.DeadLetter) actual).stage()).as(at).isEqualTo(d.stage());
        }
      }
      assertThat(passedThrough).as("v3 records that took the fast path").isGreaterThan(500);
      assertThat(fast.takeEvolution()).isEqualTo(reference.takeEvolution());
    }
  }
}
