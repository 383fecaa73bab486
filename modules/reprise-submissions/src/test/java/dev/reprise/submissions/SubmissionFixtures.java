package dev.reprise.submissions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/** Hand-built submissions of each version, as their writers produced them. */
public final class SubmissionFixtures {

  private SubmissionFixtures() {}

  public static GenericRecord v1(String id, String local, String zone, String amount) {
    GenericRecord r = new GenericData.Record(SubmissionSchemas.forVersion(1));
    r.put("submissionId", id);
    r.put("revision", 0);
    r.put("formRef", "form-7");
    r.put("submittedAtLocal", local);
    r.put("timeZone", zone);
    r.put("amount", amount);
    r.put("currency", "EUR");
    r.put("answers", Map.of("q1", "yes"));
    return r;
  }

  public static GenericRecord v2(String id, long submittedAt, String amount, String tenant, String email) {
    GenericRecord r = new GenericData.Record(SubmissionSchemas.forVersion(2));
    r.put("submissionId", id);
    r.put("revision", 1);
    r.put("formId", "form-8");
    r.put("submittedAt", submittedAt);
    r.put("amount", amount);
    r.put("currency", "USD");
    r.put("submitterEmail", email);
    r.put("tenantId", tenant);
    r.put("answers", Map.of("q2", "no"));
    return r;
  }

  /** A v3 (latest) submission of form-1 in EUR, submitted 2023-11-14T22:13:20Z. */
  public static GenericRecord v3(String id, int revision, long amountCents, Map<String, String> answers) {
    GenericRecord r = new GenericData.Record(SubmissionSchemas.latest());
    r.put("submissionId", id);
    r.put("revision", revision);
    r.put("tenantId", "tenant-1");
    r.put("formId", "form-1");
    r.put("submittedAt", 1_700_000_000_000L);
    r.put("amountCents", amountCents);
    r.put("currency", "EUR");
    r.put("status", new GenericData.EnumSymbol(SubmissionSchemas.latest().getField("status").schema(), "RECEIVED"));
    r.put("answers", answers);
    return r;
  }

  /**
   * Writes {@code record} with its own (frozen, old) schema and reads it back with that writer
   * schema, as a consumer sees it: strings become Utf8, maps have Utf8 keys.
   */
  public static GenericRecord roundTrip(GenericRecord record) {
    Schema schema = record.getSchema();
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
      encoder.flush();
      return new GenericDatumReader<GenericRecord>(schema)
          .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
