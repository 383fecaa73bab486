package dev.reprise.spi;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * The schema versions of an event type, v1 first, recognised by their parsing fingerprint (so a
 * writer schema fetched from a registry, with other doc strings or whitespace, is still its
 * version).
 *
 * <pre>{@code
 * SchemaVersions versions = SchemaVersions.of(List.of(v1, v2, v3));
 * versions.versionOf(registry.schemaById(id));   // OptionalInt[2]
 * }</pre>
 */
public final class SchemaVersions {

  private final List<Schema> schemas;
  private final Map<Long, Integer> byFingerprint = new HashMap<>();
  private final Map<Schema, OptionalInt> bySchema = new ConcurrentHashMap<>();

  private SchemaVersions(List<Schema> schemas) {
    this.schemas = List.copyOf(schemas);
    for (int i = 0; i < this.schemas.size(); i++) {
      Integer previous = byFingerprint.put(SchemaNormalization.parsingFingerprint64(this.schemas.get(i)), i + 1);
      if (previous != null) {
        throw new IllegalArgumentException("versions " + previous + " and " + (i + 1) + " are the same schema");
      }
    }
  }

  /** @param schemas v1, v2, ...; at least one, no two alike */
  public static SchemaVersions of(List<Schema> schemas) {
    if (schemas == null || schemas.isEmpty()) {
      throw new IllegalArgumentException("an event type needs at least one schema version");
    }
    return new SchemaVersions(schemas);
  }

  /** The newest version; the default target of a replay. */
  public int latestVersion() {
    return schemas.size();
  }

  /** The schema of {@code version}, 1 to {@link #latestVersion()}. */
  public Schema schema(int version) {
    if (version < 1 || version > schemas.size()) {
      throw new IllegalArgumentException("schema version " + version + " does not exist; versions are 1.."
          + schemas.size());
    }
    return schemas.get(version - 1);
  }

  /** The newest schema. */
  public Schema latest() {
    return schema(latestVersion());
  }

  /** Which version {@code writerSchema} is, or empty if it is none of them. */
  public OptionalInt versionOf(Schema writerSchema) {
    // Asked for every record a replay reads: the canonical form costs microseconds, a hit on the
    // same Schema instance nanoseconds. Distinct writer schemas are few (one per registry id).
    return bySchema.computeIfAbsent(writerSchema, schema -> {
      Integer version = byFingerprint.get(SchemaNormalization.parsingFingerprint64(schema));
      return version == null ? OptionalInt.empty() : OptionalInt.of(version);
    });
  }
}
