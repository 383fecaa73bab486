package dev.reprise.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Security for an {@link EmbeddedKafkaBroker} that runs like a secured production cluster: one
 * {@code SASL_SSL} listener with SCRAM-SHA-512 for clients and for the broker itself, TLS with a
 * certificate of its own for 127.0.0.1, and Kafka's {@code StandardAuthorizer}, under which a
 * principal may do only what an ACL allows. The broker's own principal {@code admin} is its only
 * super user. The controller listener (loopback, used by the node itself) authenticates with
 * SASL/PLAIN, because KRaft controllers cannot read SCRAM credentials before their metadata.
 *
 * <pre>{@code
 * BrokerSecurity security = BrokerSecurity.selfSigned(dir);
 * try (var broker = EmbeddedKafkaBroker.builder().security(security).build().start()) {
 *   broker.addUser("growth", "s3cret");
 *   Map<String, Object> growth = security.clientConfig("growth", "s3cret");   // plus bootstrap.servers
 * }
 * }</pre>
 *
 * <p>The certificate is generated with the JDK's {@code keytool} into {@code directory}; clients
 * trust it through the truststore {@link #clientConfig} names.
 */
public final class BrokerSecurity {

  /** The broker's own principal and only super user. */
  public static final String ADMIN = "admin";
  static final String SCRAM = "SCRAM-SHA-512";

  private final Path keystore;
  private final Path truststore;
  private final String storePassword;
  private final String adminPassword;

  private BrokerSecurity(Path keystore, Path truststore, String storePassword, String adminPassword) {
    this.keystore = keystore;
    this.truststore = truststore;
    this.storePassword = storePassword;
    this.adminPassword = adminPassword;
  }

  /**
   * A fresh self-signed certificate for 127.0.0.1 and random passwords.
   *
   * @throws IllegalStateException if {@code keytool} fails (its output is in the message)
   */
  public static BrokerSecurity selfSigned(Path directory) {
    String storePassword = secret();
    Path keystore = directory.resolve("broker.p12");
    Path certificate = directory.resolve("broker.crt");
    Path truststore = directory.resolve("truststore.p12");
    try {
      Files.createDirectories(directory);
      for (Path stale : List.of(keystore, certificate, truststore)) {
        Files.deleteIfExists(stale);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot prepare " + directory + " for the broker's certificate: " + e, e);
    }
    keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
        "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
        "-keystore", keystore.toString(), "-storepass", storePassword, "-keypass", storePassword);
    keytool("-exportcert", "-alias", "broker", "-keystore", keystore.toString(), "-storepass", storePassword,
        "-rfc", "-file", certificate.toString());
    keytool("-importcert", "-noprompt", "-alias", "broker", "-file", certificate.toString(), "-storetype", "PKCS12",
        "-keystore", truststore.toString(), "-storepass", storePassword);
    return new BrokerSecurity(keystore, truststore, storePassword, secret());
  }

  /** The broker's key and certificate (PKCS12, password {@link #storePassword}). */
  public Path keystore() {
    return keystore;
  }

  /** A truststore (PKCS12, password {@link #storePassword}) holding the broker's certificate. */
  public Path truststore() {
    return truststore;
  }

  public String storePassword() {
    return storePassword;
  }

  /**
   * TLS for a server presenting this certificate (an HTTPS front, a dashboard); with {@code
   * clientAuth}, it also trusts clients presenting it (mTLS).
   */
  public SSLContext serverContext(boolean clientAuth) {
    return context(true, clientAuth);
  }

  /** TLS for a client trusting this certificate; with {@code presentCertificate}, presenting it too (mTLS). */
  public SSLContext clientContext(boolean presentCertificate) {
    return context(presentCertificate, true);
  }

  private SSLContext context(boolean withKey, boolean withTrust) {
    char[] password = storePassword.toCharArray();
    try {
      KeyManagerFactory keys = null;
      if (withKey) {
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(load(keystore, password), password);
      }
      TrustManagerFactory trust = null;
      if (withTrust) {
        trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(load(truststore, password));
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot set up TLS from " + keystore + ": " + e, e);
    }
  }

  private static KeyStore load(Path file, char[] password) throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, password);
    }
    return store;
  }

  /**
   * Settings for a client authenticating as {@code user} (add {@code bootstrap.servers}): what a
   * {@code --command-config} file holds.
   */
  public Map<String, Object> clientConfig(String user, String password) {
    Map<String, Object> config = new HashMap<>();
    config.put("security.protocol", "SASL_SSL");
    config.put("sasl.mechanism", SCRAM);
    config.put("sasl.jaas.config", jaas("org.apache.kafka.common.security.scram.ScramLoginModule", user, password));
    config.put("ssl.truststore.location", truststore.toString());
    config.put("ssl.truststore.password", storePassword);
    config.put("ssl.truststore.type", "PKCS12");
    return config;
  }

  /** {@link #clientConfig} of the super user {@link #ADMIN}: for setting up users and ACLs. */
  public Map<String, Object> adminClientConfig() {
    return clientConfig(ADMIN, adminPassword);
  }

  /** The broker properties for its listeners, TLS, SASL and the authorizer. */
  Map<String, String> brokerProperties(int brokerPort, int controllerPort) {
    Map<String, String> props = new HashMap<>();
    props.put("listeners", "SASL_SSL://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", "SASL_SSL://127.0.0.1:" + brokerPort);
    props.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:SASL_PLAINTEXT");
    props.put("inter.broker.listener.name", "SASL_SSL");
    props.put("sasl.mechanism.inter.broker.protocol", SCRAM);
    props.put("listener.name.sasl_ssl.sasl.enabled.mechanisms", SCRAM);
    props.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
        jaas("org.apache.kafka.common.security.scram.ScramLoginModule", ADMIN, adminPassword));
    props.put("listener.name.sasl_ssl.ssl.keystore.location", keystore.toString());
    props.put("listener.name.sasl_ssl.ssl.keystore.password", storePassword);
    props.put("listener.name.sasl_ssl.ssl.key.password", storePassword);
    props.put("listener.name.sasl_ssl.ssl.keystore.type", "PKCS12");
    props.put("listener.name.sasl_ssl.ssl.truststore.location", truststore.toString());
    props.put("listener.name.sasl_ssl.ssl.truststore.password", storePassword);
    props.put("listener.name.sasl_ssl.ssl.truststore.type", "PKCS12");
    props.put("sasl.mechanism.controller.protocol", "PLAIN");
    props.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
    props.put("listener.name.controller.plain.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + ADMIN + "\" password=\""
            + adminPassword + "\" user_" + ADMIN + "=\"" + adminPassword + "\";");
    props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    props.put("super.users", "User:" + ADMIN);
    props.put("allow.everyone.if.no.acl.found", "false");
    return props;
  }

  /** The broker's own SCRAM credential, written into the metadata when the storage is formatted. */
  List<String> scramArguments() {
    return List.of(SCRAM + "=[name=" + ADMIN + ",password=" + adminPassword + "]");
  }

  private static String jaas(String module, String user, String password) {
    return module + " required username=\"" + user + "\" password=\"" + password + "\";";
  }

  private static String secret() {
    byte[] bytes = new byte[12];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static void keytool(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException("keytool " + args[0] + " failed: " + output.strip());
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run keytool: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running keytool", e);
    }
  }
}
