package dev.reprise.workflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprise.workflow.api.Effect;
import dev.reprise.workflow.api.EffectInDoubtException;
import dev.reprise.workflow.api.EffectLookup;
import dev.reprise.workflow.api.EffectSink;
import dev.reprise.workflow.api.SinkBackoffException;
import dev.reprise.workflow.api.SinkRejectedException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Posts each effect's payload to a URL with its idempotency key in the {@code Idempotency-Key}
 * header. 2xx is success; 429 and 503 ask for backoff (honouring {@code Retry-After} seconds);
 * other 5xx and I/O errors are retried; other 4xx refuse the effect for good.
 *
 * <p>A call without an answer within the timeout (10 s unless given) is in doubt, like one cut off
 * by a crash. With a lookup URL, an effect in doubt is looked up first: {@code GET
 * <lookup>/<url-encoded key>} answering 2xx means performed, 404 not performed (see {@link
 * EffectSink#lookup}); anything else is retried like a failed call. A 2xx with a {@code
 * Reprise-Calls: N} header (or a JSON body {@code {"calls": N}}) also tells the verifier how often
 * ({@link EffectSink#timesPerformed}).
 *
 * <pre>{@code
 * new HttpWebhookSink("webhook", URI.create("http://127.0.0.1:8088/hook"));
 * new HttpWebhookSink("webhook", URI.create("http://127.0.0.1:8088/hook"), URI.create("http://127.0.0.1:8088/hook/keys"));
 * }</pre>
 */
public final class HttpWebhookSink implements EffectSink {

  /** The lookup answer's header with how many calls the sink accepted for the key. */
  public static final String CALLS_HEADER = "Reprise-Calls";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final URI target;
  private final URI lookup;
  private final Duration timeout;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A webhook that cannot tell which keys it saw: effects in doubt are posted again. */
  public HttpWebhookSink(String name, URI target) {
    this(name, target, null);
  }

  /** A webhook whose {@code lookup} URL tells which idempotency keys it saw. */
  public HttpWebhookSink(String name, URI target, URI lookup) {
    this(name, target, lookup, Duration.ofSeconds(10));
  }

  /**
   * A webhook that answers within {@code timeout}. A call without an answer in time is in doubt
   * ({@link EffectInDoubtException}): it is looked up before it is posted again.
   */
  public HttpWebhookSink(String name, URI target, URI lookup, Duration timeout) {
    this.name = name;
    this.target = target;
    this.lookup = lookup;
    this.timeout = timeout;
  }

  /**
   * A sink that only asks {@code lookup} (for the verifier: {@link #timesPerformed}); it never
   * posts, and {@link #perform} refuses.
   */
  public static HttpWebhookSink lookupOnly(String name, URI lookup) {
    return new HttpWebhookSink(name, null, Objects.requireNonNull(lookup, "lookup"));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void perform(Effect effect) throws Exception {
    if (target == null) {
      throw new SinkRejectedException("sink '" + name + "' only looks effects up; it performs none");
    }
    HttpRequest request = HttpRequest.newBuilder(target)
        .header("Idempotency-Key", effect.idempotencyKey())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(effect.payload() == null ? "{}" : effect.payload()))
        .timeout(timeout)
        .build();
    HttpResponse<Void> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.discarding());
    } catch (java.net.http.HttpConnectTimeoutException e) {
      throw e;   // never sent: a plain failure, retried
    } catch (java.net.http.HttpTimeoutException e) {
      // Sent, and no answer in time: the webhook may have acted on it.
      throw new EffectInDoubtException("webhook " + redact(target) + " gave no answer within " + timeout.toMillis()
          + " ms to " + effect.idempotencyKey(), e);
    }
    int status = response.statusCode();
    if (status / 100 == 2) {
      return;
    }
    String what = "webhook " + redact(target) + " answered " + status + " to " + effect.idempotencyKey();
    if (status == 429 || status == 503) {
      throw new SinkBackoffException(what, retryAfter(response).orElse(null));
    }
    if (status >= 500) {
      throw new java.io.IOException(what);
    }
    throw new SinkRejectedException(what);
  }

  @Override
  public EffectLookup lookup(Effect effect) throws Exception {
    if (lookup == null) {
      return EffectLookup.UNKNOWN;
    }
    return ask(effect).statusCode() == 404 ? EffectLookup.NOT_PERFORMED : EffectLookup.PERFORMED;
  }

  /**
   * From the lookup URL: 404 is 0; a 2xx with a {@value #CALLS_HEADER} header, or a JSON body with
   * a number {@code "calls"}, is that many (the counting webhook sends the header); a 2xx without
   * either says "seen", not how often: empty.
   */
  @Override
  public OptionalLong timesPerformed(Effect effect) throws Exception {
    if (lookup == null) {
      return OptionalLong.empty();
    }
    HttpResponse<String> response = ask(effect);
    if (response.statusCode() == 404) {
      return OptionalLong.of(0);
    }
    Optional<String> header = response.headers().firstValue(CALLS_HEADER);
    if (header.isPresent()) {
      try {
        return OptionalLong.of(Long.parseLong(header.get().trim()));
      } catch (NumberFormatException e) {
        return OptionalLong.empty();
      }
    }
    if (response.body() == null || response.body().isBlank()) {
      return OptionalLong.empty();
    }
    try {
      JsonNode calls = JSON.readTree(response.body()).path("calls");
      return calls.canConvertToLong() ? OptionalLong.of(calls.asLong()) : OptionalLong.empty();
    } catch (JsonProcessingException e) {
      return OptionalLong.empty();
    }
  }

  /** {@code GET <lookup>/<key>}: a 2xx or 404 answer, else the failure a caller retries. */
  private HttpResponse<String> ask(Effect effect) throws Exception {
    URI uri = URI.create(lookup + "/" + URLEncoder.encode(effect.idempotencyKey(), StandardCharsets.UTF_8));
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).GET().timeout(Duration.ofSeconds(10))
        .build(), HttpResponse.BodyHandlers.ofString());
    int status = response.statusCode();
    if (status / 100 == 2 || status == 404) {
      return response;
    }
    String what = "webhook lookup " + redact(lookup) + " answered " + status;
    if (status == 429 || status == 503) {
      throw new SinkBackoffException(what, retryAfter(response).orElse(null));
    }
    throw new java.io.IOException(what);
  }

  /**
   * {@code uri} fit for logs and dead-letter headers: credentials and the query (where tokens
   * travel, {@code ?token=...}) replaced by {@code ***}.
   */
  static String redact(URI uri) {
    StringBuilder safe = new StringBuilder();
    if (uri.getScheme() != null) {
      safe.append(uri.getScheme()).append("://");
    }
    if (uri.getRawUserInfo() != null) {
      safe.append("***@");
    }
    safe.append(uri.getHost() == null ? "" : uri.getHost());
    if (uri.getPort() >= 0) {
      safe.append(':').append(uri.getPort());
    }
    safe.append(uri.getRawPath() == null ? "" : uri.getRawPath());
    if (uri.getRawQuery() != null) {
      safe.append("?***");
    }
    return safe.toString();
  }

  private static Optional<Duration> retryAfter(HttpResponse<?> response) {
    return response.headers().firstValue("Retry-After").flatMap(value -> {
      try {
        return Optional.of(Duration.ofSeconds(Long.parseLong(value.trim())));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    });
  }
}
