package dev.reprise.workflow;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP endpoint on 127.0.0.1 for {@link NotifyWorkflow} in the demo and the tests: it counts
 * the calls it accepts per {@code Idempotency-Key} (so duplicates show), tells which keys it
 * accepted ({@code GET /keys/<key>}: 200 or 404, for effects in doubt), and can play a sink in
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
  private final Map<String, AtomicInteger> accepted = new ConcurrentHashMap<>();
  private final AtomicInteger refused = new AtomicInteger();
  private final AtomicInteger lookups = new AtomicInteger();
  private final AtomicBoolean down = new AtomicBoolean();
  private final Set<String> rejected = ConcurrentHashMap.newKeySet();
  private volatile long answerDelayMillis;
  private final java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newCachedThreadPool(
      runnable -> {
        Thread thread = new Thread(runnable, "counting-webhook");
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
    // Calls are answered concurrently: a slow answer does not hold a lookup behind it.
    server.setExecutor(executor);
    server.createContext("/keys/", exchange -> {
      String key = java.net.URLDecoder.decode(exchange.getRequestURI().getPath().substring("/keys/".length()),
          java.nio.charset.StandardCharsets.UTF_8);
      lookups.incrementAndGet();
      exchange.sendResponseHeaders(down.get() ? 503 : accepted.containsKey(key) ? 200 : 404, -1);
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
        // A slow webhook: it has acted on the call, the caller just does not hear so in time.
        long delay = answerDelayMillis;
        if (delay > 0) {
          try {
            Thread.sleep(delay);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
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

  /** Answers each accepted call only after {@code delay} (the call counts at once): a slow webhook. */
  public void answerAfter(java.time.Duration delay) {
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
    executor.shutdownNow();
  }
}
