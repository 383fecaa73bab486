package dev.reprise.submissions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.OptionalInt;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Every version of the submission schema, as frozen in {@code schemas/submissions/} at the root of
 * the repository.
 *
 * <pre>{@code
 * Schema current = SubmissionSchemas.latest();
 * int version = SubmissionSchemas.versionOf(record.getSchema()).orElseThrow();
 * }</pre>
 *
 * <p>A record's version is recognised by the Parsing Canonical Form fingerprint of its writer
 * schema, not by a registry version number: registries number versions per subject, and the same
 * schema may sit under several subjects with different numbers. Docs and custom properties do not
 * change the fingerprint, so a registry that reformats the schema text still matches.
 *
 * <ul>
 *   <li>v1 (2021–2022): local date-time plus an optional zone id; amount as a string; no tenant.
 *   <li>v2 (2023–mid 2025): {@code formRef} renamed {@code formId}; {@code submittedAt} as UTC
 *       {@code timestamp-millis}; nullable {@code submitterEmail} and {@code tenantId} added.
 *   <li>v3 (current): mandatory tenant, {@code amountCents} as a long, a {@code status} enum.
 * </ul>
 */
public final class SubmissionSchemas {

  /** The newest version; the default target of a replay. */
  public static final int LATEST_VERSION = 3;

  private static final List<Schema> SCHEMAS =
      List.of(load("submission-v1.avsc"), load("submission-v2.avsc"), load("submission-v3.avsc"));
  private static final Map<Long, Integer> VERSION_BY_FINGERPRINT = new HashMap<>();
  private static final Map<Schema, OptionalInt> VERSION_BY_SCHEMA = new ConcurrentHashMap<>();

  static {
    for (int i = 0; i < SCHEMAS.size(); i++) {
      VERSION_BY_FINGERPRINT.put(SchemaNormalization.parsingFingerprint64(SCHEMAS.get(i)), i + 1);
    }
  }

  private SubmissionSchemas() {}

  /** The schema of {@code version}, 1 to {@link #LATEST_VERSION}. */
  public static Schema forVersion(int version) {
    if (version < 1 || version > LATEST_VERSION) {
      throw new IllegalArgumentException(
          "submission schema version " + version + " does not exist; versions are 1.." + LATEST_VERSION);
    }
    return SCHEMAS.get(version - 1);
  }

  /** The schema of the newest version. */
  public static Schema latest() {
    return forVersion(LATEST_VERSION);
  }

  /** Which version {@code writerSchema} is, or empty if it is none of them. */
  public static OptionalInt versionOf(Schema writerSchema) {
    // Replays ask this for every record; the canonical form costs microseconds, a cache hit on the
    // same Schema instance (cached hash, identity short-cut in equals) nanoseconds. Distinct schemas
    // are few (one per registry id), so the cache stays small.
    return VERSION_BY_SCHEMA.computeIfAbsent(writerSchema, schema -> {
      Integer version = VERSION_BY_FINGERPRINT.get(SchemaNormalization.parsingFingerprint64(schema));
      return version == null ? OptionalInt.empty() : OptionalInt.of(version);
    });
  }

  private static Schema load(String file) {
    try (InputStream in = SubmissionSchemas.class.getResourceAsStream("schemas/" + file)) {
      if (in == null) {
        throw new IllegalStateException("schema resource " + file + " is missing from the classpath");
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read schema " + file, e);
    }
  }
}
