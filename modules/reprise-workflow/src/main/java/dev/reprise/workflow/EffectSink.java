package dev.reprise.workflow;

/**
 * Where effects go: a webhook, a mail gateway, a ledger API. Implementations just perform one
 * call and throw on failure; the runtime adds retries, backoff and suppression around them.
 */
public interface EffectSink {

  /** The name effects refer to. */
  String name();

  /** Performs {@code effect}; throws if it did not happen. */
  void perform(Effect effect) throws Exception;
}
