package dev.reprise.workflow.internal;

import dev.reprise.registry.SchemaRegistryClient;
import dev.reprise.registry.serde.AvroWireFormat;
import dev.reprise.registry.serde.RegistryAvroSerdeConfig;
import dev.reprise.workflow.WorkflowTopics;
import dev.reprise.workflow.api.Effect;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/** {@link EffectRequest}s in the registry's wire format, subject {@code reprise.workflow.<name>.effects-value}. */
public final class EffectRequestCodec {

  private static final Schema SCHEMA = WorkflowSchemas.EFFECT_REQUEST;
  private static final Schema EFFECT = SCHEMA.getField("effects").schema().getElementType();

  private final SchemaRegistryClient registry;
  private final String workflow;
  private volatile int schemaId = -1;

  public EffectRequestCodec(SchemaRegistryClient registry, String workflow) {
    this.registry = registry;
    this.workflow = workflow;
  }

  public byte[] encode(EffectRequest request) {
    if (schemaId < 0) {
      schemaId = registry.register(RegistryAvroSerdeConfig.subject(WorkflowTopics.effects(workflow), false), SCHEMA);
    }
    GenericRecord avro = new GenericData.Record(SCHEMA);
    avro.put("workflow", request.workflow());
    avro.put("backfillId", request.backfillId().orElse(null));
    avro.put("eventId", request.eventId());
    avro.put("eventDay", request.eventDay());
    avro.put("checksum", request.checksum());
    avro.put("inputTopic", request.inputTopic());
    avro.put("inputPartition", request.inputPartition());
    avro.put("inputOffset", request.inputOffset());
    avro.put("event", ByteBuffer.wrap(request.event()));
    List<GenericRecord> effects = new ArrayList<>();
    for (Effect effect : request.effects()) {
      GenericRecord e = new GenericData.Record(EFFECT);
      e.put("sink", effect.sink());
      e.put("idempotencyKey", effect.idempotencyKey());
      e.put("description", effect.description());
      e.put("payload", effect.payload());
      effects.add(e);
    }
    avro.put("effects", effects);
    return AvroWireFormat.encode(schemaId, avro);
  }

  public EffectRequest decode(byte[] bytes) {
    GenericRecord avro = AvroWireFormat.decode(bytes, registry.schemaById(AvroWireFormat.schemaId(bytes)), SCHEMA);
    List<Effect> effects = new ArrayList<>();
    for (Object item : (Collection<?>) avro.get("effects")) {
      GenericRecord e = (GenericRecord) item;
      effects.add(new Effect(e.get("sink").toString(), e.get("idempotencyKey").toString(),
          e.get("description").toString(), Optional.ofNullable(e.get("payload")).map(Object::toString).orElse(null)));
    }
    ByteBuffer event = (ByteBuffer) avro.get("event");
    byte[] eventBytes = new byte[event.remaining()];
    event.duplicate().get(eventBytes);
    return new EffectRequest(avro.get("workflow").toString(), Optional.ofNullable(avro.get("backfillId")).map(Object::toString),
        avro.get("eventId").toString(), avro.get("eventDay").toString(), avro.get("checksum").toString(),
        avro.get("inputTopic").toString(), (Integer) avro.get("inputPartition"), (Long) avro.get("inputOffset"),
        eventBytes, effects);
  }
}
