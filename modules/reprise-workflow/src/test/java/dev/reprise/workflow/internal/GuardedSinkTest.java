package dev.reprise.workflow.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprise.workflow.SinkResilience;
import dev.reprise.workflow.api.Effect;
import dev.reprise.workflow.api.EffectSink;
import dev.reprise.workflow.api.EventId;
import dev.reprise.workflow.api.SinkRejectedException;
import dev.reprise.workflow.api.SinkUnavailableException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GuardedSinkTest {

  private static final Effect EFFECT = Effect.of("hook", EventId.of("s-1#0"), "POST");
  private final SinkResilience fast = SinkResilience.builder().maxAttempts(4).minimumCalls(4)
      .initialBackoff(Duration.ofMillis(1)).maxBackoff(Duration.ofMillis(5)).openDuration(Duration.ofSeconds(60)).build();
  private final List<CircuitBreaker.State> transitions = new ArrayList<>();

  /** Fails its first {@code failures} calls with {@code error}, then succeeds. */
  private static EffectSink flaky(int failures, Exception error, AtomicInteger calls) {
    return new EffectSink() {
      @Override
      public String name() {
        return "hook";
      }

      @Override
      public void perform(Effect effect) throws Exception {
        if (calls.incrementAndGet() <= failures) {
          throw error;
        }
      }
    };
  }

  @Test
  void shouldRetryTransientFailuresUntilTheCallSucceeds() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    new GuardedSink(flaky(2, new IOException("reset"), calls), fast, (sink, state) -> transitions.add(state)).perform(EFFECT);

    assertThat(calls).hasValue(3);
    assertThat(transitions).isEmpty();
  }

  @Test
  void shouldNotRetryARejectionNorCountItAgainstTheSink() {
    AtomicInteger calls = new AtomicInteger();
    var guarded = new GuardedSink(flaky(100, new SinkRejectedException("400"), calls), fast, (s, state) -> transitions.add(state));

    for (int i = 0; i < 10; i++) {
      assertThatThrownBy(() -> guarded.perform(EFFECT)).isInstanceOf(SinkRejectedException.class);
    }
    assertThat(calls).hasValue(10);
    assertThat(guarded.breakerState()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void shouldReportAnOutageAsTheSinksFaultOnceTheBreakerOpens() {
    AtomicInteger calls = new AtomicInteger();
    var guarded = new GuardedSink(flaky(100, new IOException("503"), calls), fast, (s, state) -> transitions.add(state));

    assertThatThrownBy(() -> guarded.perform(EFFECT)).isInstanceOf(SinkUnavailableException.class);
    assertThatThrownBy(() -> guarded.perform(EFFECT)).isInstanceOf(SinkUnavailableException.class)
        .hasMessageContaining("circuit breaker is OPEN");
    assertThat(calls).as("no call reaches an open breaker").hasValue(4);
    assertThat(transitions).containsExactly(CircuitBreaker.State.OPEN);
  }

  @Test
  void shouldRefuseAResilienceThatDeadLettersBeforeTheBreakerOpens() {
    assertThatThrownBy(() -> SinkResilience.builder().maxAttempts(3).minimumCalls(5).build())
        .hasMessageContaining("minimumCalls must be 1..3");
  }
}
