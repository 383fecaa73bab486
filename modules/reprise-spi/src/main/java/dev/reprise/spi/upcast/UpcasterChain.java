package dev.reprise.spi.upcast;

import dev.reprise.spi.SchemaVersions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import org.apache.avro.generic.GenericRecord;

/**
 * Takes an event of any version to a target version by applying the version steps in order, and
 * counts what it did in its {@link UpcastReport}. Create one chain per run so the report covers
 * that run ({@link dev.reprise.spi.EventType#newChain()}).
 *
 * <pre>{@code
 * UpcasterChain chain = UpcasterChain.of(versions, List.of(new OrderV1ToV2Upcaster(), new OrderV2ToV3Upcaster()));
 * GenericRecord latest = chain.upcastToLatest(record);
 * Map<String, Long> evolution = chain.report().snapshot();
 * }</pre>
 *
 * <p>A record already at the target is returned as it is. Failures are counted and rethrown:
 * {@link UpcastException} for a value a step cannot convert, {@link UnsupportedVersionException}
 * for a writer schema that is no known version or is newer than the target.
 */
public final class UpcasterChain {

  private final SchemaVersions versions;
  private final List<Upcaster> steps;
  private final UpcastReport report = new UpcastReport();

  private UpcasterChain(SchemaVersions versions, List<Upcaster> steps) {
    this.versions = versions;
    this.steps = List.copyOf(steps);
  }

  /**
   * A chain over {@code versions}: one step per version hop, starting at version 1 and following
   * each other without gaps or repeats, so that any version can reach any later one.
   */
  public static UpcasterChain of(SchemaVersions versions, List<? extends Upcaster> steps) {
    Objects.requireNonNull(versions, "versions");
    List<Upcaster> sorted = new ArrayList<>(steps);
    sorted.sort(Comparator.comparingInt(Upcaster::fromVersion));
    int expected = 1;
    for (Upcaster step : sorted) {
      if (step.fromVersion() != expected) {
        throw new IllegalArgumentException("upcaster chain needs a step from v" + expected + " but the next step "
            + step.getClass().getSimpleName() + " starts at v" + step.fromVersion());
      }
      if (step.toVersion() != step.fromVersion() + 1) {
        throw new IllegalArgumentException("upcaster " + step.getClass().getSimpleName()
            + " must go one version up, but goes v" + step.fromVersion() + " to v" + step.toVersion());
      }
      expected++;
    }
    if (expected != versions.latestVersion()) {
      throw new IllegalArgumentException("upcaster chain reaches v" + expected + " but the event type has "
          + versions.latestVersion() + " versions: one step per hop is needed");
    }
    return new UpcasterChain(versions, sorted);
  }

  /** Its steps, v1→v2 first, for listings: {@code SubmissionV1ToV2Upcaster (v1 -> v2)}. */
  public List<String> steps() {
    return steps.stream().map(s -> s instanceof ResolvingUpcaster ? s.toString()
        : s.getClass().getSimpleName() + " (v" + s.fromVersion() + " -> v" + s.toVersion() + ")").toList();
  }

  /** The highest version this chain reaches. */
  public int latestVersion() {
    return versions.latestVersion();
  }

  /** What this chain did so far. */
  public UpcastReport report() {
    return report;
  }

  /** Upcasts {@code record} to the latest version. */
  public GenericRecord upcastToLatest(GenericRecord record) {
    return upcast(record, latestVersion());
  }

  /** Upcasts {@code record} to {@code targetVersion}. */
  public GenericRecord upcast(GenericRecord record, int targetVersion) {
    Objects.requireNonNull(record, "record");
    if (targetVersion < 1 || targetVersion > latestVersion()) {
      throw new IllegalArgumentException("target version " + targetVersion + " does not exist; this chain reaches v1..v"
          + latestVersion());
    }
    OptionalInt detected = versions.versionOf(record.getSchema());
    if (detected.isEmpty()) {
      report.unsupportedVersion();
      throw new UnsupportedVersionException("record written with schema " + record.getSchema().getFullName()
          + " (fingerprint " + org.apache.avro.SchemaNormalization.parsingFingerprint64(record.getSchema())
          + ") is not a known version of it");
    }
    int version = detected.getAsInt();
    report.recordRead(version);
    if (version > targetVersion) {
      report.unsupportedVersion();
      throw new UnsupportedVersionException("record of " + record.getSchema().getFullName() + " is v" + version
          + ", newer than the target v" + targetVersion + "; records are never downcast");
    }
    GenericRecord current = record;
    while (version < targetVersion) {
      Upcaster step = steps.get(version - 1);
      try {
        current = step.upcast(current, report);
      } catch (UpcastException e) {
        report.failed(e.fromVersion(), e.toVersion(), e.field());
        throw e;
      }
      report.stepApplied(version, version + 1);
      version++;
    }
    return current;
  }
}
