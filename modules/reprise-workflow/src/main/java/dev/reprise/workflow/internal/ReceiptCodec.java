package dev.reprise.workflow.internal;

import dev.reprise.registry.SchemaRegistryClient;
import dev.reprise.registry.serde.AvroWireFormat;
import dev.reprise.registry.serde.RegistryAvroSerdeConfig;
import dev.reprise.workflow.Receipt;
import dev.reprise.workflow.ReceiptOutcome;
import dev.reprise.workflow.WorkflowTopics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.generic.GenericRecord;

/** Receipts in the registry's wire format ({@code schemas/workflow/receipt-v1.avsc}). */
public final class ReceiptCodec {

  public static final Schema SCHEMA = WorkflowSchemas.RECEIPT;

  private final SchemaRegistryClient registry;
  private final String workflow;
  private volatile int schemaId = -1;
  private final GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(SCHEMA);
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
  private BinaryEncoder encoder;

  public ReceiptCodec(SchemaRegistryClient registry, String workflow) {
    this.registry = registry;
    this.workflow = workflow;
  }

  public byte[] encode(Receipt receipt) {
    if (schemaId < 0) {
      schemaId = registry.register(RegistryAvroSerdeConfig.subject(WorkflowTopics.receipts(workflow), false), SCHEMA);
    }
    GenericRecord avro = new GenericData.Record(SCHEMA);
    avro.put("workflow", receipt.workflow());
    avro.put("backfillId", receipt.backfillId().orElse(null));
    avro.put("eventId", receipt.eventId());
    avro.put("eventDay", receipt.eventDay());
    avro.put("checksum", receipt.checksum());
    avro.put("outcome", new GenericData.EnumSymbol(SCHEMA.getField("outcome").schema(), receipt.outcome().name()));
    avro.put("effects", receipt.effects());
    avro.put("detail", receipt.detail().orElse(null));
    avro.put("targets", receipt.targets());
    avro.put("payloadSample", receipt.payloadSample().orElse(null));
    // One receipt per event: reuse the writer and buffer instead of AvroWireFormat.encode's fresh ones.
    synchronized (buffer) {
      try {
        buffer.reset();
        buffer.write(AvroWireFormat.MAGIC_BYTE);
        buffer.write(ByteBuffer.allocate(4).putInt(schemaId).array());
        encoder = EncoderFactory.get().directBinaryEncoder(buffer, encoder);
        writer.write(avro, encoder);
        return buffer.toByteArray();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  public Receipt decode(byte[] bytes) {
    GenericRecord avro = AvroWireFormat.decode(bytes, registry.schemaById(AvroWireFormat.schemaId(bytes)), SCHEMA);
    return new Receipt(avro.get("workflow").toString(),
        Optional.ofNullable(avro.get("backfillId")).map(Object::toString),
        avro.get("eventId").toString(), avro.get("eventDay").toString(), avro.get("checksum").toString(),
        ReceiptOutcome.valueOf(avro.get("outcome").toString()),
        ((Collection<?>) avro.get("effects")).stream().map(Object::toString).toList(),
        Optional.ofNullable(avro.get("detail")).map(Object::toString),
        ((Collection<?>) avro.get("targets")).stream().map(Object::toString).toList(),
        Optional.ofNullable(avro.get("payloadSample")).map(Object::toString));
  }
}
