package dev.reprise.workflow.internal;

import dev.reprise.workflow.SinkResilience;
import dev.reprise.workflow.api.Effect;
import dev.reprise.workflow.api.EffectInDoubtException;
import dev.reprise.workflow.api.EffectLookup;
import dev.reprise.workflow.api.EffectSink;
import dev.reprise.workflow.api.SinkBackoffException;
import dev.reprise.workflow.api.SinkRejectedException;
import dev.reprise.workflow.api.SinkUnavailableException;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.core.functions.CheckedSupplier;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An effect sink behind resilience4j, in the order its documentation recommends: retry around
 * circuit breaker around rate limiter around bulkhead around the call. An attempt that ended in
 * doubt ({@link EffectInDoubtException}: it may have reached the sink) is followed by a lookup, not
 * by a blind repeat.
 */
public final class GuardedSink {

  private static final Logger log = LoggerFactory.getLogger(GuardedSink.class);

  private final EffectSink sink;
  private final Retry retry;
  private final CircuitBreaker breaker;
  private final RateLimiter rateLimiter;
  private final Bulkhead bulkhead;
  /**
   * Keys of effects whose last attempt ended in doubt: kept across calls, so that the executor's
   * call after the breaker closes again looks them up too (a handful at a time: the in-flight ones).
   */
  private final Set<String> inDoubt = ConcurrentHashMap.newKeySet();

  /** @param onBreakerState told of every breaker state change: (sink name, new state) */
  public GuardedSink(EffectSink sink, SinkResilience resilience, BiConsumer<String, CircuitBreaker.State> onBreakerState) {
    this.sink = sink;
    IntervalFunction backoff = IntervalFunction.ofExponentialRandomBackoff(resilience.initialBackoff().toMillis(),
        resilience.multiplier(), 0.5, resilience.maxBackoff().toMillis());
    IntervalBiFunction<Object> honourRetryAfter = (attempt, outcome) -> {
      long computed = backoff.apply(attempt);
      if (outcome.isLeft() && outcome.getLeft() instanceof SinkBackoffException asked && asked.retryAfter().isPresent()) {
        return Math.max(computed, asked.retryAfter().get().toMillis());
      }
      return computed;
    };
    this.retry = Retry.of(sink.name(), RetryConfig.custom()
        .maxAttempts(resilience.maxAttempts())
        .intervalBiFunction(honourRetryAfter)
        .retryOnException(e -> !(e instanceof SinkRejectedException) && !(e instanceof CallNotPermittedException))
        .build());
    this.breaker = CircuitBreaker.of(sink.name(), CircuitBreakerConfig.custom()
        .failureRateThreshold(resilience.failureRatePercent())
        .minimumNumberOfCalls(resilience.minimumCalls())
        .slidingWindowSize(Math.max(resilience.minimumCalls(), 10))
        .waitDurationInOpenState(resilience.openDuration())
        .permittedNumberOfCallsInHalfOpenState(2)
        .automaticTransitionFromOpenToHalfOpenEnabled(true)
        // A refusal of one effect says nothing about the sink's health.
        .ignoreExceptions(SinkRejectedException.class)
        .build());
    breaker.getEventPublisher().onStateTransition(
        event -> onBreakerState.accept(sink.name(), event.getStateTransition().getToState()));
    double rate = resilience.maxCallsPerSecond();
    boolean fine = rate >= 10;
    this.rateLimiter = RateLimiter.of(sink.name(), RateLimiterConfig.custom()
        .limitRefreshPeriod(fine ? Duration.ofMillis(100) : Duration.ofSeconds(1))
        .limitForPeriod((int) Math.max(1, Math.ceil(fine ? rate / 10 : rate)))
        .timeoutDuration(Duration.ofSeconds(30))
        .build());
    this.bulkhead = Bulkhead.of(sink.name(), BulkheadConfig.custom()
        .maxConcurrentCalls(resilience.maxConcurrentCalls())
        .maxWaitDuration(Duration.ofSeconds(30))
        .build());
  }

  /**
   * Performs {@code effect} with retries.
   *
   * @throws SinkUnavailableException if the breaker is open: not the event's fault
   * @throws Exception the last failure once retries are used up, or a {@link SinkRejectedException}
   */
  public void perform(Effect effect) throws Exception {
    String key = effect.idempotencyKey();
    guarded(() -> {
      // An attempt that may have reached the sink is not repeated blind: the sink is asked first.
      if (inDoubt.contains(key)) {
        EffectLookup known = sink.lookup(effect);
        if (known == EffectLookup.PERFORMED) {
          log.info("effect sink '{}': the call in doubt for {} was performed; not repeating it", sink.name(), key);
          inDoubt.remove(key);
          return null;
        }
        if (known == EffectLookup.UNKNOWN) {
          log.warn("effect sink '{}': the call in doubt for {} cannot be looked up; repeating it with its idempotency"
              + " key", sink.name(), key);
        }
      }
      try {
        sink.perform(effect);
      } catch (EffectInDoubtException e) {
        inDoubt.add(key);
        throw e;
      }
      inDoubt.remove(key);
      return null;
    });
  }

  /**
   * Asks the sink whether {@code effect} was performed ({@link EffectSink#lookup}), with the same
   * protection as a call: a lookup is a call to the same service.
   */
  public EffectLookup lookup(Effect effect) throws Exception {
    return guarded(() -> sink.lookup(effect));
  }

  private <T> T guarded(CheckedSupplier<T> call) throws Exception {
    CheckedSupplier<T> guarded = Retry.decorateCheckedSupplier(retry,
        CircuitBreaker.decorateCheckedSupplier(breaker,
            RateLimiter.decorateCheckedSupplier(rateLimiter,
                Bulkhead.decorateCheckedSupplier(bulkhead, call))));
    try {
      return guarded.get();
    } catch (CallNotPermittedException e) {
      throw new SinkUnavailableException("effect sink '" + sink.name() + "' is unavailable: its circuit breaker is "
          + breaker.getState(), e);
    } catch (Exception e) {
      if (!(e instanceof SinkRejectedException) && breaker.getState() == CircuitBreaker.State.OPEN) {
        // The last attempt is what opened the breaker: the sink failed, not this effect.
        throw new SinkUnavailableException("effect sink '" + sink.name() + "' is unavailable: " + e.getMessage(), e);
      }
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  public CircuitBreaker.State breakerState() {
    return breaker.getState();
  }

  public String name() {
    return sink.name();
  }
}
