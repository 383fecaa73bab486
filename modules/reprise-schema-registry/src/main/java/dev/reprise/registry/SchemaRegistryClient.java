package dev.reprise.registry;

import org.apache.avro.Schema;

/**
 * What Reprise needs from a schema registry: ids for schemas under a subject, and schemas for ids.
 *
 * <p>Implementations cache: a schema id never changes meaning, so {@link #schemaById(int)} asks the
 * registry once per id; {@link #register(String, Schema)} asks once per subject and schema.
 *
 * <pre>{@code
 * SchemaRegistryClient registry = ConfluentSchemaRegistryClient.create("http://127.0.0.1:8081/apis/ccompat/v7");
 * int id = registry.register("submissions-value", schema);
 * Schema writer = registry.schemaById(id);
 * }</pre>
 *
 * <p>Errors: {@link SchemaRegistryUnavailableException} (retriable) when the registry cannot be
 * reached or answers 5xx/429; {@link UnknownSchemaIdException} when an id was never issued; {@link
 * SchemaRegistryException} for every other refusal (incompatible or invalid schema).
 */
public interface SchemaRegistryClient extends AutoCloseable {

  /**
   * Registers {@code schema} under {@code subject}, or finds it if it is registered already, and
   * returns its global id.
   */
  int register(String subject, Schema schema);

  /** The id of {@code schema} under {@code subject}; fails if it is not registered there. */
  int idOf(String subject, Schema schema);

  /** The schema with this global id. */
  Schema schemaById(int id);

  /**
   * Sets the compatibility level of one subject, e.g. {@code NONE} or {@code BACKWARD}. Call it
   * after the subject's first registration: Apicurio (unlike Confluent) refuses to configure a
   * subject that does not exist yet.
   */
  void setCompatibility(String subject, String level);

  @Override
  default void close() {}
}
