package dev.reprise.backpressure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprise.backpressure.ThrottleDecision.Mode;
import dev.reprise.backpressure.ThrottleSignals.LiveGroupLag;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The controller driven through simulated signal sequences, one tick per simulated second. */
class ThrottleControllerTest {

  private Instant now = Instant.parse("2026-01-01T00:00:00Z");
  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  };

  private ThrottleController controller() {
    return ThrottleController.builder().maxRate(1000).initialRate(100).additiveStep(50).minRate(10)
        .inFlightCap(10_000).liveLagThreshold(5_000, Duration.ofSeconds(30)).clock(clock).build();
  }

  private ThrottleDecision tick(ThrottleController controller, ThrottleSignals signals) {
    now = now.plusSeconds(1);
    return controller.decide(signals);
  }

  private static ThrottleSignals inFlight(long records) {
    return new ThrottleSignals(OptionalLong.of(records), true, List.of(), OptionalDouble.of(0), OptionalDouble.of(5),
        OptionalDouble.empty(), false);
  }

  private static ThrottleSignals live(long lagRecords, double lagSeconds) {
    return new ThrottleSignals(OptionalLong.of(0), true,
        List.of(new LiveGroupLag("orders", OptionalLong.of(lagRecords), OptionalDouble.of(lagSeconds))),
        OptionalDouble.of(0), OptionalDouble.of(5), OptionalDouble.empty(), false);
  }

  @Test
  void shouldSpeedUpAdditivelyWhileAllIsHealthyUpToTheMaximum() {
    ThrottleController controller = controller();
    List<Double> rates = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      rates.add(tick(controller, inFlight(100)).ratePerSecond());
    }
    assertThat(rates.subList(0, 3)).containsExactly(150.0, 200.0, 250.0);
    assertThat(rates.get(24)).isEqualTo(1000.0);
    assertThat(controller.current().mode()).isEqualTo(Mode.INCREASING);
    assertThat(controller.current().reasons()).isEmpty();
  }

  @Test
  void shouldHalveForASlowConsumerAndPauseAtTheCap() {
    ThrottleController controller = controller();
    for (int i = 0; i < 10; i++) {
      tick(controller, inFlight(100));
    }
    assertThat(controller.current().ratePerSecond()).isEqualTo(600.0);

    ThrottleDecision nearCap = tick(controller, inFlight(8_500));
    assertThat(nearCap.mode()).isEqualTo(Mode.THROTTLED);
    assertThat(nearCap.ratePerSecond()).isEqualTo(300.0);
    assertThat(nearCap.reason()).isEqualTo("in-flight 8,500 >= 80% of cap 10,000");
    assertThat(tick(controller, inFlight(9_000)).ratePerSecond()).isEqualTo(150.0);

    ThrottleDecision atCap = tick(controller, inFlight(10_000));
    assertThat(atCap.mode()).isEqualTo(Mode.PAUSED);
    assertThat(atCap.ratePerSecond()).isZero();
    assertThat(controller.admits(9_999)).isTrue();
    assertThat(controller.admits(10_000)).isFalse();
  }

  @Test
  void shouldRecoverGentlyWhenTheConsumerCatchesUp() {
    ThrottleController controller = controller();
    for (int i = 0; i < 10; i++) {
      tick(controller, inFlight(100));
    }
    tick(controller, inFlight(10_000));
    assertThat(controller.current().mode()).isEqualTo(Mode.PAUSED);

    // Restart from half the rate before the pause (600 / 2), then +50 per healthy tick.
    assertThat(tick(controller, inFlight(1_000)).ratePerSecond()).isEqualTo(350.0);
    assertThat(tick(controller, inFlight(500)).ratePerSecond()).isEqualTo(400.0);
  }

  @Test
  void shouldSlowForALiveLagSpikeAndPauseWhenItIsCritical() {
    ThrottleController controller = controller();
    for (int i = 0; i < 10; i++) {
      tick(controller, live(100, 1));
    }
    ThrottleDecision spike = tick(controller, live(6_000, 2));
    assertThat(spike.mode()).isEqualTo(Mode.THROTTLED);
    assertThat(spike.ratePerSecond()).isEqualTo(300.0);
    assertThat(spike.reason()).isEqualTo("live group orders lag 6,000 records > 5,000");

    ThrottleDecision old = tick(controller, live(100, 45));
    assertThat(old.reason()).isEqualTo("live group orders lag 45.0 s > 30");
    ThrottleDecision critical = tick(controller, live(10_001, 2));
    assertThat(critical.mode()).isEqualTo(Mode.PAUSED);
    assertThat(critical.reason()).isEqualTo("live group orders lag 10,001 records > critical 10,000");

    assertThat(tick(controller, live(0, 0)).mode()).isEqualTo(Mode.INCREASING);
  }

  @Test
  void shouldSlowWhenTheBrokerThrottlesTheProducer() {
    ThrottleController controller = controller();
    ThrottleDecision quota = tick(controller, new ThrottleSignals(OptionalLong.of(0), true, List.of(),
        OptionalDouble.of(120), OptionalDouble.of(5), OptionalDouble.empty(), false));
    assertThat(quota.mode()).isEqualTo(Mode.THROTTLED);
    assertThat(quota.ratePerSecond()).isEqualTo(50.0);
    assertThat(quota.reason()).isEqualTo("broker quota: producer throttled 120 ms");

    ThrottleDecision latency = tick(controller, new ThrottleSignals(OptionalLong.of(0), true, List.of(),
        OptionalDouble.of(0), OptionalDouble.of(900), OptionalDouble.empty(), false));
    assertThat(latency.reason()).isEqualTo("produce latency 900 ms > 500 ms");
    assertThat(latency.ratePerSecond()).isEqualTo(25.0);
  }

  @Test
  void shouldSlowWhenProduceLatencyRisesFarAboveItsUsualValue() {
    ThrottleController controller = controller();
    for (int i = 0; i < 10; i++) {
      tick(controller, latency(20));
    }
    assertThat(tick(controller, latency(45)).mode()).as("below the floor").isEqualTo(Mode.INCREASING);
    ThrottleDecision rising = tick(controller, latency(150));
    assertThat(rising.mode()).isEqualTo(Mode.THROTTLED);
    assertThat(rising.reason()).startsWith("produce latency rising: 150 ms");
  }

  private static ThrottleSignals latency(double millis) {
    return new ThrottleSignals(OptionalLong.of(0), true, List.of(), OptionalDouble.of(0), OptionalDouble.of(millis),
        OptionalDouble.empty(), false);
  }

  @Test
  void shouldHoldTheRateWhileASignalIsMissing() {
    ThrottleController controller = controller();
    tick(controller, inFlight(0));
    ThrottleDecision unknown = tick(controller, new ThrottleSignals(OptionalLong.empty(), true,
        List.of(new LiveGroupLag("orders", OptionalLong.empty(), OptionalDouble.empty())), OptionalDouble.empty(),
        OptionalDouble.empty(), OptionalDouble.empty(), false));
    assertThat(unknown.mode()).isEqualTo(Mode.HOLDING);
    assertThat(unknown.ratePerSecond()).isEqualTo(150.0);
    assertThat(unknown.reasons()).containsExactly("lag of live group orders unknown", "in-flight unknown");
    // No workflow subscribed: in-flight is not needed.
    assertThat(tick(controller, new ThrottleSignals(OptionalLong.empty(), false, List.of(), OptionalDouble.empty(),
        OptionalDouble.empty(), OptionalDouble.empty(), false)).mode()).isEqualTo(Mode.INCREASING);
  }

  @Test
  void shouldNotCutTwiceWithinTheCooldownForOneStaleReading() {
    ThrottleController controller = controller();
    for (int i = 0; i < 10; i++) {
      tick(controller, inFlight(0));
    }
    tick(controller, inFlight(9_000));
    now = now.plusMillis(200);
    assertThat(controller.decide(inFlight(9_000)).ratePerSecond()).isEqualTo(300.0);
  }

  @Test
  void shouldObeyTheOperator() {
    ThrottleController controller = controller();
    for (int i = 0; i < 10; i++) {
      tick(controller, inFlight(0));
    }
    ThrottleDecision limited = tick(controller, new ThrottleSignals(OptionalLong.of(0), true, List.of(),
        OptionalDouble.of(0), OptionalDouble.of(5), OptionalDouble.of(200), false));
    assertThat(limited.ratePerSecond()).isEqualTo(200.0);
    assertThat(limited.reason()).isEqualTo("operator limit 200/s");
    ThrottleDecision paused = tick(controller, new ThrottleSignals(OptionalLong.of(0), true, List.of(),
        OptionalDouble.of(0), OptionalDouble.of(5), OptionalDouble.empty(), true));
    assertThat(paused.mode()).isEqualTo(Mode.PAUSED);
    assertThat(paused.reason()).isEqualTo("paused by operator");
  }

  @Test
  void shouldNameEveryWrongSetting() {
    assertThatThrownBy(() -> ThrottleController.builder().maxRate(0).decreaseFactor(1.5).inFlightCap(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxRate must be positive")
        .hasMessageContaining("decreaseFactor must be in (0, 1)")
        .hasMessageContaining("inFlightCap must be at least 1");
  }
}
