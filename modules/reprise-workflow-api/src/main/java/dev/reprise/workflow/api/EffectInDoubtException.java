package dev.reprise.workflow.api;

import dev.reprise.core.RepriseRetriableException;

/**
 * The call may have reached the sink, and nobody knows whether the effect happened: a response
 * that did not arrive in time, a connection lost after the request was sent. Like a crash in the
 * middle of a call, the effect is in doubt: before it is tried again, the runtime asks the sink's
 * {@link EffectSink#lookup}, and performs it again only if the sink did not see it (or cannot
 * tell, when the idempotency key is the last protection).
 *
 * <pre>{@code
 * } catch (HttpTimeoutException e) {
 *   throw new EffectInDoubtException("no answer from " + target + " within " + timeout, e);
 * }
 * }</pre>
 */
public class EffectInDoubtException extends RepriseRetriableException {

  public EffectInDoubtException(String message, Throwable cause) {
    super(message, cause);
  }
}
