package dev.reprise.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprise.protocol.BackfillRequest.EffectsPolicy;
import dev.reprise.protocol.BackfillRequest.Mode;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class DashboardViewsTest {

  private static final LocalDate JAN_1 = LocalDate.parse("2023-01-01");
  private static final LocalDate JAN_2 = LocalDate.parse("2023-01-02");
  private static final LocalDate JAN_3 = LocalDate.parse("2023-01-03");

  @Test
  void shouldDrawOneCellPerDayOfTheRangeWithTheEndExclusive() {
    List<Map<String, Object>> cells = cells(status(BackfillState.RUNNING, Mode.EXECUTE, Map.of(), List.of()));

    assertThat(cells).extracting(c -> c.get("day")).containsExactly("2023-01-01", "2023-01-02", "2023-01-03");
  }

  @Test
  void shouldMarkDaysReplayedAsSoonAsRecordsOfThemArePublished() {
    List<Map<String, Object>> cells = cells(status(BackfillState.RUNNING, Mode.EXECUTE, Map.of(JAN_2, 7L), List.of()));

    assertThat(cells).extracting(c -> c.get("state")).containsExactly("pending", "replayed", "pending");
    assertThat(cells.get(1).get("count")).isEqualTo(7L);
  }

  @Test
  void shouldMarkEveryDayReplayedOnceCompletedEvenDaysWithoutRecords() {
    assertThat(cells(status(BackfillState.COMPLETED, Mode.EXECUTE, Map.of(JAN_2, 7L), List.of())))
        .extracting(c -> c.get("state")).containsOnly("replayed");
  }

  @Test
  void shouldColourTheDaysAVerificationFoundDifferentAndTheRestVerified() {
    assertThat(cells(status(BackfillState.VERIFIED, Mode.EXECUTE, Map.of(JAN_1, 3L), List.of())))
        .extracting(c -> c.get("state")).containsOnly("verified");
    assertThat(cells(status(BackfillState.VERIFICATION_FAILED, Mode.EXECUTE, Map.of(JAN_1, 3L), List.of(JAN_3))))
        .extracting(c -> c.get("state")).containsExactly("verified", "verified", "failed");
  }

  @Test
  void shouldNotCallAPreviewsDaysReplayed() {
    assertThat(cells(status(BackfillState.COMPLETED, Mode.PREVIEW, Map.of(JAN_1, 3L), List.of())))
        .extracting(c -> c.get("state")).containsOnly("pending");
  }

  @Test
  void shouldDrawAHandoversOpenRangeFromTheDaysItFoundSoFar() {
    var handover = BackfillRequest.handover("b-1", "submissions", "notify", null, EffectsPolicy.SUPPRESS, Optional.empty());
    BackfillStatus running = new BackfillStatus("b-1", BackfillState.RUNNING, Optional.empty(), Optional.of(handover),
        Optional.empty(), Map.of(), List.of(), new TreeMap<>(Map.of(JAN_3, 2L, JAN_1, 1L)), 0, OptionalLong.empty(),
        Map.of(), List.of(), Optional.empty(), Optional.empty(), Optional.empty(), OptionalLong.empty(), List.of(), List.of(),
        Instant.parse("2026-11-21T10:00:00Z"));

    assertThat(cells(running)).extracting(c -> c.get("state")).containsExactly("replayed", "pending", "replayed");
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> cells(BackfillStatus status) {
    return (List<Map<String, Object>>) DashboardViews.days(status).get("cells");
  }

  private static BackfillStatus status(BackfillState state, Mode mode, Map<LocalDate, Long> perDay, List<LocalDate> failed) {
    var request = new BackfillRequest("b-1", "submissions", Instant.parse("2023-01-01T00:00:00Z"),
        Instant.parse("2023-01-04T00:00:00Z"), Map.of(), OptionalInt.empty(), mode, List.of("notify"),
        OptionalDouble.empty(), EffectsPolicy.SUPPRESS, Optional.empty(), Optional.empty());
    return new BackfillStatus("b-1", state, Optional.empty(), Optional.of(request), Optional.empty(), Map.of(), List.of(),
        new TreeMap<>(perDay), 0, OptionalLong.empty(), Map.of(), List.of(), Optional.empty(), Optional.empty(),
        Optional.empty(), OptionalLong.empty(), failed, List.of(), Instant.parse("2026-11-21T10:00:00Z"));
  }
}
