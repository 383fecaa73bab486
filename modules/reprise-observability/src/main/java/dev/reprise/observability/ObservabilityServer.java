package dev.reprise.observability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.reprise.observability.internal.BackfillForm;
import dev.reprise.observability.internal.DashboardViews;
import dev.reprise.observability.internal.RequestGuard;
import dev.reprise.protocol.AuditEntry;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.ReplayCommand;
import dev.reprise.verify.BackfillVerifier;
import dev.reprise.workflow.WorkflowDryRun;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of a Reprise process, on 127.0.0.1 by default: {@code /metrics} (Prometheus text
 * format), and with a {@link BackfillObserver} the live dashboard at {@code /}, its JSON at {@code
 * /api/...}, and the pause / resume / cancel actions.
 *
 * <pre>{@code
 * var server = ObservabilityServer.builder()
 *     .port(8080)                          // 0 picks a free port
 *     .meterRegistry(registry)
 *     .dashboard(observer)                 // optional: workers serve metrics only
 *     .build().start();
 * System.out.println("dashboard: " + server.url());
 * }</pre>
 *
 * <p>The actions publish control events with this process' Kafka credentials (as its {@code
 * --http-team}). On loopback it needs no login; beyond loopback it refuses to start without a
 * {@link DashboardLogin} and TLS (unless told the port is reachable from loopback only). Every
 * action also needs the per-user token of {@code GET /api/session} in {@value #CSRF_HEADER}.
 * Whatever the binding, it refuses, on the page
 * and its API, a Host that is none of its names (DNS rebinding), an action whose {@value
 * #ACTION_HEADER} header does not name it (a cross-site form or script cannot add a header without
 * a CORS preflight, which this server never grants) and another site's Origin ({@link
 * dev.reprise.observability.internal.RequestGuard}).
 */
public final class ObservabilityServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ObservabilityServer.class);
  /** Required on every action request; see the class comment. */
  public static final String ACTION_HEADER = "X-Reprise-Action";
  /** Required on every action request: the token {@code GET /api/session} gives the page. */
  public static final String CSRF_HEADER = "X-Reprise-Csrf";
  private static final String ANONYMOUS = "anonymous";
  private static final List<String> ACTIONS = List.of("pause", "resume", "cancel");
  /** The JDK server's limit on receiving a request, in seconds; read once, when the JVM's first server starts. */
  static final String MAX_REQUEST_TIME_PROPERTY = "sun.net.httpserver.maxReqTime";
  /** The JDK server's TCP_NODELAY, read at the same time. */
  static final String NO_DELAY_PROPERTY = "sun.net.httpserver.nodelay";
  /** The largest request body an action reads (a new backfill's form). */
  private static final int MAX_BODY = 64 * 1024;

  static {
    // The JDK's HttpServer reads a request's headers on an executor thread and by default waits
    // forever: a few connections trickling headers would hold every thread, /healthz included.
    limitRequestTime();
  }

  /**
   * Limits how long the JDK's HTTP server waits for a request (10 s) unless set already. Call it
   * before the JVM's first {@code HttpServer} starts (the CLI does at start-up): the limit is read
   * once.
   */
  public static void limitRequestTime() {
    if (System.getProperty(MAX_REQUEST_TIME_PROPERTY) == null) {
      System.setProperty(MAX_REQUEST_TIME_PROPERTY, "10");
    }
    // An answer is its headers and then its body, two small writes: with Nagle on, the body waits
    // for the client's delayed ACK, 40 ms per JSON answer.
    if (System.getProperty(NO_DELAY_PROPERTY) == null) {
      System.setProperty(NO_DELAY_PROPERTY, "true");
    }
  }

  private final PrometheusMeterRegistry registry;
  private final BackfillObserver observer;
  private final ObjectMapper json = new ObjectMapper();
  private final HttpServer server;
  private final ExecutorService executor;
  private final byte[] page;
  private final Set<String> names;
  private final DashboardLogin login;
  private final boolean tls;
  private final byte[] csrfKey = new byte[32];
  /** The Verify button's work: one verification at a time, off the HTTP threads. */
  private final ExecutorService verifications = Executors.newSingleThreadExecutor(runnable -> {
    Thread thread = new Thread(runnable, "reprise-dashboard-verify");
    thread.setDaemon(true);
    return thread;
  });

  private ObservabilityServer(Builder builder) {
    this.registry = builder.registry;
    this.observer = builder.observer;
    this.page = observer == null ? metricsOnlyPage() : resource("dashboard.html");
    Set<String> answersTo = new HashSet<>(RequestGuard.LOOPBACK_NAMES);
    if (!builder.host.equals("0.0.0.0") && !builder.host.equals("::")) {
      answersTo.add(builder.host.toLowerCase(Locale.ROOT));
    }
    answersTo.addAll(builder.extraNames);
    this.names = Set.copyOf(answersTo);
    this.login = builder.login;
    this.tls = builder.sslContext != null;
    new SecureRandom().nextBytes(csrfKey);
    try {
      InetSocketAddress address = new InetSocketAddress(builder.host, builder.port);
      if (tls) {
        var https = HttpsServer.create(address, 0);
        https.setHttpsConfigurator(new HttpsConfigurator(builder.sslContext));
        this.server = https;
      } else {
        this.server = HttpServer.create(address, 0);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + builder.host + ":" + builder.port + ": " + e.getMessage()
          + " (choose another port with --http-port)", e);
    }
    this.executor = Executors.newFixedThreadPool(8, runnable -> {
      Thread thread = new Thread(runnable, "reprise-http");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  public static Builder builder() {
    return new Builder();
  }

  public ObservabilityServer start() {
    server.start();
    log.info("serving {}metrics on {}", observer == null ? "" : "the dashboard and ", url());
    return this;
  }

  /** The dashboard's address (the root); metrics are at {@code url().resolve("metrics")}. */
  public URI url() {
    InetSocketAddress address = server.getAddress();
    return URI.create((tls ? "https" : "http") + "://" + address.getHostString() + ":" + address.getPort() + "/");
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    // Closed after the catch below has answered: try-with-resources would close it before.
    try (exchange) {
      route(exchange);
    }
  }

  private void route(HttpExchange exchange) throws IOException {
    try {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      var headers = exchange.getRequestHeaders();
      Optional<String> refused = RequestGuard.refusal(method, path, headers.getFirst("Host"), headers.getFirst("Origin"),
          headers.getFirst(ACTION_HEADER), names);
      if (refused.isPresent()) {
        log.warn("http: refused {} {}: {}", method, path, refused.get());
        sendJson(exchange, 403, Map.of("error", refused.get()));
        return;
      }
      if (path.equals("/healthz")) {
        send(exchange, 200, "text/plain; charset=utf-8", "ok\n".getBytes(StandardCharsets.UTF_8));
        return;
      }
      Optional<String> user = login == null ? Optional.of(ANONYMOUS)
          : login.authenticate(headers.getFirst("Authorization"));
      if (user.isEmpty()) {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"Reprise\", charset=\"UTF-8\"");
        sendJson(exchange, 401, Map.of("error", "log in: this dashboard needs a user of its --http-users file"));
        return;
      }
      if (path.equals("/api/session") && method.equals("GET")) {
        sendJson(exchange, 200, Map.of("user", user.get(), "csrf", csrf(user.get())));
      } else if (method.equals("POST") && !csrf(user.get()).equals(headers.getFirst(CSRF_HEADER))) {
        sendJson(exchange, 403, Map.of("error", "an action needs the " + CSRF_HEADER + " header of GET /api/session"));
      } else if (path.equals("/metrics") && method.equals("GET")) {
        send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape().getBytes(StandardCharsets.UTF_8));
      } else if ((path.equals("/") || path.equals("/index.html")) && method.equals("GET")) {
        send(exchange, 200, "text/html; charset=utf-8", page);
      } else if (observer != null && path.equals("/api/overview") && method.equals("GET")) {
        sendJson(exchange, 200, DashboardViews.overview(observer, observer.now()));
      } else if (observer != null && path.equals("/api/workflows") && method.equals("GET")) {
        sendJson(exchange, 200, observer.workflows().values().stream().map(w -> {
          Map<String, Object> view = new LinkedHashMap<>();
          view.put("workflow", w.workflow());
          view.put("effectsAllowedInReplay", w.effectsAllowedInReplay());
          view.put("reason", w.reason().orElse(null));
          view.put("eventType", w.eventType().orElse(null));
          view.put("liveTopics", w.liveTopics());
          return view;
        }).toList());
      } else if (observer != null && path.equals("/api/coordinators") && method.equals("GET")) {
        sendJson(exchange, 200, observer.coordinators().values().stream().map(c -> {
          Map<String, Object> view = new LinkedHashMap<>();
          view.put("instanceId", c.instanceId());
          view.put("allowedSourceTopics", c.allowedSourceTopics());
          view.put("eventTypes", c.eventTypes());
          view.put("defaultEventType", c.defaultEventType().orElse(null));
          view.put("knownWorkflows", c.knownWorkflows());
          view.put("announcedAt", c.announcedAt().toString());
          return view;
        }).toList());
      } else if (observer != null && path.equals("/api/backfills") && method.equals("POST")) {
        create(exchange, user.get());
      } else if (observer != null && path.startsWith("/api/backfills/")) {
        backfill(exchange, path.substring("/api/backfills/".length()), method, user.get());
      } else {
        sendJson(exchange, 404, Map.of("error", "no such page: " + method + " " + path));
      }
    } catch (RuntimeException e) {
      log.warn("http: {} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString(), e);
      // An answer, not a dropped connection: a scraper or the page can tell a failure from a network fault.
      if (exchange.getResponseCode() == -1) {
        try {
          sendJson(exchange, 500, Map.of("error", String.valueOf(e)));
        } catch (IOException | RuntimeException ignored) {
          // The client is gone; nothing more to tell it.
        }
      }
    }
  }

  /** The page's token for actions: bound to the user and to this server's run (a fresh key each start). */
  private String csrf(String user) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(csrfKey, "HmacSHA256"));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(
          mac.doFinal(user.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  private void backfill(HttpExchange exchange, String rest, String method, String user) throws IOException {
    String[] parts = rest.split("/");
    String id = parts[0];
    if (parts.length == 1 && method.equals("GET")) {
      Optional<Map<String, Object>> view = DashboardViews.backfill(observer, observer.history(), id);
      if (view.isPresent()) {
        sendJson(exchange, 200, view.get());
      } else {
        sendJson(exchange, 404, Map.of("error", "there is no backfill '" + id + "'"));
      }
      return;
    }
    if (parts.length == 2 && parts[1].equals("audit") && method.equals("GET")) {
      sendJson(exchange, 200, observer.audit(id).stream().map(AuditEntry::fields).toList());
      return;
    }
    if (parts.length == 2 && parts[1].equals("dry-runs") && method.equals("GET")) {
      sendJson(exchange, 200, observer.dryRuns(id).stream().map(ObservabilityServer::dryRunView).toList());
      return;
    }
    if (parts.length == 2 && parts[1].equals("dead-letters") && method.equals("GET")) {
      Map<String, Object> workflows = new LinkedHashMap<>();
      observer.deadLettersOf(id).forEach((workflow, list) -> workflows.put(workflow, list.stream().map(d -> Map.of(
          "item", d.coordinates(), "eventId", d.eventId().orElse(""), "stage", d.stage(), "error", d.error())).toList()));
      Set<String> retried = Set.copyOf(Optional.ofNullable(observer.statuses().get(id))
          .map(BackfillStatus::retriedDeadLetters).orElse(List.of()));
      List<Map<String, Object>> own = observer.backfillDeadLettersOf(id).stream().map(l -> Map.<String, Object>of(
          "item", l.item(), "source", l.sourcePartition() + "@" + l.sourceOffset(), "stage", l.stage(),
          "error", l.message(), "retried", retried.contains(l.item()))).toList();
      sendJson(exchange, 200, Map.of("backfill", own, "workflows", workflows));
      return;
    }
    if (parts.length == 2 && method.equals("POST") && List.of("execute", "retry", "verify").contains(parts[1])) {
      if (!observer.statuses().containsKey(id)) {
        sendJson(exchange, 404, Map.of("error", "there is no backfill '" + id + "'"));
      } else if (parts[1].equals("execute")) {
        execute(exchange, id, user);
      } else if (parts[1].equals("retry")) {
        retry(exchange, id, user);
      } else {
        verify(exchange, id, user);
      }
      return;
    }
    if (parts.length != 2 || !method.equals("POST") || !ACTIONS.contains(parts[1])) {
      sendJson(exchange, 404, Map.of("error", "actions are POST /api/backfills/{id}/" + String.join("|", ACTIONS)));
      return;
    }
    if (!observer.statuses().containsKey(id)) {
      sendJson(exchange, 404, Map.of("error", "there is no backfill '" + id + "'"));
      return;
    }
    String action = parts[1];
    ReplayCommand.Type type = ReplayCommand.Type.valueOf(action.toUpperCase(Locale.ROOT));
    // The team (--http-team) is who sent it; the dashboard user is whom it was sent for, in the trail.
    observer.client().send(ReplayCommand.of(type, id).withRequestedBy(user + " (dashboard)"));
    log.info("dashboard: {} requested for backfill '{}' by dashboard user '{}'", action.toUpperCase(Locale.ROOT),
        id, user);
    // Accepted, not done: the coordinator answers on the status topic, which the page shows.
    sendJson(exchange, 202, Map.of("backfill", id, "command", action.toUpperCase(Locale.ROOT)));
  }

  /** A new backfill from the page's form: the request {@code reprise request} would publish. */
  private void create(HttpExchange exchange, String user) throws IOException {
    BackfillRequest request;
    try {
      request = BackfillForm.parse(json.readTree(body(exchange)), user);
    } catch (IllegalArgumentException | IOException e) {
      sendJson(exchange, 400, Map.of("error", e.getMessage()));
      return;
    }
    observer.client().submit(request);
    log.info("dashboard: {} '{}' requested by dashboard user '{}'", request.mode(), request.backfillId(), user);
    // The coordinator answers on the status topic (ACCEPTED, or REJECTED naming every problem).
    sendJson(exchange, 202, Map.of("backfill", request.backfillId(), "command", "START", "mode", request.mode().name()));
  }

  /** EXECUTE of a completed PREVIEW, by its id: the coordinator runs it on the preview's plan. */
  private void execute(HttpExchange exchange, String id, String user) throws IOException {
    BackfillStatus preview = observer.statuses().get(id);
    Optional<BackfillRequest> request = preview.request();
    if (preview.state() != BackfillState.COMPLETED || request.isEmpty()
        || request.get().mode() != BackfillRequest.Mode.PREVIEW) {
      sendJson(exchange, 409, Map.of("error", "backfill '" + id + "' is " + preview.state()
          + (request.map(r -> r.mode() == BackfillRequest.Mode.PREVIEW).orElse(false) ? " (a PREVIEW)" : "")
          + ": only a completed PREVIEW can be executed"));
      return;
    }
    observer.client().submit(request.get().executed(Optional.of(user + " (dashboard)")));
    log.info("dashboard: EXECUTE of PREVIEW '{}' requested by dashboard user '{}'", id, user);
    sendJson(exchange, 202, Map.of("backfill", id, "command", "START", "mode", "EXECUTE"));
  }

  /** Retries one dead letter ({@code {"workflow":W,"item":"P@O"}}) or all of the backfill's in W. */
  private void retry(HttpExchange exchange, String id, String user) throws IOException {
    JsonNode form;
    try {
      form = json.readTree(body(exchange));
    } catch (IOException e) {
      sendJson(exchange, 400, Map.of("error", "a JSON body {\"workflow\": ..., \"item\": \"P@O\"} is needed"));
      return;
    }
    String workflow = form.path("workflow").asText("");
    Optional<String> item = Optional.of(form.path("item").asText("")).filter(s -> !s.isBlank());
    // A RETRY request either way, decided and audited by the coordinator with the dashboard user:
    // the backfill's own dead letters (no workflow), or a workflow's, through its redrive topic.
    ReplayCommand command;
    try {
      List<String> items = item.map(List::of).orElse(List.of());
      command = (workflow.isBlank() ? ReplayCommand.retry(id, items) : ReplayCommand.retry(id, workflow, items))
          .withRequestedBy(user + " (dashboard)");
    } catch (IllegalArgumentException e) {
      sendJson(exchange, 400, Map.of("error", e.getMessage()));
      return;
    }
    observer.client().send(command);
    log.info("dashboard: RETRY of {} of backfill '{}'{} requested by dashboard user '{}'",
        item.orElse("every dead letter"), id, workflow.isBlank() ? "" : " in workflow '" + workflow + "'", user);
    sendJson(exchange, 202, Map.of("backfill", id, "workflow", workflow, "command", "RETRY",
        "items", command.retryItems()));
  }

  /** Verifies in the background; the outcome arrives as the backfill's status (VERIFIED or not). */
  private void verify(HttpExchange exchange, String id, String user) throws IOException {
    log.info("dashboard: verification of '{}' requested by dashboard user '{}'", id, user);
    verifications.submit(() -> {
      try {
        var report = new BackfillVerifier(observer.clientConfig(), observer.registry(), observer.client()).verify(id);
        log.info("dashboard: backfill '{}' {}", id, report.verified() ? "VERIFIED" : "failed verification: "
            + report.failures());
      } catch (RuntimeException e) {
        log.warn("dashboard: cannot verify backfill '{}': {}", id, e.getMessage());
      }
    });
    sendJson(exchange, 202, Map.of("backfill", id, "command", "VERIFY"));
  }

  private static Map<String, Object> dryRunView(WorkflowDryRun dryRun) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("workflow", dryRun.workflow());
    view.put("events", dryRun.events());
    view.put("outcomes", dryRun.outcomes());
    view.put("effectsPerSink", dryRun.effectsPerSink());
    view.put("effects", dryRun.effects());
    view.put("performingPerDay", dryRun.performingPerDay());
    view.put("examples", dryRun.examples());
    view.put("failures", dryRun.failures());
    view.put("distinctTargetsPerSink", dryRun.distinctTargetsPerSink());
    view.put("payloadSamples", dryRun.payloadSamples());
    view.put("summary", dryRun.describe());
    return view;
  }

  private static byte[] body(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY + 1);
    if (body.length > MAX_BODY) {
      throw new IOException("the request body is larger than " + MAX_BODY + " bytes");
    }
    return body;
  }

  private void sendJson(HttpExchange exchange, int code, Object body) throws IOException {
    send(exchange, code, "application/json", json.writeValueAsBytes(body));
  }

  private static void send(HttpExchange exchange, int code, String type, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static byte[] resource(String name) {
    try (InputStream in = ObservabilityServer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] metricsOnlyPage() {
    return ("<!doctype html><title>Reprise</title><p>This Reprise process serves <a href=\"/metrics\">/metrics</a>."
        + " The dashboard is served by the coordinator and by <code>reprise up</code>.").getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    verifications.shutdownNow();
  }

  private static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("[::1]");
  }

  /** Configures an {@link ObservabilityServer}; validates at {@link #build()}. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 0;
    private PrometheusMeterRegistry registry;
    private BackfillObserver observer;
    private final Set<String> extraNames = new HashSet<>();
    private DashboardLogin login;
    private SSLContext sslContext;
    private boolean insecureBeyondLoopback;

    private Builder() {}

    /** Every request but {@code /healthz} must authenticate as one of {@code login}'s users. */
    public Builder login(DashboardLogin login) {
      this.login = login;
      return this;
    }

    /** Serves HTTPS with this context (its key manager holds the server's certificate). */
    public Builder tls(SSLContext context) {
      this.sslContext = context;
      return this;
    }

    /**
     * Lets the dashboard listen beyond loopback without a login or TLS: only where nothing but the
     * host's loopback reaches the port, e.g. a container whose port is published on 127.0.0.1.
     */
    public Builder insecureBeyondLoopback(boolean insecure) {
      this.insecureBeyondLoopback = insecure;
      return this;
    }

    /**
     * Another host name the dashboard answers to (besides the loopback names and its bind
     * address), e.g. a container's service name; any other Host is refused (DNS rebinding).
     */
    public Builder answerTo(String hostName) {
      this.extraNames.add(hostName.toLowerCase(Locale.ROOT));
      return this;
    }

    /** Address to bind; default 127.0.0.1 (in a container, 0.0.0.0 with the port published on the host's loopback). */
    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** Port; 0 (the default) picks a free one. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Required: what {@code /metrics} serves. */
    public Builder meterRegistry(PrometheusMeterRegistry registry) {
      this.registry = registry;
      return this;
    }

    /** Serves the dashboard from this observer; without one, only metrics. */
    public Builder dashboard(BackfillObserver observer) {
      this.observer = observer;
      return this;
    }

    public ObservabilityServer build() {
      List<String> problems = new ArrayList<>();
      if (host == null || host.isBlank()) {
        problems.add("host must not be blank");
      }
      if (port < 0 || port > 65_535) {
        problems.add("port must be 0..65535, was " + port);
      }
      if (registry == null) {
        problems.add("meterRegistry is required");
      }
      if (host != null && observer != null && !isLoopback(host) && !insecureBeyondLoopback
          && (login == null || sslContext == null)) {
        problems.add("host " + host + " is beyond loopback: the dashboard's actions need a login (--http-users) and"
            + " TLS (--http-tls-keystore) there, or --http-insecure where only the host's loopback reaches the port"
            + " (a container's port published on 127.0.0.1)");
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException("invalid observability server: " + String.join("; ", problems));
      }
      return new ObservabilityServer(this);
    }
  }
}
