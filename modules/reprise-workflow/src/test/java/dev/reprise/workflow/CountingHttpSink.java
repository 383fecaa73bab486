package dev.reprise.workflow;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP endpoint on 127.0.0.1 that counts the calls it receives per idempotency key, and the
 * effect sink that posts to it.
 */
final class CountingHttpSink implements EffectSink, AutoCloseable {

  private final HttpServer server;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final String name;

  CountingHttpSink(String name) throws IOException {
    this.name = name;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/hook", exchange -> {
      String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
      calls.computeIfAbsent(String.valueOf(key), k -> new AtomicInteger()).incrementAndGet();
      exchange.getRequestBody().readAllBytes();
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    server.start();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void perform(Effect effect) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook"))
        .header("Idempotency-Key", effect.idempotencyKey())
        .POST(HttpRequest.BodyPublishers.ofString(effect.payload() == null ? effect.description() : effect.payload()))
        .timeout(Duration.ofSeconds(10))
        .build();
    int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    if (status / 100 != 2) {
      throw new IOException("webhook answered " + status);
    }
  }

  /** Calls received, per idempotency key. */
  Map<String, Integer> calls() {
    Map<String, Integer> copy = new java.util.TreeMap<>();
    calls.forEach((key, count) -> copy.put(key, count.get()));
    return copy;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
