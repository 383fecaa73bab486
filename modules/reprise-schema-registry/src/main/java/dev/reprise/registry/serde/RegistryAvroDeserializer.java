package dev.reprise.registry.serde;

import dev.reprise.registry.SchemaRegistryClient;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * A Kafka {@link Deserializer} reading Confluent-framed Avro values with the writer schema the
 * registry holds for their id. The record keeps its <em>writer</em> schema, so an upcaster can tell
 * which version it is.
 *
 * <pre>{@code
 * var deserializer = new RegistryAvroDeserializer(registry);
 * GenericRecord submission = deserializer.deserialize("submissions", bytes);
 * }</pre>
 *
 * <p>Failures are typed: {@link MalformedRecordException} and {@link
 * dev.reprise.registry.UnknownSchemaIdException} are not retriable (dead-letter the bytes); {@link
 * dev.reprise.registry.SchemaRegistryUnavailableException} is (retry, never dead-letter). A {@code
 * null} value (a tombstone) deserializes to {@code null}.
 */
public class RegistryAvroDeserializer implements Deserializer<GenericRecord> {

  private SchemaRegistryClient registry;
  private boolean ownsRegistry;

  /** For configuration by class name; {@link #configure} must be called before use. */
  public RegistryAvroDeserializer() {}

  /** Uses {@code registry}. */
  public RegistryAvroDeserializer(SchemaRegistryClient registry) {
    this.registry = registry;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    if (registry == null) {
      registry = RegistryAvroSerdeConfig.client(configs);
      ownsRegistry = true;
    }
  }

  @Override
  public GenericRecord deserialize(String topic, byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    if (registry == null) {
      throw new IllegalStateException("RegistryAvroDeserializer used before configure()");
    }
    Schema writer = registry.schemaById(AvroWireFormat.schemaId(bytes));
    return AvroWireFormat.decode(bytes, writer, writer);
  }

  @Override
  public void close() {
    if (ownsRegistry) {
      registry.close();
    }
  }
}
