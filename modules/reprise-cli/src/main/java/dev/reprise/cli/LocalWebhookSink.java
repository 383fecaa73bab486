package dev.reprise.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The demo's webhook: a real HTTP server on 127.0.0.1 that accepts posts and counts them per
 * {@code Idempotency-Key}, and answers {@code GET /keys/<key>} (200 seen, 404 not) so that effects
 * in doubt after a crash are looked up rather than repeated.
 */
final class LocalWebhookSink implements AutoCloseable {

  private final HttpServer server;
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

  LocalWebhookSink() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/hook", exchange -> {
      exchange.getRequestBody().readAllBytes();
      String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
      calls.computeIfAbsent(String.valueOf(key), k -> new AtomicInteger()).incrementAndGet();
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    server.createContext("/keys/", exchange -> {
      String key = URLDecoder.decode(exchange.getRequestURI().getPath().substring("/keys/".length()), StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(calls.containsKey(key) ? 200 : 404, -1);
      exchange.close();
    });
    server.start();
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
  }

  URI lookupUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/keys");
  }

  /** Calls received, per idempotency key. */
  Map<String, Integer> calls() {
    Map<String, Integer> copy = new java.util.HashMap<>();
    calls.forEach((key, count) -> copy.put(key, count.get()));
    return copy;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
