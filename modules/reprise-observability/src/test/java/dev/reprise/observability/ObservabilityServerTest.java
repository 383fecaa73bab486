package dev.reprise.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ObservabilityServerTest {

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldServePrometheusTextOnLoopbackAndNoDashboardWithoutAnObserver() throws Exception {
    var registry = RepriseMetrics.registry("test");
    Counter.builder("reprise.test.things").tag("kind", "a").register(registry).increment(3);
    try (var server = ObservabilityServer.builder().meterRegistry(registry).build().start()) {
      assertThat(server.url().getHost()).isEqualTo("127.0.0.1");

      HttpResponse<String> metrics = get(server.url().resolve("/metrics"));
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
      assertThat(metrics.body()).contains("reprise_test_things_total{component=\"test\",kind=\"a\"} 3.0")
          .contains("jvm_memory_used_bytes");
      assertThat(get(server.url()).body()).contains("/metrics");
      assertThat(get(server.url().resolve("/api/overview")).statusCode()).isEqualTo(404);
      assertThat(get(server.url().resolve("/healthz")).body()).isEqualTo("ok\n");
    }
  }

  @Test
  void shouldRefuseAPageRequestForAHostNameThatIsNotItsOwn() throws Exception {
    try (var server = ObservabilityServer.builder().meterRegistry(RepriseMetrics.registry("test")).build().start()) {
      assertThat(rawGet(server.port(), "/", "attacker.example")).startsWith("HTTP/1.1 403");
      assertThat(rawGet(server.port(), "/", "127.0.0.1:" + server.port())).startsWith("HTTP/1.1 200");
      assertThat(rawGet(server.port(), "/metrics", "coordinator:8081")).as("scraped by service name")
          .startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void shouldAnswer500WithTheErrorWhenAHandlerFails() throws Exception {
    var failing = new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
        io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT) {
      @Override
      public String scrape() {
        throw new IllegalStateException("duplicate labels");
      }
    };
    try (var server = ObservabilityServer.builder().meterRegistry(failing).build().start()) {
      HttpResponse<String> metrics = get(server.url().resolve("/metrics"));
      assertThat(metrics.statusCode()).isEqualTo(500);
      assertThat(metrics.body()).contains("duplicate labels");
    }
  }

  @Test
  void shouldStillAnswerHealthzWhileConnectionsTrickleTheirHeaders() throws Exception {
    List<java.net.Socket> slow = new java.util.ArrayList<>();
    try (var server = ObservabilityServer.builder().meterRegistry(RepriseMetrics.registry("test")).build().start()) {
      for (int i = 0; i < 12; i++) {
        var socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), server.port());
        socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(
            java.nio.charset.StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        slow.add(socket);
      }
      // More stalled connections than threads: answered only once the server drops the stalled ones.
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> assertThat(http.send(HttpRequest.newBuilder(
          server.url().resolve("/healthz")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString())
          .body()).isEqualTo("ok\n"));
    } finally {
      for (var socket : slow) {
        socket.close();
      }
    }
  }

  /** A request with a Host of our choosing (Java's HttpClient sets its own). */
  private static String rawGet(int port, String path, String host) throws Exception {
    try (var socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Test
  void shouldNameEveryWrongSettingAndABusyPort() throws Exception {
    assertThatThrownBy(() -> ObservabilityServer.builder().host(" ").port(70_000).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("host must not be blank").hasMessageContaining("port must be 0..65535, was 70000")
        .hasMessageContaining("meterRegistry is required");
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> ObservabilityServer.builder().meterRegistry(RepriseMetrics.registry("test"))
          .port(taken.getLocalPort()).build())
          .hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getLocalPort()).hasMessageContaining("--http-port");
    }
  }

  private HttpResponse<String> get(URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }
}
