package dev.reprise.workflow;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP endpoint on 127.0.0.1 for {@link NotifyWorkflow} in the demo and the tests: it counts
 * the calls it accepts per {@code Idempotency-Key} (so duplicates show), tells which keys it
 * accepted ({@code GET /keys/<key>}: 200 with header {@code Reprise-Calls: N}, or 404; for effects in
 * doubt and for the verifier), and can play a sink in
 * trouble (503 for everything, or 422 for some keys).
 *
 * <pre>{@code
 * try (var sink = new CountingWebhookServer()) {
 *   new HttpWebhookSink(NotifyWorkflow.SINK, sink.url(), sink.lookupUrl());
 *   sink.accepted();   // key -> calls
 * }
 * }</pre>
 */
public final class CountingWebhookServer implements AutoCloseable {

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  private final HttpServer server;
  private final ExecutorService handlers;
  private final Map<String, AtomicInteger> accepted = new ConcurrentHashMap<>();
  private final AtomicInteger refused = new AtomicInteger();
  private final AtomicInteger lookups = new AtomicInteger();
  private final AtomicBoolean down = new AtomicBoolean();
  private final Set<String> rejected = ConcurrentHashMap.newKeySet();
  private volatile long answerDelayMillis;
  private volatile int slowEvery = 1;
  private final AtomicInteger acceptedCalls = new AtomicInteger();
  /** Sends the late answers of a slow webhook, so that a delay holds no request thread. */
  private final ScheduledExecutorService answers = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "counting-webhook-answers");
    thread.setDaemon(true);
    return thread;
  });

  /** On 127.0.0.1, on a free port. */
  public CountingWebhookServer() throws IOException {
    this("127.0.0.1", 0);
  }

  /** On {@code host}:{@code port} (0 picks a free one): {@code reprise webhook} in a container listens on 0.0.0.0. */
  public CountingWebhookServer(String host, int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress(host, port), 0);
    server.createContext("/keys/", exchange -> {
      String key = java.net.URLDecoder.decode(exchange.getRequestURI().getPath().substring("/keys/".length()),
          java.nio.charset.StandardCharsets.UTF_8);
      lookups.incrementAndGet();
      AtomicInteger calls = accepted.get(key);
      if (down.get() || calls == null) {
        exchange.sendResponseHeaders(down.get() ? 503 : 404, -1);
        exchange.close();
        return;
      }
      // The count in a header and no body: one write. (Headers and a body go out as two small TCP
      // segments, and Nagle plus the caller's delayed ACK hold the second for 40 ms: 23 lookups/s.)
      exchange.getResponseHeaders().set(HttpWebhookSink.CALLS_HEADER, Integer.toString(calls.get()));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.createContext("/hook", exchange -> {
      exchange.getRequestBody().readAllBytes();
      String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
      if (down.get()) {
        refused.incrementAndGet();
        exchange.sendResponseHeaders(503, -1);
      } else if (rejected.contains(key)) {
        exchange.sendResponseHeaders(422, -1);
      } else {
        accepted.computeIfAbsent(String.valueOf(key), k -> new AtomicInteger()).incrementAndGet();
        long delay = answerDelayMillis;
        if (delay > 0 && acceptedCalls.incrementAndGet() % slowEvery == 0) {
          // A slow webhook: it has acted on the call; the caller hears so later (or gives up).
          answers.schedule(() -> answer(exchange, 204), delay, TimeUnit.MILLISECONDS);
          return;
        }
        exchange.sendResponseHeaders(204, -1);
      }
      exchange.close();
    });
    server.createContext("/stats", exchange -> {
      byte[] body = statsJson().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (var out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    // Concurrent callers (an effect executor per instance, a verifier asking about every key) are
    // answered side by side, not one after another on the dispatcher thread.
    handlers = Executors.newFixedThreadPool(4, runnable -> {
      Thread thread = new Thread(runnable, "counting-webhook");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(handlers);
    server.start();
  }

  /**
   * {@code GET /stats}: {@code {"calls":N,"distinctKeys":K,"duplicates":{"key":count,...}}}, while it
   * runs: which key was called more than once, not only how many calls there were.
   */
  public String statsJson() {
    Map<String, Integer> all = accepted();
    Map<String, Object> stats = new java.util.LinkedHashMap<>();
    stats.put("calls", all.values().stream().mapToInt(Integer::intValue).sum());
    stats.put("distinctKeys", all.size());
    stats.put("duplicates", all.entrySet().stream().filter(e -> e.getValue() > 1)
        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (x, y) -> x, TreeMap::new)));
    try {
      return JSON.writeValueAsString(stats);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
  }

  /** Where to ask whether a key was accepted: {@code GET <lookupUrl>/<key>} answers 200 or 404. */
  public URI lookupUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/keys");
  }

  /** Lookups received. */
  public int lookups() {
    return lookups.get();
  }

  /** Answers 422 (a refusal for good) to these idempotency keys, until changed. */
  public void reject(Set<String> keys) {
    rejected.clear();
    rejected.addAll(keys);
  }

  private static void answer(HttpExchange exchange, int status) {
    try (exchange) {
      exchange.sendResponseHeaders(status, -1);
    } catch (IOException e) {
      // The caller stopped waiting: the late answer has nobody to reach.
    }
  }

  /** Answers each accepted call only after {@code delay} (the call counts at once): a slow webhook. */
  public void answerAfter(java.time.Duration delay) {
    answerAfter(delay, 1);
  }

  /**
   * Answers every {@code nth} accepted call only after {@code delay}, the others at once: a webhook
   * that is slow now and then, not slow enough to open the caller's circuit breaker.
   */
  public void answerAfter(java.time.Duration delay, int nth) {
    if (nth < 1) {
      throw new IllegalArgumentException("nth must be at least 1, was " + nth);
    }
    slowEvery = nth;
    answerDelayMillis = delay.toMillis();
  }

  public void down(boolean isDown) {
    down.set(isDown);
  }

  /** Calls answered 2xx, per idempotency key. */
  public Map<String, Integer> accepted() {
    Map<String, Integer> copy = new TreeMap<>();
    accepted.forEach((key, count) -> copy.put(key, count.get()));
    return copy;
  }

  /** Calls answered 503. */
  public int refused() {
    return refused.get();
  }

  @Override
  public void close() {
    server.stop(0);
    answers.shutdownNow();
    handlers.shutdownNow();
  }
}
