package dev.reprise.workflow;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Posts each effect's payload to a URL with its idempotency key in the {@code Idempotency-Key}
 * header. 2xx is success; 429 and 503 ask for backoff (honouring {@code Retry-After} seconds);
 * other 5xx and I/O errors are retried; other 4xx refuse the effect for good.
 *
 * <pre>{@code
 * new HttpWebhookSink("webhook", URI.create("http://127.0.0.1:8088/hook"));
 * }</pre>
 */
public final class HttpWebhookSink implements EffectSink {

  private final String name;
  private final URI target;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public HttpWebhookSink(String name, URI target) {
    this.name = name;
    this.target = target;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void perform(Effect effect) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(target)
        .header("Idempotency-Key", effect.idempotencyKey())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(effect.payload() == null ? "{}" : effect.payload()))
        .timeout(Duration.ofSeconds(10))
        .build();
    HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
    int status = response.statusCode();
    if (status / 100 == 2) {
      return;
    }
    String what = "webhook " + target + " answered " + status + " to " + effect.idempotencyKey();
    if (status == 429 || status == 503) {
      Duration retryAfter = response.headers().firstValue("Retry-After").flatMap(HttpWebhookSink::seconds).orElse(null);
      throw new SinkBackoffException(what, retryAfter);
    }
    if (status >= 500) {
      throw new java.io.IOException(what);
    }
    throw new SinkRejectedException(what);
  }

  private static Optional<Duration> seconds(String value) {
    try {
      return Optional.of(Duration.ofSeconds(Long.parseLong(value.trim())));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
