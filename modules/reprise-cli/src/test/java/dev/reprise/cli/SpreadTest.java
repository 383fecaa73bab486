package dev.reprise.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SpreadTest {

  @Test
  void medianOfAnOddCountIsTheMiddleValueWhateverTheOrder() {
    Spread spread = Spread.of(List.of(0.9, 0.2, 0.5));

    assertThat(spread).isEqualTo(new Spread(0.2, 0.5, 0.9, 3));
  }

  @Test
  void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
    assertThat(Spread.of(List.of(4.0, 1.0, 3.0, 2.0)).median()).isEqualTo(2.5);
  }

  @Test
  void describesMedianFirstThenTheRange() {
    assertThat(Spread.of(List.of(1000.0, 3000.0, 2000.0)).describe("%,.0f"))
        .isEqualTo("2,000 (min 1,000, max 3,000)");
  }

  @Test
  void refusesNoValues() {
    assertThatThrownBy(() -> Spread.of(List.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no values");
  }
}
