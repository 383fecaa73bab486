package dev.reprise.coordinator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprise.protocol.BackfillStatus.PartitionProgress;
import org.junit.jupiter.api.Test;

class RunStateTest {

  @Test
  void shouldReportAPositionPastThePlansEndAsTheEndSoProgressNeverExceedsTheWhole() {
    // The last fetch read records written after the plan: the consumer is past the end.
    RunState state = RunState.resumed(new long[] {0, 10}, new long[] {100, 60}, new long[] {169, 40}, new RunCounters());

    assertThat(state.progress()).containsExactly(new PartitionProgress(0, 0, 100, 100),
        new PartitionProgress(1, 10, 60, 40));
    assertThat(state.consumed()).isEqualTo(100 + 30);
    assertThat(state.progress().get(0).isDone()).isTrue();
  }
}
