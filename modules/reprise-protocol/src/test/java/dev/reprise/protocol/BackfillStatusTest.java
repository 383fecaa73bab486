package dev.reprise.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprise.protocol.BackfillRequest.EffectsPolicy;
import dev.reprise.protocol.BackfillRequest.Mode;
import dev.reprise.protocol.BackfillStatus.PartitionProgress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class BackfillStatusTest {

  private static final Instant AT = Instant.parse("2026-12-02T06:00:00Z");

  @Test
  void shouldExecuteACompletedPreviewOnItsOwnPlanFromTheStart() {
    BackfillStatus preview = status(Mode.PREVIEW, BackfillState.COMPLETED);
    BackfillRequest execute = request(Mode.EXECUTE);

    BackfillStatus accepted = preview.executing(execute, "c2", AT.plusSeconds(60));

    assertThat(accepted.state()).isEqualTo(BackfillState.ACCEPTED);
    assertThat(accepted.request()).contains(execute);
    assertThat(accepted.owner()).contains("c2");
    assertThat(accepted.partitions()).containsExactly(new PartitionProgress(0, 5, 105, 5),
        new PartitionProgress(1, 0, 90, 0));
    assertThat(accepted.counters()).isEmpty();
    assertThat(accepted.countsPerDay()).isEmpty();
    assertThat(accepted.updatedAt()).isEqualTo(AT.plusSeconds(60));
  }

  @Test
  void shouldRefuseToExecuteAPreviewStillScanningOrABackfillThatIsNoPreview() {
    assertThatThrownBy(() -> status(Mode.PREVIEW, BackfillState.RUNNING).executing(request(Mode.EXECUTE), "c2", AT))
        .isInstanceOf(IllegalBackfillTransitionException.class).hasMessageContaining("is RUNNING");
    assertThatThrownBy(() -> status(Mode.EXECUTE, BackfillState.COMPLETED).executing(request(Mode.EXECUTE), "c2", AT))
        .isInstanceOf(IllegalBackfillTransitionException.class).hasMessageContaining("is COMPLETED");
  }

  private static BackfillStatus status(Mode mode, BackfillState state) {
    return new BackfillStatus("b-1", state, Optional.empty(), Optional.of(request(mode)), Optional.of("c1"),
        Map.of(BackfillCounters.MATCHED, 150L), List.of(new PartitionProgress(0, 5, 105, 105),
            new PartitionProgress(1, 0, 90, 90)), new TreeMap<>(), 0.0, OptionalLong.empty(), Map.of(), List.of(),
        Optional.empty(), Optional.of(AT), Optional.empty(), OptionalLong.of(12), List.of(), List.of(), AT);
  }

  private static BackfillRequest request(Mode mode) {
    return new BackfillRequest("b-1", "submissions", Instant.parse("2023-01-01T00:00:00Z"),
        Instant.parse("2024-01-01T00:00:00Z"), Map.of(), OptionalInt.empty(), mode, List.of("notify"),
        OptionalDouble.empty(), EffectsPolicy.ENABLE, Optional.of("ana"), Optional.empty());
  }
}
