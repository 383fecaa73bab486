package dev.reprise.submissions;

import dev.reprise.spi.SchemaVersions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.OptionalInt;
import org.apache.avro.Schema;

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

  private static final SchemaVersions VERSIONS = SchemaVersions.of(
      List.of(load("submission-v1.avsc"), load("submission-v2.avsc"), load("submission-v3.avsc")));

  private SubmissionSchemas() {}

  /** The schema of {@code version}, 1 to {@link #LATEST_VERSION}. */
  public static Schema forVersion(int version) {
    return VERSIONS.schema(version);
  }

  /** The schema of the newest version. */
  public static Schema latest() {
    return VERSIONS.latest();
  }

  /** Which version {@code writerSchema} is, or empty if it is none of them. */
  public static OptionalInt versionOf(Schema writerSchema) {
    return VERSIONS.versionOf(writerSchema);
  }

  /** Every version, recognised by fingerprint. */
  static SchemaVersions versions() {
    return VERSIONS;
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
