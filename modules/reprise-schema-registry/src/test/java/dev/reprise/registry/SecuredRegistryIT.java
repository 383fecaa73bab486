package dev.reprise.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.reprise.embedded.BrokerSecurity;
import dev.reprise.testing.RepriseIntegrationTest;
import dev.reprise.testing.RepriseTestEnvironment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry client against a secured registry: the real Apicurio registry behind a TLS front
 * that, like the reverse proxy of a production deployment, demands a client certificate (mTLS)
 * and HTTP basic authentication. Settings come with Confluent's property names, as a {@code
 * --command-config} file has them.
 */
@RepriseIntegrationTest
class SecuredRegistryIT {

  private static final String CREDENTIALS = "reprise:" + "s3cret-" + Long.toHexString(System.nanoTime());
  private static final Schema SCHEMA = SchemaBuilder.record("Thing").namespace("dev.reprise.it").fields()
      .requiredString("id").endRecord();

  @Test
  void shouldRegisterAndReadThroughMutualTlsAndBasicAuthAndNameWhatIsMissingOtherwise(RepriseTestEnvironment env,
      @TempDir Path dir) throws Exception {
    BrokerSecurity tls = BrokerSecurity.selfSigned(dir);
    HttpsServer front = secureFront(tls, URI.create(env.schemaRegistryUrl() + "/"));
    String url = "https://127.0.0.1:" + front.getAddress().getPort() + "/";
    try {
      Map<String, Object> settings = new HashMap<>(Map.of(
          "basic.auth.user.info", CREDENTIALS,
          "schema.registry.ssl.truststore.location", tls.truststore().toString(),
          "schema.registry.ssl.truststore.password", tls.storePassword(),
          "schema.registry.ssl.keystore.location", tls.keystore().toString(),
          "schema.registry.ssl.keystore.password", tls.storePassword(),
          "schema.registry.ssl.key.password", tls.storePassword()));
      String subject = env.uniqueName("secured") + "-value";
      try (var client = ConfluentSchemaRegistryClient.create(url, RegistrySecurity.from(settings))) {
        int id = client.register(subject, SCHEMA);
        assertThat(client.schemaById(id)).isEqualTo(SCHEMA);
      }

      Map<String, Object> withoutPassword = new HashMap<>(settings);
      withoutPassword.remove("basic.auth.user.info");
      try (var client = ConfluentSchemaRegistryClient.create(url, RegistrySecurity.from(withoutPassword))) {
        assertThatThrownBy(() -> client.register(subject, SCHEMA))
            .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
              assertThat(e.httpStatus()).isEqualTo(401);
              assertThat(e.isRetriable()).isFalse();
            })
            .hasMessageContaining("not authenticated").hasMessageContaining("basic.auth.user.info");
      }

      Map<String, Object> withoutTrust = new HashMap<>(Map.of("basic.auth.user.info", CREDENTIALS));
      try (var client = ConfluentSchemaRegistryClient.create(url, RegistrySecurity.from(withoutTrust))) {
        assertThatThrownBy(() -> client.register(subject, SCHEMA))
            .as("an untrusted certificate is not an outage to wait out")
            .isInstanceOf(SchemaRegistryException.class)
            .hasMessageContaining("TLS failed").hasMessageContaining("schema.registry.ssl.truststore.location");
      }
    } finally {
      front.stop(0);
    }
  }

  /** TLS with a required client certificate and basic auth, forwarding every request to {@code registry}. */
  private static HttpsServer secureFront(BrokerSecurity tls, URI registry) throws Exception {
    SSLContext context = tls.serverContext(true);
    HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(context) {
      @Override
      public void configure(HttpsParameters params) {
        var parameters = context.getDefaultSSLParameters();
        parameters.setNeedClientAuth(true);
        params.setSSLParameters(parameters);
      }
    });
    HttpClient upstream = HttpClient.newHttpClient();
    String expected = "Basic " + Base64.getEncoder().encodeToString(CREDENTIALS.getBytes(StandardCharsets.UTF_8));
    server.createContext("/", exchange -> {
      try (exchange) {
        if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
          byte[] body = "{\"error_code\":401,\"message\":\"Unauthorized\"}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(401, body.length);
          exchange.getResponseBody().write(body);
          return;
        }
        byte[] requestBody = exchange.getRequestBody().readAllBytes();
        URI asked = exchange.getRequestURI();
        HttpRequest.Builder forward = HttpRequest.newBuilder(registry.resolve(asked.getRawPath().substring(1)
                + (asked.getRawQuery() == null ? "" : "?" + asked.getRawQuery())))
            .method(exchange.getRequestMethod(), requestBody.length == 0 ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(requestBody));
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (contentType != null) {
          forward.header("Content-Type", contentType);
        }
        HttpResponse<byte[]> answer = upstream.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(answer.statusCode(), answer.body().length == 0 ? -1 : answer.body().length);
        exchange.getResponseBody().write(answer.body());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    server.start();
    return server;
  }
}
