package dev.reprise.submissions.upcast;

import dev.reprise.submissions.SubmissionSchemas;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import org.apache.avro.generic.GenericRecord;

/**
 * Takes a submission of any version to a target version by applying the version steps in order,
 * and counts what it did in its {@link UpcastReport}. Create one chain per run so the report
 * covers that run.
 *
 * <pre>{@code
 * UpcasterChain chain = UpcasterChain.forSubmissions().defaultTenant("acme").build();
 * GenericRecord v3 = chain.upcast(record, SubmissionSchemas.LATEST_VERSION);
 * Map<String, Long> evolution = chain.report().snapshot();
 * }</pre>
 *
 * <p>A record already at the target is returned as it is. Failures are counted and rethrown:
 * {@link UpcastException} for a value a step cannot convert, {@link
 * UnsupportedSubmissionVersionException} for a writer schema that is no known version or is newer
 * than the target.
 */
public final class UpcasterChain {

  /** The tenant of records written before tenants were mandatory, unless configured otherwise. */
  public static final String DEFAULT_TENANT = "default";
  /** The zone of v1 records that carry none, unless configured otherwise. */
  public static final ZoneId DEFAULT_MISSING_ZONE = ZoneOffset.UTC;

  private final List<Upcaster> steps;
  private final UpcastReport report = new UpcastReport();

  private UpcasterChain(List<Upcaster> steps) {
    this.steps = List.copyOf(steps);
  }

  /** A builder for the submission chain with its two steps, v1→v2 and v2→v3. */
  public static SubmissionsBuilder forSubmissions() {
    return new SubmissionsBuilder();
  }

  /**
   * A chain of arbitrary steps. They must start at version 1 and follow each other without gaps or
   * repeats, so that any version can reach any later one.
   */
  public static UpcasterChain of(List<? extends Upcaster> steps) {
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
    return new UpcasterChain(sorted);
  }

  /** The highest version this chain reaches. */
  public int latestVersion() {
    return steps.size() + 1;
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
    OptionalInt detected = SubmissionSchemas.versionOf(record.getSchema());
    if (detected.isEmpty()) {
      report.unsupportedVersion();
      throw new UnsupportedSubmissionVersionException("record written with schema " + record.getSchema().getFullName()
          + " (fingerprint " + org.apache.avro.SchemaNormalization.parsingFingerprint64(record.getSchema())
          + ") is not a known submission version");
    }
    int version = detected.getAsInt();
    report.recordRead(version);
    if (version > targetVersion) {
      report.unsupportedVersion();
      throw new UnsupportedSubmissionVersionException("submission '" + record.get("submissionId") + "' is v" + version
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

  /** Builds the submission chain; validates at {@link #build()}. */
  public static final class SubmissionsBuilder {
    private ZoneId missingZoneFallback = DEFAULT_MISSING_ZONE;
    private String defaultTenant = DEFAULT_TENANT;

    private SubmissionsBuilder() {}

    /** The zone assumed for v1 records without one (default UTC, the v1 servers' zone). */
    public SubmissionsBuilder missingZoneFallback(ZoneId zone) {
      this.missingZoneFallback = zone;
      return this;
    }

    /** The tenant of records written before tenants were mandatory (default {@code "default"}). */
    public SubmissionsBuilder defaultTenant(String tenant) {
      this.defaultTenant = tenant;
      return this;
    }

    public UpcasterChain build() {
      if (missingZoneFallback == null) {
        throw new IllegalArgumentException("missingZoneFallback must not be null");
      }
      if (defaultTenant == null || defaultTenant.isBlank()) {
        throw new IllegalArgumentException("defaultTenant must not be null or blank, was '" + defaultTenant + "'");
      }
      return of(List.of(new SubmissionV1ToV2Upcaster(missingZoneFallback), new SubmissionV2ToV3Upcaster(defaultTenant)));
    }
  }
}
