package dev.reprise.workflow.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprise.workflow.CountingWebhookServer;
import dev.reprise.workflow.HttpWebhookSink;
import dev.reprise.workflow.SinkResilience;
import dev.reprise.workflow.api.Effect;
import dev.reprise.workflow.api.EffectInDoubtException;
import dev.reprise.workflow.api.EventId;
import dev.reprise.workflow.api.SinkUnavailableException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A webhook slower than the sink's timeout, over real HTTP: it acts on the call and answers too
 * late. The call is in doubt, so the retry asks the webhook first and does not post twice.
 */
class SlowSinkTest {

  private static final Effect EFFECT = Effect.of("webhook", EventId.of("s-9#0"), "POST");
  private final SinkResilience retries = SinkResilience.builder().maxAttempts(4).minimumCalls(4)
      .initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(50)).openDuration(Duration.ofSeconds(60)).build();

  @Test
  void shouldLookUpACallThatTimedOutInsteadOfPostingItAgain() throws Exception {
    try (var webhook = new CountingWebhookServer()) {
      webhook.answerAfter(Duration.ofMillis(1_500));
      var sink = new GuardedSink(new HttpWebhookSink("webhook", webhook.url(), webhook.lookupUrl(),
          Duration.ofMillis(300)), retries, (name, state) -> { });

      sink.perform(EFFECT);

      assertThat(webhook.accepted()).containsExactly(Map.entry(EFFECT.idempotencyKey(), 1));
      assertThat(webhook.lookups()).as("the retry asked first").isEqualTo(1);
    }
  }

  @Test
  void shouldRepeatACallInDoubtWithItsIdempotencyKeyOnlyWhenTheSinkCannotTell() throws Exception {
    try (var webhook = new CountingWebhookServer()) {
      webhook.answerAfter(Duration.ofMillis(600));
      var sink = new GuardedSink(new HttpWebhookSink("webhook", webhook.url(), null, Duration.ofMillis(200)), retries,
          (name, state) -> { });

      // Four attempts without an answer open the breaker: the sink is unavailable, the effect in doubt.
      assertThatThrownBy(() -> sink.perform(EFFECT)).isInstanceOf(SinkUnavailableException.class)
          .hasCauseInstanceOf(EffectInDoubtException.class).hasMessageContaining("gave no answer within 200 ms");

      // No lookup: each attempt is posted again, and only the key protects the receiver.
      assertThat(webhook.accepted()).containsEntry(EFFECT.idempotencyKey(), 4);
      assertThat(webhook.lookups()).isZero();
    }
  }
}
