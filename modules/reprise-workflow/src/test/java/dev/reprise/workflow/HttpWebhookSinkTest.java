package dev.reprise.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprise.workflow.api.Effect;
import dev.reprise.workflow.api.EventId;
import java.net.URI;
import org.junit.jupiter.api.Test;

class HttpWebhookSinkTest {

  @Test
  void shouldKeepCredentialsAndQueryTokensOutOfWhatItReports() {
    assertThat(HttpWebhookSink.redact(URI.create("https://bot:s3cret@hooks.example.com:8443/notify?token=abc&x=1")))
        .isEqualTo("https://***@hooks.example.com:8443/notify?***").doesNotContain("s3cret").doesNotContain("abc");
    assertThat(HttpWebhookSink.redact(URI.create("http://127.0.0.1:9555/hook"))).isEqualTo("http://127.0.0.1:9555/hook");
  }

  @Test
  void shouldShowWhichKeyACountingReceiverGotTwiceWhileItRuns() throws Exception {
    try (var receiver = new CountingWebhookServer()) {
      var sink = new HttpWebhookSink("webhook", receiver.url());
      sink.perform(Effect.of("webhook", EventId.of("a#0"), "POST"));
      sink.perform(Effect.of("webhook", EventId.of("b#0"), "POST"));
      sink.perform(Effect.of("webhook", EventId.of("b#0"), "POST"));

      var stats = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
          receiver.url().resolve("/stats")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());

      assertThat(stats.body()).isEqualTo("{\"calls\":3,\"distinctKeys\":2,\"duplicates\":{\"b#0\":2}}");
    }
  }
}
