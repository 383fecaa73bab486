package dev.reprise.observability.internal;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What the dashboard refuses before it reads or acts, against a web page in an operator's browser:
 * a Host that is not one of this server's names (DNS rebinding: {@code attacker.example} resolving
 * to 127.0.0.1 would make the dashboard same-origin with the attacker's page), an action whose
 * {@code X-Reprise-Action} header does not name it (a cross-site request cannot set a header
 * without a CORS preflight, which this server never grants; an empty value proves nothing), and a
 * browser's {@code Origin} that is another site. {@code /metrics} and {@code /healthz} are not
 * guarded: Prometheus and container health checks reach them by service name.
 *
 * <pre>{@code
 * Optional<String> why = RequestGuard.refusal("POST", "/api/backfills/b/pause", host, origin, action, names);
 * }</pre>
 */
public final class RequestGuard {

  /** The names every dashboard answers to, wherever it listens. */
  public static final Set<String> LOOPBACK_NAMES = Set.of("127.0.0.1", "localhost", "::1", "[::1]");

  private RequestGuard() {}

  /**
   * Why the request must be refused (403), or empty.
   *
   * @param action the value of the action header; null if absent
   * @param names the host names this server answers to (lower case)
   */
  public static Optional<String> refusal(String method, String path, String host, String origin, String action,
      Set<String> names) {
    boolean page = path.equals("/") || path.equals("/index.html") || path.startsWith("/api/");
    if (!page) {
      return Optional.empty();
    }
    String name = hostName(host);
    if (name == null || !names.contains(name)) {
      return Optional.of("Host '" + host + "' is not a name of this dashboard " + names
          + " (start it with --http-host NAME to answer to another)");
    }
    if (!method.equals("POST")) {
      return Optional.empty();
    }
    String wanted = path.substring(path.lastIndexOf('/') + 1);
    if (action == null || !action.equals(wanted)) {
      return Optional.of("an action needs the X-Reprise-Action header naming it ('" + wanted + "')");
    }
    if (origin != null && !origin.equals("null")) {
      String from;
      try {
        from = URI.create(origin).getHost();
      } catch (IllegalArgumentException e) {
        from = null;
      }
      if (from == null || !names.contains(from.toLowerCase(Locale.ROOT))) {
        return Optional.of("Origin '" + origin + "' is another site");
      }
    } else if ("null".equals(origin)) {
      return Optional.of("Origin 'null' (a sandboxed or local page) may not act");
    }
    return Optional.empty();
  }

  /** The name in a Host header ({@code name:port}, {@code [::1]:port}), lower case; null if none. */
  static String hostName(String host) {
    if (host == null || host.isBlank()) {
      return null;
    }
    String h = host.strip().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int close = h.indexOf(']');
      return close < 0 ? null : h.substring(0, close + 1);
    }
    int colon = h.indexOf(':');
    return colon < 0 ? h : h.substring(0, colon);
  }
}
