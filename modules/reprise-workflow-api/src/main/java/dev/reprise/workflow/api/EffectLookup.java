package dev.reprise.workflow.api;

/** What a sink knows about an effect in doubt: see {@link EffectSink#lookup}. */
public enum EffectLookup {
  /** The sink has seen its idempotency key: the effect is not performed again. */
  PERFORMED,
  /** The sink has not: the effect is performed. */
  NOT_PERFORMED,
  /** The sink cannot tell: the effect is performed again, and the sink dedupes by key. */
  UNKNOWN
}
