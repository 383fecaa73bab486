package dev.reprise.coordinator.internal;

import dev.reprise.coordinator.AccessPolicy;
import dev.reprise.coordinator.AccessPolicy.InvalidPolicyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access policy in force: fixed, or read from a file and read again when the file changes. A
 * changed file that is not a valid policy is refused and the previous policy stays in force: a
 * typo must not open (or close) the cluster.
 */
public final class PolicySource {

  private static final Logger log = LoggerFactory.getLogger(PolicySource.class);
  private static final Duration CHECK_EVERY = Duration.ofSeconds(2);

  private final Optional<Path> file;
  private volatile AccessPolicy current;
  private FileTime loaded;
  private long nextCheck;

  private PolicySource(Optional<Path> file, AccessPolicy current, FileTime loaded) {
    this.file = file;
    this.current = current;
    this.loaded = loaded;
  }

  public static PolicySource fixed(AccessPolicy policy) {
    return new PolicySource(Optional.empty(), policy, null);
  }

  /**
   * Reads {@code file} now.
   *
   * @throws InvalidPolicyException if it is not a valid policy
   */
  public static PolicySource watching(Path file) {
    FileTime modified = modified(file);
    return new PolicySource(Optional.of(file), AccessPolicy.load(file), modified);
  }

  public AccessPolicy current() {
    return current;
  }

  /** Where the policy comes from, for logs and the audit trail. */
  public String origin() {
    return file.map(Path::toString).orElse("(set in code)");
  }

  /**
   * Reads the file again if it changed since it was last read (checked at most every 2 s).
   *
   * @return the new policy, if one was loaded
   * @throws InvalidPolicyException if the file changed into something that is not a valid
   *     policy; the previous one stays in force
   */
  public synchronized Optional<AccessPolicy> reloadIfChanged(Clock clock) {
    if (file.isEmpty() || clock.millis() < nextCheck) {
      return Optional.empty();
    }
    nextCheck = clock.millis() + CHECK_EVERY.toMillis();
    FileTime modified;
    try {
      modified = modified(file.get());
    } catch (InvalidPolicyException e) {
      log.warn("{}; the previous policy stays in force", e.getMessage());
      return Optional.empty();
    }
    if (modified.equals(loaded)) {
      return Optional.empty();
    }
    loaded = modified;
    AccessPolicy next = AccessPolicy.load(file.get());
    current = next;
    return Optional.of(next);
  }

  private static FileTime modified(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      throw new InvalidPolicyException(file + ": cannot read it: " + e);
    }
  }
}
