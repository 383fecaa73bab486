package dev.reprise.observability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Who may use the dashboard: users with salted PBKDF2 password hashes, one per line of a users
 * file, checked on every request by HTTP basic authentication (over TLS: see {@link
 * ObservabilityServer.Builder#tls}). {@code reprise dashboard-user NAME} prints a line for a
 * password typed on stdin.
 *
 * <pre>{@code
 * # users.txt: NAME:pbkdf2-sha256:ITERATIONS:SALT:HASH (base64), '#' starts a comment
 * alice:pbkdf2-sha256:210000:3q2+7w==:...
 *
 * DashboardLogin login = DashboardLogin.load(Path.of("users.txt"));
 * Optional<String> user = login.authenticate(request.getHeader("Authorization"));
 * }</pre>
 *
 * <p>A header that verified once is remembered (as a digest, for this process only): hashing with
 * 210,000 iterations on every poll of the page would cost a core.
 */
public final class DashboardLogin {

  private static final String SCHEME = "pbkdf2-sha256";
  private static final int ITERATIONS = 210_000;
  private static final int MAX_REMEMBERED = 1_000;

  private record Entry(int iterations, byte[] salt, byte[] hash) {}

  private final Map<String, Entry> users;
  private final Map<String, String> verified = new ConcurrentHashMap<>();

  private DashboardLogin(Map<String, Entry> users) {
    this.users = Map.copyOf(users);
  }

  /**
   * Reads a users file.
   *
   * @throws IllegalArgumentException naming the file and the line that is wrong
   */
  public static DashboardLogin load(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("dashboard users file " + file + " cannot be read: " + e.getMessage(), e);
    }
    Map<String, Entry> users = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split(":");
      String where = file + " line " + (i + 1);
      if (parts.length != 5 || !parts[1].equals(SCHEME) || parts[0].isBlank()) {
        throw new IllegalArgumentException(where + ": must be NAME:" + SCHEME + ":ITERATIONS:SALT:HASH (as 'reprise"
            + " dashboard-user NAME' prints it)");
      }
      try {
        users.put(parts[0], new Entry(Integer.parseInt(parts[2]), Base64.getDecoder().decode(parts[3]),
            Base64.getDecoder().decode(parts[4])));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": iterations, salt or hash is malformed: " + e.getMessage(), e);
      }
    }
    if (users.isEmpty()) {
      throw new IllegalArgumentException("dashboard users file " + file + " names no user");
    }
    return new DashboardLogin(users);
  }

  /** A users-file line for {@code user} with {@code password}, salted afresh. */
  public static String entry(String user, char[] password) {
    if (user.isBlank() || user.contains(":")) {
      throw new IllegalArgumentException("a dashboard user name must be non-empty and without ':', was '" + user + "'");
    }
    byte[] salt = new byte[16];
    new SecureRandom().nextBytes(salt);
    Base64.Encoder base64 = Base64.getEncoder();
    return user + ":" + SCHEME + ":" + ITERATIONS + ":" + base64.encodeToString(salt) + ":"
        + base64.encodeToString(hash(password, salt, ITERATIONS));
  }

  /** The user an {@code Authorization: Basic ...} header authenticates; empty if none. */
  public Optional<String> authenticate(String authorization) {
    if (authorization == null || !authorization.startsWith("Basic ")) {
      return Optional.empty();
    }
    String remembered = digest(authorization);
    String known = verified.get(remembered);
    if (known != null) {
      return Optional.of(known);
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      return Optional.empty();
    }
    String user = decoded.substring(0, colon);
    Entry entry = users.get(user);
    if (entry == null
        || !MessageDigest.isEqual(entry.hash(), hash(decoded.substring(colon + 1).toCharArray(), entry.salt(),
            entry.iterations()))) {
      return Optional.empty();
    }
    if (verified.size() < MAX_REMEMBERED) {
      verified.put(remembered, user);
    }
    return Optional.of(user);
  }

  private static byte[] hash(char[] password, byte[] salt, int iterations) {
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
          .generateSecret(new PBEKeySpec(password, salt, iterations, 256)).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available in this JVM", e);
    }
  }

  private static String digest(String value) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
          .digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
