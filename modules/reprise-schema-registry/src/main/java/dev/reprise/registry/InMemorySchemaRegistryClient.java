package dev.reprise.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * A registry in memory, for unit tests only: integration tests, benchmarks and the demo use a real
 * registry. Ids are global and start at 1, as in Confluent's registry; registering the same schema
 * under another subject returns the same id.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {

  private final List<Schema> schemas = new ArrayList<>();
  private final Map<String, List<Integer>> subjects = new HashMap<>();
  private final Map<String, String> compatibility = new HashMap<>();

  @Override
  public synchronized int register(String subject, Schema schema) {
    int id = schemas.indexOf(schema) + 1;
    if (id == 0) {
      schemas.add(schema);
      id = schemas.size();
    }
    List<Integer> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
    if (!versions.contains(id)) {
      versions.add(id);
    }
    return id;
  }

  @Override
  public synchronized int idOf(String subject, Schema schema) {
    int id = schemas.indexOf(schema) + 1;
    if (id == 0 || !subjects.getOrDefault(subject, List.of()).contains(id)) {
      throw new SchemaRegistryException(
          "schema is not registered under subject '" + subject + "'", 404, 40403);
    }
    return id;
  }

  @Override
  public synchronized Schema schemaById(int id) {
    if (id < 1 || id > schemas.size()) {
      throw new UnknownSchemaIdException(id, "memory");
    }
    return schemas.get(id - 1);
  }

  @Override
  public synchronized void setCompatibility(String subject, String level) {
    compatibility.put(subject, level);
  }

  /** The level last set for {@code subject}, or null. */
  public synchronized String compatibility(String subject) {
    return compatibility.get(subject);
  }
}
