package dev.reprise.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real headless Chromium (Debian's {@code chromium} package) driven over the Chrome DevTools
 * Protocol from plain Java: navigate, evaluate JavaScript in the page, take a screenshot. No
 * WebDriver and no browser download, so browser tests run wherever the distribution's Chromium is
 * installed, and skip (or fail, if {@code REPRISE_BROWSER_REQUIRED=true}) where it is not.
 *
 * <pre>{@code
 * try (var browser = HeadlessChromium.launch(HeadlessChromium.executable().orElseThrow(), 1400, 1800)) {
 *   browser.navigate(URI.create("http://127.0.0.1:8080/"));
 *   await().until(() -> browser.evaluate("document.querySelectorAll('tr.backfill').length").asInt() > 0);
 *   Files.write(Path.of("target/dashboard.png"), browser.screenshot());
 * }
 * }</pre>
 *
 * <p>Chromium is started the way this network needs it: loopback only, with every background
 * service (updates, sync, safe browsing lookups) off, and a fresh profile that is deleted on close.
 */
public final class HeadlessChromium implements AutoCloseable {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final ObjectMapper json = new ObjectMapper();
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

  private HeadlessChromium(Process process, Path profile, URI page) {
    this.process = process;
    this.profile = profile;
    this.socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(TIMEOUT)
        .buildAsync(page, new Listener()).join();
  }

  /**
   * The Chromium to use: {@code REPRISE_CHROMIUM} if set, else the first of {@code
   * /usr/bin/chromium}, {@code /usr/bin/chromium-browser}, {@code /usr/bin/google-chrome} that exists.
   */
  public static Optional<Path> executable() {
    String configured = System.getenv("REPRISE_CHROMIUM");
    if (configured != null && !configured.isBlank()) {
      return Optional.of(Path.of(configured)).filter(Files::isExecutable);
    }
    return Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome").map(Path::of)
        .filter(Files::isExecutable).findFirst();
  }

  /** Whether a missing Chromium must fail browser tests instead of skipping them (CI sets it). */
  public static boolean required() {
    return "true".equalsIgnoreCase(System.getenv("REPRISE_BROWSER_REQUIRED"));
  }

  /**
   * The Chromium a browser test runs, or the test is skipped where none is installed; with {@link
   * #required()} (CI), a missing Chromium fails the test instead.
   */
  public static Path executableForTest() {
    Optional<Path> chromium = executable();
    if (chromium.isEmpty() && required()) {
      org.junit.jupiter.api.Assertions.fail("REPRISE_BROWSER_REQUIRED=true but no Chromium found (apt-get install"
          + " chromium, or set REPRISE_CHROMIUM)");
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(chromium.isPresent(),
        "no Chromium installed (apt-get install chromium); the browser test is skipped");
    return chromium.get();
  }

  /** Starts Chromium with a {@code width} x {@code height} viewport and connects to its blank page. */
  public static HeadlessChromium launch(Path executable, int width, int height) {
    Path profile;
    try {
      profile = Files.createTempDirectory("reprise-chromium");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> command = new ArrayList<>(List.of(executable.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-default-apps", "--disable-extensions", "--hide-scrollbars",
        "--user-data-dir=" + profile, "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
        "--window-size=" + width + "," + height, "about:blank"));
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(profile.resolveSibling(profile.getFileName() + ".log").toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + executable + ": " + e.getMessage(), e);
    }
    try {
      int port = devToolsPort(profile, process);
      URI page = pageSocket(port);
      HeadlessChromium browser = new HeadlessChromium(process, profile, page);
      browser.call("Emulation.setDeviceMetricsOverride",
          Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
      browser.call("Page.enable", Map.of());
      browser.call("Runtime.enable", Map.of());
      return browser;
    } catch (RuntimeException e) {
      process.destroyForcibly();
      throw e;
    }
  }

  /** Chromium writes the port it chose to {@code DevToolsActivePort} in its profile. */
  private static int devToolsPort(Path profile, Process process) {
    Path file = profile.resolve("DevToolsActivePort");
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("chromium exited with " + process.exitValue() + " before listening; see "
            + profile.resolveSibling(profile.getFileName() + ".log"));
      }
      try {
        if (Files.exists(file)) {
          List<String> lines = Files.readAllLines(file);
          if (!lines.isEmpty() && !lines.get(0).isBlank()) {
            return Integer.parseInt(lines.get(0).trim());
          }
        }
        process.waitFor(50, TimeUnit.MILLISECONDS);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting chromium", e);
      }
    }
    throw new IllegalStateException("chromium did not open its DevTools port within " + TIMEOUT.toSeconds() + " s");
  }

  private static URI pageSocket(int port) {
    try {
      HttpResponse<String> list = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).timeout(TIMEOUT).build(),
          HttpResponse.BodyHandlers.ofString());
      for (JsonNode target : new ObjectMapper().readTree(list.body())) {
        if ("page".equals(target.path("type").asText())) {
          return URI.create(target.get("webSocketDebuggerUrl").asText());
        }
      }
      throw new IllegalStateException("chromium lists no page target: " + list.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Loads {@code url} and waits for its load event. */
  public void navigate(URI url) {
    call("Page.navigate", Map.of("url", url.toString()));
    // The load event is not awaited through events; a page is usable once its document is complete.
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if ("complete".equals(evaluate("document.readyState").asText())) {
        return;
      }
      pause(50);
    }
    throw new IllegalStateException(url + " did not finish loading within " + TIMEOUT.toSeconds() + " s");
  }

  /**
   * Evaluates {@code expression} in the page (awaiting it if it is a promise) and returns its value
   * as JSON.
   *
   * @throws IllegalStateException if it throws in the page
   */
  public JsonNode evaluate(String expression) {
    JsonNode result = call("Runtime.evaluate",
        Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
    if (result.has("exceptionDetails")) {
      throw new IllegalStateException("page error in `" + expression + "`: " + result.get("exceptionDetails"));
    }
    return result.path("result").path("value");
  }

  private void pause(long millis) {
    try {
      // Waiting on the browser process: returns early only if it died, which the next call reports.
      process.waitFor(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** A PNG of the viewport. */
  public byte[] screenshot() {
    return Base64.getDecoder().decode(call("Page.captureScreenshot", Map.of("format", "png")).get("data").asText());
  }

  /** Sends one DevTools command and waits for its answer. */
  public JsonNode call(String method, Map<String, Object> params) {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    ObjectNode message = json.createObjectNode();
    message.put("id", id);
    message.put("method", method);
    message.set("params", json.valueToTree(params));
    try {
      socket.sendText(json.writeValueAsString(message), true).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      JsonNode reply = answer.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (reply.has("error")) {
        throw new IllegalStateException(method + " failed: " + reply.get("error"));
      }
      return reply.path("result");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + method, e);
    } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(method + " got no answer: " + e, e);
    } finally {
      pending.remove(id);
    }
  }

  @Override
  public void close() {
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Closing anyway.
    }
    // Chromium's helpers (zygote, renderers, GPU) write to the profile too: stop them all first.
    List<ProcessHandle> helpers = process.descendants().toList();
    process.destroy();
    helpers.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      for (ProcessHandle helper : helpers) {
        helper.onExit().get(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      helpers.forEach(ProcessHandle::destroyForcibly);
    }
    try (Stream<Path> files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | java.io.UncheckedIOException e) {
      // A file that vanished while walking, or a leftover temporary profile: harmless.
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          JsonNode message = json.readTree(text);
          if (message.has("id")) {
            CompletableFuture<JsonNode> answer = pending.get(message.get("id").asInt());
            if (answer != null) {
              answer.complete(message);
            }
          }
        } catch (IOException e) {
          // Not JSON: nothing waits for it.
        }
      }
      webSocket.request(1);
      return null;
    }
  }
}
