package dev.reprise.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BackfillStateTest {

  @Test
  void shouldAllowTheHappyPathAndAPauseInBetween() {
    BackfillState state = BackfillState.ACCEPTED;
    state = state.checkTransition("b-1", BackfillState.PLANNED);
    state = state.checkTransition("b-1", BackfillState.RUNNING);
    state = state.checkTransition("b-1", BackfillState.PAUSED);
    state = state.checkTransition("b-1", BackfillState.RUNNING);
    state = state.checkTransition("b-1", BackfillState.COMPLETED);

    assertThat(state.isTerminal()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(value = BackfillState.class, names = {"REJECTED", "CANCELLED", "FAILED", "COMPLETED"})
  void shouldLetNothingHappenAfterATerminalState(BackfillState terminal) {
    for (BackfillState target : BackfillState.values()) {
      assertThat(terminal.canTransitionTo(target)).as(terminal + " -> " + target).isFalse();
    }
  }

  @Test
  void shouldNameTheBackfillAndBothStatesWhenRefusing() {
    assertThatThrownBy(() -> BackfillState.PAUSED.checkTransition("b-42", BackfillState.PAUSED))
        .isInstanceOfSatisfying(IllegalBackfillTransitionException.class, e -> {
          assertThat(e.backfillId()).isEqualTo("b-42");
          assertThat(e.isRetriable()).isFalse();
        })
        .hasMessageStartingWith("backfill 'b-42' is PAUSED and cannot move to PAUSED");
  }

  @Test
  void shouldNotCompleteABackfillThatIsPaused() {
    assertThat(BackfillState.PAUSED.canTransitionTo(BackfillState.COMPLETED)).isFalse();
    assertThat(BackfillState.PAUSED.canTransitionTo(BackfillState.CANCELLED)).isTrue();
  }
}
