package dev.reprise.workflow.api;

import java.util.OptionalLong;

/**
 * Where effects go: a webhook, a mail gateway, a ledger API. Implementations just perform one
 * call and throw on failure; the runtime adds retries, backoff, rate limits and suppression.
 *
 * <p>Effects are performed at least once and, for a sink that helps, exactly once. The runtime
 * performs an effect, then records that it did; an instance that dies between the two leaves the
 * effect <em>in doubt</em>. Its replacement then asks {@link #lookup}: a sink that can tell whether
 * it already saw the idempotency key is never called twice; one that cannot (the default answer,
 * {@link EffectLookup#UNKNOWN}) is called again with the same {@link Effect#idempotencyKey()}, and
 * must deduplicate by it itself.
 *
 * <pre>{@code
 * EffectSink audit = new EffectSink() {
 *   public String name() { return "audit"; }
 *   public void perform(Effect effect) throws Exception { auditApi.record(effect.idempotencyKey(), effect.payload()); }
 *   public EffectLookup lookup(Effect effect) throws Exception {
 *     return auditApi.exists(effect.idempotencyKey()) ? EffectLookup.PERFORMED : EffectLookup.NOT_PERFORMED;
 *   }
 * };
 * }</pre>
 */
public interface EffectSink {

  /** The name effects refer to. */
  String name();

  /** Performs {@code effect}; throws if it did not happen. */
  void perform(Effect effect) throws Exception;

  /**
   * Whether {@code effect} was already performed; asked only for effects in doubt after a crash.
   * Throws if the sink cannot be asked now (the runtime retries, as for {@link #perform}).
   */
  default EffectLookup lookup(Effect effect) throws Exception {
    return EffectLookup.UNKNOWN;
  }

  /**
   * How many times the sink has performed effects with {@code effect}'s idempotency key; empty if
   * it cannot count (the default). Asked by the verifier, which checks at the sink that every effect
   * a backfill performed happened exactly once and every suppressed one never: a sink that can
   * count turns "the workflow says it called once" into "the sink saw it once". Throws if the sink
   * cannot be asked now.
   */
  default OptionalLong timesPerformed(Effect effect) throws Exception {
    return OptionalLong.empty();
  }
}
