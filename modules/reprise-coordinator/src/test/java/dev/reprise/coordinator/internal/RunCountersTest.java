package dev.reprise.coordinator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprise.protocol.BackfillCounters;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunCountersTest {

  @Test
  void shouldCountMatchedRecordsPerUtcDayAndSurviveACopy() {
    var counters = new RunCounters();
    counters.scanned = 3;
    counters.matchedOn(Instant.parse("2023-03-14T23:59:59Z").toEpochMilli());
    counters.matchedOn(Instant.parse("2023-03-15T00:00:00Z").toEpochMilli());
    counters.matchedOn(Instant.parse("1969-12-31T12:00:00Z").toEpochMilli());
    var copy = counters.copy();
    counters.matchedOn(Instant.parse("2023-03-15T10:00:00Z").toEpochMilli());

    assertThat(copy.perDay()).containsExactly(Map.entry(LocalDate.parse("1969-12-31"), 1L),
        Map.entry(LocalDate.parse("2023-03-14"), 1L), Map.entry(LocalDate.parse("2023-03-15"), 1L));
    assertThat(copy.asMap(10)).containsEntry(BackfillCounters.MATCHED, 3L).containsEntry(BackfillCounters.PLANNED, 10L);
    assertThat(counters.perDay()).containsEntry(LocalDate.parse("2023-03-15"), 2L);
  }

  @Test
  void shouldRestoreWhatAStatusReported() {
    var original = new RunCounters();
    original.scanned = 10;
    original.published = 4;
    original.deadLettered = 1;
    original.matchedOn(0);
    original.addEvolution(Map.of("records.v1", 7L));
    original.addEvolution(Map.of("records.v1", 2L));

    var restored = RunCounters.restore(original.asMap(20), original.perDay(), original.evolution());

    assertThat(restored.asMap(20)).isEqualTo(original.asMap(20));
    assertThat(restored.perDay()).isEqualTo(original.perDay());
    assertThat(restored.evolution()).containsExactly(Map.entry("records.v1", 9L));
  }
}
