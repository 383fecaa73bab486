package dev.reprise.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import org.apache.avro.Schema;

/**
 * {@link SchemaRegistryClient} over the Confluent Schema Registry REST API, using only the JDK's
 * HTTP client.
 *
 * <p>Works against Confluent Schema Registry, Karapace, Redpanda and Apicurio Registry's
 * Confluent-compatible endpoint ({@code http://host:port/apis/ccompat/v7}). Several base URLs may be
 * given, comma-separated, as Confluent's client takes them: each call tries them in turn while they
 * are unreachable.
 *
 * <pre>{@code
 * try (var registry = ConfluentSchemaRegistryClient.create("http://127.0.0.1:8081")) {
 *   int id = registry.register("submissions-value", schema);
 * }
 * }</pre>
 *
 * <p>Thread-safe. Lookups are cached for the life of the client; schema ids are immutable in every
 * compatible registry, so the cache never goes stale.
 */
public final class ConfluentSchemaRegistryClient implements SchemaRegistryClient {

  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<URI> baseUrls;
  private final RegistrySecurity security;
  private final HttpClient http;
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
  private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();

  private record SubjectSchema(String subject, Schema schema) {}

  private ConfluentSchemaRegistryClient(List<URI> baseUrls, RegistrySecurity security) {
    this.baseUrls = baseUrls;
    this.security = security;
    HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    security.sslContext().ifPresent(http::sslContext);
    this.http = http.build();
  }

  /** A client for the comma-separated base URLs in {@code urls}, without authentication. */
  public static ConfluentSchemaRegistryClient create(String urls) {
    return create(urls, Optional.empty());
  }

  /**
   * A client for the comma-separated base URLs in {@code urls}, with HTTP basic authentication
   * given as {@code user:password} (Confluent's {@code basic.auth.user.info}).
   */
  public static ConfluentSchemaRegistryClient create(String urls, Optional<String> basicAuthUserInfo) {
    return create(urls, basicAuthUserInfo.map(info -> RegistrySecurity.from(Map.of("basic.auth.user.info", info)))
        .orElse(RegistrySecurity.NONE));
  }

  /**
   * A client for the comma-separated base URLs in {@code urls}, authenticating and trusting TLS as
   * {@code security} says (from Confluent's property names, see {@link RegistrySecurity}).
   */
  public static ConfluentSchemaRegistryClient create(String urls, RegistrySecurity security) {
    Objects.requireNonNull(urls, "urls");
    List<URI> parsed =
        java.util.Arrays.stream(urls.split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .map(s -> URI.create(s.endsWith("/") ? s : s + "/"))
            .toList();
    if (parsed.isEmpty()) {
      throw new IllegalArgumentException("schema registry url is empty: '" + urls + "'");
    }
    for (URI uri : parsed) {
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
        throw new IllegalArgumentException(
            "schema registry url '" + uri + "' must start with http:// or https://");
      }
    }
    return new ConfluentSchemaRegistryClient(parsed, security);
  }

  @Override
  public int register(String subject, Schema schema) {
    return idFor(subject, schema, "subjects/" + encode(subject) + "/versions");
  }

  @Override
  public int idOf(String subject, Schema schema) {
    return idFor(subject, schema, "subjects/" + encode(subject));
  }

  /** Registration and lookup differ only in the path; both answer with the global id. */
  private int idFor(String subject, Schema schema, String path) {
    return idsBySubjectSchema.computeIfAbsent(
        new SubjectSchema(subject, schema),
        key -> {
          JsonNode answer = send("POST", path, schemaBody(schema), subject);
          int id = answer.path("id").asInt(-1);
          if (id < 0) {
            throw new SchemaRegistryException(
                "registry answered POST " + path + " for subject '" + subject + "' without an id: " + answer,
                200,
                -1);
          }
          schemasById.putIfAbsent(id, schema);
          return id;
        });
  }

  @Override
  public Schema schemaById(int id) {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    JsonNode answer;
    try {
      answer = send("GET", "schemas/ids/" + id, null, "schema id " + id);
    } catch (SchemaRegistryException e) {
      if (e.httpStatus() == 404) {
        throw new UnknownSchemaIdException(id, baseUrls.get(0).toString());
      }
      throw e;
    }
    String text = answer.path("schema").asText(null);
    if (text == null) {
      throw new SchemaRegistryException(
          "registry answered schema id " + id + " without a schema: " + answer, 200, -1);
    }
    Schema schema = new Schema.Parser().parse(text);
    Schema raced = schemasById.putIfAbsent(id, schema);
    return raced != null ? raced : schema;
  }

  @Override
  public void setCompatibility(String subject, String level) {
    ObjectNode body = JSON.createObjectNode().put("compatibility", level);
    send("PUT", "config/" + encode(subject), body.toString(), subject);
  }

  private static String schemaBody(Schema schema) {
    return JSON.createObjectNode()
        .put("schemaType", "AVRO")
        .put("schema", schema.toString())
        .toString();
  }

  private static String encode(String subject) {
    return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Sends one request, trying each base URL while they are unreachable. */
  private JsonNode send(String method, String path, String body, String about) {
    SchemaRegistryUnavailableException lastOutage = null;
    for (URI base : baseUrls) {
      URI uri = base.resolve(path);
      HttpRequest.Builder request =
          HttpRequest.newBuilder(uri)
              .timeout(REQUEST_TIMEOUT)
              .header("Accept", CONTENT_TYPE + ", application/json")
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofString(body));
      if (body != null) {
        request.header("Content-Type", CONTENT_TYPE);
      }
      security.authorization(base).ifPresent(value -> request.header("Authorization", value));
      HttpResponse<String> response;
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      } catch (SSLException e) {
        // Asking again gives the same answer: the certificate is not trusted, or ours is refused.
        throw new SchemaRegistryException("schema registry at " + base + ": TLS failed (" + e.getMessage()
            + "); trust its certificate with schema.registry.ssl.truststore.location, or for mTLS give"
            + " schema.registry.ssl.keystore.location", -1, -1);
      } catch (IOException e) {
        lastOutage =
            new SchemaRegistryUnavailableException(
                "schema registry at " + base + " is unreachable (" + method + " " + path + "): " + e,
                e);
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SchemaRegistryUnavailableException(
            "interrupted while calling the schema registry at " + base, e);
      }
      int status = response.statusCode();
      if (status >= 200 && status < 300) {
        return parse(response.body());
      }
      if (status >= 500 || status == 429 || status == 408) {
        lastOutage =
            new SchemaRegistryUnavailableException(
                "schema registry at " + base + " answered " + status + " to " + method + " " + path
                    + ": " + response.body(),
                null);
        continue;
      }
      if (status == 401 || status == 403) {
        throw new SchemaRegistryException("schema registry at " + base + " answered " + status + " to " + method + " "
            + path + (status == 401 ? ": not authenticated (set basic.auth.user.info or bearer.auth.token in"
            + " --command-config)" : ": not allowed for these credentials"), status, -1);
      }
      JsonNode error = parse(response.body());
      throw new SchemaRegistryException(
          "schema registry at " + base + " refused " + method + " " + path + " for " + about + " ("
              + status + "): " + error.path("message").asText(response.body()),
          status,
          error.path("error_code").asInt(-1));
    }
    throw lastOutage;
  }

  private static JsonNode parse(String body) {
    try {
      return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
    } catch (IOException e) {
      return JSON.createObjectNode().put("message", body);
    }
  }

  @Override
  public String toString() {
    return "ConfluentSchemaRegistryClient" + baseUrls;
  }
}
