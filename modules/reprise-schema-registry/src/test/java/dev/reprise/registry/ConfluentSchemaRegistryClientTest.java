package dev.reprise.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Error mapping and caching against a scripted HTTP server. The protocol itself is proven against
 * the real Apicurio registry in {@code ConfluentSchemaRegistryClientIT}.
 */
class ConfluentSchemaRegistryClientTest {

  private static final Schema SCHEMA = SchemaBuilder.record("R").fields().requiredString("a").endRecord();

  private HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();
  private volatile int status = 200;
  private volatile String body = "{}";

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      requests.incrementAndGet();
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  private static int closedLoopbackPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Test
  void shouldAskTheRegistryOncePerSchemaId() {
    body = "{\"schema\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(SCHEMA.toString()) + "}";
    var client = ConfluentSchemaRegistryClient.create(url());

    assertThat(client.schemaById(7)).isEqualTo(SCHEMA);
    assertThat(client.schemaById(7)).isEqualTo(SCHEMA);
    assertThat(requests).hasValue(1);
  }

  @Test
  void shouldAskTheRegistryOncePerSubjectAndSchemaOnRegister() {
    body = "{\"id\":12}";
    var client = ConfluentSchemaRegistryClient.create(url());

    assertThat(client.register("s-value", SCHEMA)).isEqualTo(12);
    assertThat(client.register("s-value", SCHEMA)).isEqualTo(12);
    assertThat(client.schemaById(12)).isEqualTo(SCHEMA);
    assertThat(requests).hasValue(1);
  }

  @Test
  void shouldRefuseAnAnswerWithoutIdInsteadOfCachingIt() {
    body = "{}";
    var client = ConfluentSchemaRegistryClient.create(url());

    assertThatThrownBy(() -> client.idOf("s-value", SCHEMA))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("without an id");
    assertThatThrownBy(() -> client.idOf("s-value", SCHEMA)).isInstanceOf(SchemaRegistryException.class);
    assertThat(requests).hasValue(2);
  }

  @Test
  void shouldReportAnUnknownIdAsNonRetriable() {
    status = 404;
    body = "{\"error_code\":40403,\"message\":\"Schema not found\"}";
    var client = ConfluentSchemaRegistryClient.create(url());

    assertThatThrownBy(() -> client.schemaById(99))
        .isInstanceOfSatisfying(UnknownSchemaIdException.class, e -> {
          assertThat(e.schemaId()).isEqualTo(99);
          assertThat(e.isRetriable()).isFalse();
        })
        .hasMessageContaining("schema id 99");
  }

  @Test
  void shouldReportServerErrorsAsRetriable() {
    status = 503;
    var client = ConfluentSchemaRegistryClient.create(url());

    assertThatThrownBy(() -> client.schemaById(1))
        .isInstanceOfSatisfying(SchemaRegistryUnavailableException.class, e -> assertThat(e.isRetriable()).isTrue())
        .hasMessageContaining("503");
  }

  @Test
  void shouldReportAnUnreachableRegistryAsRetriable() throws IOException {
    int closedPort = closedLoopbackPort();
    var client = ConfluentSchemaRegistryClient.create("http://127.0.0.1:" + closedPort);

    assertThatThrownBy(() -> client.schemaById(1))
        .isInstanceOf(SchemaRegistryUnavailableException.class)
        .hasMessageContaining("unreachable");
  }

  @Test
  void shouldFailOverToTheNextUrlWhenTheFirstIsUnreachable() throws IOException {
    int closedPort = closedLoopbackPort();
    body = "{\"id\":3}";
    var client = ConfluentSchemaRegistryClient.create("http://127.0.0.1:" + closedPort + "," + url());

    assertThat(client.register("s-value", SCHEMA)).isEqualTo(3);
  }

  @Test
  void shouldReportARefusalWithTheRegistrysMessage() {
    status = 409;
    body = "{\"error_code\":409,\"message\":\"Schema being registered is incompatible\"}";
    var client = ConfluentSchemaRegistryClient.create(url());

    assertThatThrownBy(() -> client.register("s-value", SCHEMA))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
          assertThat(e.httpStatus()).isEqualTo(409);
          assertThat(e.isRetriable()).isFalse();
        })
        .hasMessageContaining("incompatible");
  }

  @Test
  void shouldRejectAUrlWithoutHttpScheme() {
    assertThatThrownBy(() -> ConfluentSchemaRegistryClient.create("localhost:8081"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must start with http://");
  }
}
