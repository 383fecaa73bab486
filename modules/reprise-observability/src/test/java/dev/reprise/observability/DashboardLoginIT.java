package dev.reprise.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprise.embedded.BrokerSecurity;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard with a login, over TLS: nothing but {@code /healthz} answers without a user of the
 * users file, an action needs the session's CSRF token, and beyond loopback it will not start
 * without both (unless told only the host's loopback reaches the port).
 */
@RepriseIntegrationTest
class DashboardLoginIT {

  @Test
  void shouldServeOnlyLoggedInUsersOverTlsAndRefuseToListenBeyondLoopbackWithoutALogin(RepriseTestEnvironment env,
      @TempDir Path dir) throws Exception {
    BrokerSecurity certificate = BrokerSecurity.selfSigned(dir.resolve("tls"));
    Path users = dir.resolve("users.txt");
    Files.writeString(users, DashboardLogin.entry("alice", "correct horse".toCharArray()) + "\n");
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (var registry = ConfluentSchemaRegistryClient.create(env.schemaRegistryUrl());
        var observer = BackfillObserver.create(Map.of("bootstrap.servers", env.bootstrapServers()), registry, Set.of(),
            Clock.systemUTC())) {
      assertThatThrownBy(() -> ObservabilityServer.builder().host("0.0.0.0").meterRegistry(meters).dashboard(observer)
          .build()).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("host 0.0.0.0 is beyond loopback").hasMessageContaining("--http-users")
          .hasMessageContaining("--http-tls-keystore");
      assertThatThrownBy(() -> ObservabilityServer.builder().host("0.0.0.0").meterRegistry(meters).dashboard(observer)
          .login(DashboardLogin.load(users)).build()).as("a login without TLS sends passwords in clear")
          .hasMessageContaining("beyond loopback");

      SSLContext serverTls = certificate.serverContext(false);
      try (var server = ObservabilityServer.builder().host("127.0.0.1").meterRegistry(meters).dashboard(observer)
          .login(DashboardLogin.load(users)).tls(serverTls).build().start()) {
        HttpClient http = HttpClient.newBuilder().sslContext(certificate.clientContext(false)).build();
        URI root = server.url();
        assertThat(root.getScheme()).isEqualTo("https");
        String alice = "Basic " + Base64.getEncoder().encodeToString("alice:correct horse".getBytes(StandardCharsets.UTF_8));
        String wrong = "Basic " + Base64.getEncoder().encodeToString("alice:wrong".getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> anonymous = send(http, root, "GET", null, Map.of());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
        assertThat(send(http, root.resolve("/metrics"), "GET", wrong, Map.of()).statusCode()).isEqualTo(401);
        assertThat(send(http, root.resolve("/healthz"), "GET", null, Map.of()).statusCode()).as("health checks")
            .isEqualTo(200);
        assertThat(send(http, root, "GET", alice, Map.of()).statusCode()).isEqualTo(200);

        String csrf = new ObjectMapper().readTree(send(http, root.resolve("/api/session"), "GET", alice, Map.of()).body())
            .get("csrf").asText();
        URI pause = root.resolve("/api/backfills/no-such-backfill/pause");
        assertThat(send(http, pause, "POST", alice, Map.of(ObservabilityServer.ACTION_HEADER, "pause")).statusCode())
            .as("no CSRF token").isEqualTo(403);
        assertThat(send(http, pause, "POST", alice, Map.of(ObservabilityServer.ACTION_HEADER, "pause",
            ObservabilityServer.CSRF_HEADER, "forged")).statusCode()).isEqualTo(403);
        HttpResponse<String> passed = send(http, pause, "POST", alice, Map.of(ObservabilityServer.ACTION_HEADER, "pause",
            ObservabilityServer.CSRF_HEADER, csrf));
        assertThat(passed.statusCode()).as("past login and token: the backfill is unknown").isEqualTo(404);
        assertThat(passed.body()).contains("no-such-backfill");
      }
    }
  }

  private static HttpResponse<String> send(HttpClient http, URI uri, String method, String authorization,
      Map<String, String> headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    headers.forEach(request::header);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
