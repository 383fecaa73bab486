package dev.reprise.registry.serde;

import dev.reprise.registry.SchemaRegistryClient;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A Kafka {@link Serializer} writing Avro records in the Confluent wire format, registering (or
 * looking up) each record's schema under {@code <topic>-value} ({@code -key} for keys).
 *
 * <pre>{@code
 * props.put("value.serializer", RegistryAvroSerializer.class.getName());
 * props.put("schema.registry.url", "http://127.0.0.1:8081/apis/ccompat/v7");
 * }</pre>
 *
 * <p>Configured by class name it builds its own {@link dev.reprise.registry.ConfluentSchemaRegistryClient} from {@link
 * RegistryAvroSerdeConfig}; constructed with a client it uses that one. Swap in Confluent's {@code
 * io.confluent.kafka.serializers.KafkaAvroSerializer} by changing only the class name.
 */
public class RegistryAvroSerializer implements Serializer<GenericRecord> {

  private SchemaRegistryClient registry;
  private boolean ownsRegistry;
  private boolean isKey;
  private boolean autoRegister = true;

  /** For configuration by class name; {@link #configure} must be called before use. */
  public RegistryAvroSerializer() {}

  /** Uses {@code registry}, registering schemas that are missing. */
  public RegistryAvroSerializer(SchemaRegistryClient registry) {
    this.registry = registry;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    this.isKey = isKey;
    this.autoRegister = RegistryAvroSerdeConfig.autoRegister(configs);
    if (registry == null) {
      registry = RegistryAvroSerdeConfig.client(configs);
      ownsRegistry = true;
    }
  }

  @Override
  public byte[] serialize(String topic, GenericRecord record) {
    if (record == null) {
      return null;
    }
    if (registry == null) {
      throw new IllegalStateException("RegistryAvroSerializer used before configure()");
    }
    String subject = RegistryAvroSerdeConfig.subject(topic, isKey);
    int id =
        autoRegister
            ? registry.register(subject, record.getSchema())
            : registry.idOf(subject, record.getSchema());
    return AvroWireFormat.encode(id, record);
  }

  @Override
  public void close() {
    if (ownsRegistry) {
      registry.close();
    }
  }
}
