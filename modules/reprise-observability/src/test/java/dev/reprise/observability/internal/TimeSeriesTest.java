package dev.reprise.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TimeSeriesTest {

  @Test
  void shouldKeepTheLastSamplesUpToItsCapacityAndShowMissingValuesAsGaps() {
    TimeSeries series = new TimeSeries(3);
    for (int t = 1; t <= 5; t++) {
      series.add(t * 1000L, t * 10.0, t == 4 ? Double.NaN : t);
    }

    assertThat(series.size()).isEqualTo(3);
    assertThat(series.column(0)).containsExactly(3000.0, 4000.0, 5000.0);
    assertThat(series.column(1)).containsExactly(30.0, 40.0, 50.0);
    assertThat(series.column(2)).containsExactly(3.0, null, 5.0);
  }
}
