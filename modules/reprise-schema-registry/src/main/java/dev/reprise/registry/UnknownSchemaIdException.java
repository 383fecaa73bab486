package dev.reprise.registry;

/**
 * A record names a schema id the registry never issued (or that was deleted). Not retriable: the
 * record cannot be read with this registry.
 */
public class UnknownSchemaIdException extends SchemaRegistryException {

  private final int schemaId;

  public UnknownSchemaIdException(int schemaId, String registryUrl) {
    super("schema id " + schemaId + " is not known to the schema registry at " + registryUrl, 404, 40403);
    this.schemaId = schemaId;
  }

  /** The id that was asked for. */
  public int schemaId() {
    return schemaId;
  }
}
