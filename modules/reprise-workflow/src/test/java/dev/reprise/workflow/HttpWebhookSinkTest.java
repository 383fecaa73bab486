package dev.reprise.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class HttpWebhookSinkTest {

  @Test
  void shouldKeepCredentialsAndQueryTokensOutOfWhatItReports() {
    assertThat(HttpWebhookSink.redact(URI.create("https://bot:s3cret@hooks.example.com:8443/notify?token=abc&x=1")))
        .isEqualTo("https://***@hooks.example.com:8443/notify?***").doesNotContain("s3cret").doesNotContain("abc");
    assertThat(HttpWebhookSink.redact(URI.create("http://127.0.0.1:9555/hook"))).isEqualTo("http://127.0.0.1:9555/hook");
  }
}
