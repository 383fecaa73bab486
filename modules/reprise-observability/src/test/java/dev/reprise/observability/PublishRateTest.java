package dev.reprise.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.reprise.protocol.BackfillCounters;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.BackfillThrottle;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PublishRateTest {

  private static final long T0 = Instant.parse("2026-11-21T10:00:00Z").toEpochMilli();

  @Test
  void shouldMeasureTheRateFromTheStatusTimestampsNotFromWhenTheyWereRead() {
    var rate = new BackfillObserver.PublishRate();
    rate.update(status(BackfillState.RUNNING, 0, T0), T0 + 3_000);
    rate.update(status(BackfillState.RUNNING, 500, T0 + 500), T0 + 3_100);   // read late: still 1,000/s

    assertThat(rate.perSecond()).isCloseTo(1_000, within(0.001));

    rate.update(status(BackfillState.RUNNING, 500, T0 + 500), T0 + 3_200);   // the same status again: unchanged
    assertThat(rate.perSecond()).isCloseTo(1_000, within(0.001));

    rate.update(status(BackfillState.RUNNING, 1_500, T0 + 1_500), T0 + 3_300); // 1,000 more in 1 s, smoothed
    assertThat(rate.perSecond()).isCloseTo(1_000, within(0.001));
  }

  @Test
  void shouldReportNothingPublishedWhilePausedOrWhenTheStatusStopsMoving() {
    var rate = new BackfillObserver.PublishRate();
    rate.update(status(BackfillState.RUNNING, 0, T0), T0);
    rate.update(status(BackfillState.RUNNING, 800, T0 + 1_000), T0 + 1_000);
    assertThat(rate.perSecond()).isPositive();

    rate.update(status(BackfillState.PAUSED, 800, T0 + 2_000), T0 + 2_000);
    assertThat(rate.perSecond()).isZero();

    var stale = new BackfillObserver.PublishRate();
    stale.update(status(BackfillState.RUNNING, 0, T0), T0);
    stale.update(status(BackfillState.RUNNING, 800, T0 + 1_000), T0 + 7_000);
    assertThat(stale.perSecond()).isZero();
  }

  @Test
  void shouldTakeTheThrottleLimitFromTheAdaptiveControllerElseTheRequestsCap() {
    BackfillStatus capped = status(BackfillState.RUNNING, 0, T0);
    assertThat(BackfillObserver.throttleLimit(capped)).hasValue(250);

    BackfillStatus adaptive = new BackfillStatus(capped.backfillId(), capped.state(), capped.reason(), capped.request(),
        capped.owner(), capped.counters(), capped.partitions(), capped.countsPerDay(), 0, OptionalLong.empty(), Map.of(),
        List.of(), Optional.empty(), Optional.empty(),
        Optional.of(new BackfillThrottle(120, "THROTTLED", "in-flight", OptionalLong.of(9), 10)), OptionalLong.empty(),
        List.of(), List.of(), capped.updatedAt());
    assertThat(BackfillObserver.throttleLimit(adaptive)).hasValue(120);

    BackfillStatus none = BackfillStatus.of("b", BackfillState.ACCEPTED, Optional.empty(), Optional.empty(),
        Optional.empty(), Instant.ofEpochMilli(T0));
    assertThat(BackfillObserver.throttleLimit(none)).isEmpty();
  }

  @Test
  void shouldNameCountersInPrometheusStyle() {
    assertThat(BackfillObserver.snake(BackfillCounters.FILTERED_OUT)).isEqualTo("filtered_out");
    assertThat(BackfillObserver.snake(BackfillCounters.DEAD_LETTERED)).isEqualTo("dead_lettered");
  }

  private static BackfillStatus status(BackfillState state, long published, long updatedAt) {
    var request = new BackfillRequest("b", "submissions", Instant.parse("2023-01-01T00:00:00Z"),
        Instant.parse("2024-01-01T00:00:00Z"), Map.of(), OptionalInt.empty(), BackfillRequest.Mode.EXECUTE,
        List.of(), OptionalDouble.of(250), BackfillRequest.EffectsPolicy.SUPPRESS, Optional.empty(), Optional.empty());
    return new BackfillStatus("b", state, Optional.empty(), Optional.of(request), Optional.empty(),
        Map.of(BackfillCounters.PUBLISHED, published), List.of(), null, 0, OptionalLong.empty(), Map.of(), List.of(),
        Optional.empty(), Optional.empty(), Optional.empty(), OptionalLong.empty(), List.of(), List.of(),
        Instant.ofEpochMilli(updatedAt));
  }
}
