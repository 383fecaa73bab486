package dev.reprise.cli;

import dev.reprise.observability.BackfillObserver;
import dev.reprise.observability.DashboardLogin;
import dev.reprise.observability.ObservabilityServer;
import dev.reprise.registry.SchemaRegistryClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Option;

/**
 * Where a long-running command serves {@code /metrics} (and, for the coordinator, {@code reprise
 * up} and the demo, the dashboard at {@code /}). Each command sets its own default port with
 * {@code defaultPort}, so {@code reprise up} and a coordinator on one machine do not collide.
 */
final class HttpOptions {

  @Option(names = "--http-port", paramLabel = "PORT",
      description = "Port for the dashboard and /metrics; 0 picks a free one, -1 serves nothing (default: the command's).")
  Integer port;

  @Option(names = "--http-host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
      description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 only inside a container whose port is"
          + " published on the host's loopback).")
  String host;

  @Option(names = "--http-users", paramLabel = "FILE",
      description = "Dashboard login: a users file ('reprise dashboard-user NAME' prints its lines); every request but"
          + " /healthz then needs one of its users. Required, with --http-tls-keystore, beyond loopback.")
  Path users;

  @Option(names = "--http-tls-keystore", paramLabel = "FILE",
      description = "Serve HTTPS with this PKCS12 keystore (its password in env REPRISE_HTTP_TLS_PASSWORD).")
  Path tlsKeystore;

  @Option(names = "--http-insecure",
      description = "Listen beyond loopback without login or TLS: only where nothing but the host's loopback reaches"
          + " the port (a container's port published on 127.0.0.1).")
  boolean insecure;

  @Option(names = "--http-team", paramLabel = "TEAM",
      description = "The team the dashboard's actions (pause, resume, cancel) are sent as, through its request topic;"
          + " needed where the coordinator enforces an access policy.")
  String team;

  /**
   * Observes the cluster {@code clientConfig} names (statuses, lag, dead letters; bound to {@code
   * meters}) and serves the dashboard for it; {@link Dashboard#close()} stops both.
   */
  Dashboard serveDashboard(int defaultPort, PrometheusMeterRegistry meters, Map<String, Object> clientConfig,
      SchemaRegistryClient registry, Set<String> protectedGroups) {
    BackfillObserver observer = BackfillObserver.create(clientConfig, registry, protectedGroups, Clock.systemUTC(),
        Optional.ofNullable(team));
    observer.bindTo(meters);
    observer.start();
    try {
      return new Dashboard(observer, serve(defaultPort, meters, observer));
    } catch (RuntimeException e) {
      observer.close();
      throw e;
    }
  }

  /** An observer and the server showing it ({@code null} with {@code --http-port -1}). */
  record Dashboard(BackfillObserver observer, ObservabilityServer server) implements AutoCloseable {

    /** "Dashboard: URL   metrics: URL/metrics", or nothing when not served. */
    String describe() {
      return server == null ? "" : "Dashboard: " + server.url() + "   metrics: " + server.url() + "metrics";
    }

    @Override
    public void close() {
      if (server != null) {
        server.close();
      }
      observer.close();
    }
  }

  /** The server, started; {@code null} when {@code --http-port -1}. */
  ObservabilityServer serve(int defaultPort, PrometheusMeterRegistry registry, BackfillObserver dashboard) {
    int chosen = port == null ? defaultPort : port;
    if (chosen < 0) {
      return null;
    }
    var builder = ObservabilityServer.builder().host(host).port(chosen).meterRegistry(registry).dashboard(dashboard)
        .insecureBeyondLoopback(insecure);
    if (users != null) {
      builder.login(DashboardLogin.load(users));
    }
    if (tlsKeystore != null) {
      builder.tls(sslContext(tlsKeystore, System.getenv().getOrDefault("REPRISE_HTTP_TLS_PASSWORD", "")));
    }
    return builder.build().start();
  }

  private static SSLContext sslContext(Path keystore, String password) {
    try (var in = Files.newInputStream(keystore)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password.toCharArray());
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password.toCharArray());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new UsageException("--http-tls-keystore " + keystore + " (PKCS12, password from REPRISE_HTTP_TLS_PASSWORD)"
          + " cannot be used: " + e.getMessage());
    }
  }
}
