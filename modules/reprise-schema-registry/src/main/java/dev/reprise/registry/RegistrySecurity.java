package dev.reprise.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How a {@link ConfluentSchemaRegistryClient} authenticates and which TLS it trusts, read from the
 * property names Confluent's serializers use, so one {@code --command-config} file serves Kafka's
 * clients and the registry's:
 *
 * <ul>
 *   <li>{@code basic.auth.credentials.source} {@code USER_INFO} (the default when {@code
 *       basic.auth.user.info} is set) with {@code basic.auth.user.info=user:password}, or {@code
 *       URL} (the user info of the registry URL);
 *   <li>{@code bearer.auth.credentials.source=STATIC_TOKEN} with {@code bearer.auth.token};
 *   <li>{@code schema.registry.ssl.truststore.location}, {@code .password}, {@code .type} (PKCS12
 *       or JKS) to trust the registry's certificate, and {@code schema.registry.ssl.keystore.*}
 *       with {@code schema.registry.ssl.key.password} for a client certificate (mTLS).
 * </ul>
 *
 * <pre>{@code
 * RegistrySecurity security = RegistrySecurity.from(Map.of(
 *     "basic.auth.user.info", "reprise:s3cret",
 *     "schema.registry.ssl.truststore.location", "/etc/reprise/truststore.p12",
 *     "schema.registry.ssl.truststore.password", "changeit"));
 * var registry = ConfluentSchemaRegistryClient.create("https://registry:8081", security);
 * }</pre>
 *
 * <p>A setting that cannot work (an unknown credentials source, a missing file, a wrong password)
 * is an error naming the property, when the client is made, not a retry loop later.
 */
public final class RegistrySecurity {

  /** The property names this reads; everything else in a config is left to the Kafka clients. */
  public static final Set<String> PROPERTIES = Set.of(
      "basic.auth.credentials.source", "basic.auth.user.info", "schema.registry.basic.auth.user.info",
      "bearer.auth.credentials.source", "bearer.auth.token",
      "schema.registry.ssl.truststore.location", "schema.registry.ssl.truststore.password",
      "schema.registry.ssl.truststore.type", "schema.registry.ssl.keystore.location",
      "schema.registry.ssl.keystore.password", "schema.registry.ssl.keystore.type", "schema.registry.ssl.key.password");

  /** No authentication, the JDK's default trust. */
  public static final RegistrySecurity NONE = new RegistrySecurity(Optional.empty(), false, Optional.empty());

  private final Optional<String> authorization;
  private final boolean credentialsFromUrl;
  private final Optional<SSLContext> sslContext;

  private RegistrySecurity(Optional<String> authorization, boolean credentialsFromUrl, Optional<SSLContext> sslContext) {
    this.authorization = authorization;
    this.credentialsFromUrl = credentialsFromUrl;
    this.sslContext = sslContext;
  }

  /**
   * Reads the registry settings among {@code config} (others are ignored).
   *
   * @throws IllegalArgumentException naming every property that is wrong
   */
  public static RegistrySecurity from(Map<String, ?> config) {
    List<String> problems = new ArrayList<>();
    Optional<String> userInfo = string(config, "basic.auth.user.info")
        .or(() -> string(config, "schema.registry.basic.auth.user.info"));
    String basicSource = string(config, "basic.auth.credentials.source").orElse(userInfo.isPresent() ? "USER_INFO" : "");
    Optional<String> authorization = Optional.empty();
    boolean fromUrl = false;
    switch (basicSource) {
      case "" -> { }
      case "USER_INFO" -> {
        if (userInfo.isEmpty() || !userInfo.get().contains(":")) {
          problems.add("basic.auth.user.info must be user:password with basic.auth.credentials.source=USER_INFO");
        } else {
          authorization = Optional.of(basic(userInfo.get()));
        }
      }
      case "URL" -> fromUrl = true;
      default -> problems.add("basic.auth.credentials.source '" + basicSource + "' is not supported (USER_INFO or URL)");
    }
    Optional<String> bearerSource = string(config, "bearer.auth.credentials.source");
    if (bearerSource.isPresent()) {
      if (!bearerSource.get().equals("STATIC_TOKEN")) {
        problems.add("bearer.auth.credentials.source '" + bearerSource.get() + "' is not supported (STATIC_TOKEN)");
      } else if (string(config, "bearer.auth.token").isEmpty()) {
        problems.add("bearer.auth.token must be set with bearer.auth.credentials.source=STATIC_TOKEN");
      } else if (authorization.isPresent() || fromUrl) {
        problems.add("basic and bearer authentication are both set: choose one");
      } else {
        authorization = Optional.of("Bearer " + string(config, "bearer.auth.token").get());
      }
    }
    Optional<SSLContext> ssl = Optional.empty();
    try {
      ssl = sslContext(config);
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("schema registry client settings: " + String.join("; ", problems));
    }
    return new RegistrySecurity(authorization, fromUrl, ssl);
  }

  /** The {@code Authorization} header for a request to {@code baseUrl}, if any. */
  Optional<String> authorization(URI baseUrl) {
    if (credentialsFromUrl && baseUrl.getRawUserInfo() != null) {
      return Optional.of(basic(URLDecoder.decode(baseUrl.getRawUserInfo(), StandardCharsets.UTF_8)));
    }
    return authorization;
  }

  Optional<SSLContext> sslContext() {
    return sslContext;
  }

  private static String basic(String userInfo) {
    return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
  }

  private static Optional<SSLContext> sslContext(Map<String, ?> config) {
    Optional<KeyStore> trust = keyStore(config, "schema.registry.ssl.truststore");
    Optional<KeyStore> keys = keyStore(config, "schema.registry.ssl.keystore");
    if (trust.isEmpty() && keys.isEmpty()) {
      return Optional.empty();
    }
    try {
      TrustManagerFactory trustManagers = null;
      if (trust.isPresent()) {
        trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust.get());
      }
      KeyManagerFactory keyManagers = null;
      if (keys.isPresent()) {
        keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        String keyPassword = string(config, "schema.registry.ssl.key.password")
            .or(() -> string(config, "schema.registry.ssl.keystore.password")).orElse("");
        keyManagers.init(keys.get(), keyPassword.toCharArray());
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers == null ? null : keyManagers.getKeyManagers(),
          trustManagers == null ? null : trustManagers.getTrustManagers(), null);
      return Optional.of(context);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("schema.registry.ssl.*: cannot set up TLS: " + e.getMessage(), e);
    }
  }

  private static Optional<KeyStore> keyStore(Map<String, ?> config, String prefix) {
    Optional<String> location = string(config, prefix + ".location");
    if (location.isEmpty()) {
      return Optional.empty();
    }
    String type = string(config, prefix + ".type").orElse("PKCS12");
    char[] password = string(config, prefix + ".password").orElse("").toCharArray();
    try (InputStream in = Files.newInputStream(Path.of(location.get()))) {
      KeyStore store = KeyStore.getInstance(type);
      store.load(in, password);
      return Optional.of(store);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(prefix + ".location " + location.get() + " (" + type + "): cannot be read: "
          + e.getMessage(), e);
    }
  }

  private static Optional<String> string(Map<String, ?> config, String key) {
    Object value = config.get(key);
    return value == null || value.toString().isBlank() ? Optional.empty() : Optional.of(value.toString().trim());
  }

  @Override
  public String toString() {
    // Never the credentials.
    Set<String> parts = new TreeSet<>();
    authorization.ifPresent(a -> parts.add(a.startsWith("Bearer") ? "bearer token" : "basic auth"));
    if (credentialsFromUrl) {
      parts.add("basic auth from the URL");
    }
    sslContext.ifPresent(c -> parts.add("TLS settings"));
    return "RegistrySecurity" + parts;
  }
}
