package dev.reprise.submissions.upcast;

import dev.reprise.spi.upcast.UpcastException;
import dev.reprise.spi.upcast.UpcastReport;
import dev.reprise.spi.upcast.Upcaster;

import dev.reprise.submissions.SubmissionSchemas;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * v2 → v3: a null or blank {@code tenantId} gets the default tenant; the string {@code amount}
 * becomes {@code amountCents}; {@code status} is {@code RECEIVED}, the state every v2 submission
 * was in (v2 had no status).
 *
 * <p>Amounts: an optional minus sign, digits, and at most two decimals after a dot ({@code "12"},
 * {@code "12.5"}, {@code "-0.99"}); surrounding blanks are ignored. Anything else ({@code "12,50"},
 * {@code "1e3"}, {@code "12.345"}, {@code ""}, {@code "N/A"}) fails the record rather than being
 * rounded or guessed, because a wrong amount in a rebuilt view is worse than a dead-lettered one.
 */
public final class SubmissionV2ToV3Upcaster implements Upcaster {

  private final String defaultTenant;

  private static final GenericData.EnumSymbol RECEIVED =
      new GenericData.EnumSymbol(SubmissionSchemas.forVersion(3).getField("status").schema(), "RECEIVED");


  /** @param defaultTenant the tenant of records written before tenants were mandatory */
  public SubmissionV2ToV3Upcaster(String defaultTenant) {
    this.defaultTenant = Objects.requireNonNull(defaultTenant, "defaultTenant");
    if (defaultTenant.isBlank()) {
      throw new IllegalArgumentException("defaultTenant must not be blank");
    }
  }

  @Override
  public int fromVersion() {
    return 2;
  }

  @Override
  public GenericRecord upcast(GenericRecord v2, UpcastReport report) {
    Fields in = fields(v2.getSchema());
    String id = v2.get(in.submissionId).toString();
    int revision = (Integer) v2.get(in.revision);
    Object rawAmount = v2.get(in.amount);
    long cents = cents(rawAmount.toString().strip());
    if (cents == INVALID) {
      throw new UpcastException("submission '" + id + "' (revision " + revision + ")", 2, 3, "amount",
          rawAmount.toString(), "which is not a decimal amount like 12.50 (dot separator, at most two decimals)", null);
    }

    Object tenant = v2.get(in.tenantId);
    String tenantId;
    if (tenant == null || tenant.toString().isBlank()) {
      tenantId = defaultTenant;
      report.defaultApplied(2, 3, "tenantId");
    } else {
      tenantId = tenant.toString();
    }
    report.defaultApplied(2, 3, "status");

    GenericRecord v3 = new GenericData.Record(V3);
    v3.put(V3_SUBMISSION_ID, id);
    v3.put(V3_REVISION, revision);
    v3.put(V3_TENANT_ID, tenantId);
    v3.put(V3_FORM_ID, v2.get(in.formId).toString());
    v3.put(V3_SUBMITTED_AT, v2.get(in.submittedAt));
    v3.put(V3_AMOUNT_CENTS, cents);
    v3.put(V3_CURRENCY, v2.get(in.currency).toString());
    Object email = v2.get(in.submitterEmail);
    v3.put(V3_SUBMITTER_EMAIL, email == null ? null : email.toString());
    v3.put(V3_STATUS, RECEIVED);
    v3.put(V3_ANSWERS, v2.get(in.answers));
    return v3;
  }

  /**
   * {@code amount} in cents, or {@link #INVALID} unless it is an optional minus, 1 to 15 ASCII
   * digits, and optionally a dot with 1 or 2 digits: exactly what the documented rule (and the
   * regular expression {@code -?\d{1,15}(\.\d{1,2})?} it replaced on the hot path) accepts.
   */
  static long cents(String amount) {
    int length = amount.length();
    int i = amount.startsWith("-") ? 1 : 0;
    boolean negative = i == 1;
    long value = 0;
    int integerDigits = 0;
    while (i < length && isDigit(amount.charAt(i))) {
      value = value * 10 + (amount.charAt(i++) - '0');
      integerDigits++;
    }
    if (integerDigits < 1 || integerDigits > 15) {
      return INVALID;
    }
    int decimals = 0;
    if (i < length) {
      if (amount.charAt(i++) != '.') {
        return INVALID;
      }
      while (i < length && isDigit(amount.charAt(i)) && decimals < 3) {
        value = value * 10 + (amount.charAt(i++) - '0');
        decimals++;
      }
      if (decimals < 1 || decimals > 2 || i < length) {
        return INVALID;
      }
    }
    value *= decimals == 0 ? 100 : decimals == 1 ? 10 : 1;
    return negative ? -value : value;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** Below any amount of 15 digits: marks an amount that is not one. */
  private static final long INVALID = Long.MIN_VALUE;

  private static final Schema V3 = SubmissionSchemas.forVersion(3);
  private static final int V3_SUBMISSION_ID = V3.getField("submissionId").pos();
  private static final int V3_REVISION = V3.getField("revision").pos();
  private static final int V3_TENANT_ID = V3.getField("tenantId").pos();
  private static final int V3_FORM_ID = V3.getField("formId").pos();
  private static final int V3_SUBMITTED_AT = V3.getField("submittedAt").pos();
  private static final int V3_AMOUNT_CENTS = V3.getField("amountCents").pos();
  private static final int V3_CURRENCY = V3.getField("currency").pos();
  private static final int V3_SUBMITTER_EMAIL = V3.getField("submitterEmail").pos();
  private static final int V3_STATUS = V3.getField("status").pos();
  private static final int V3_ANSWERS = V3.getField("answers").pos();

  /** Field positions of a v2 schema: looked up once per schema, not by name per record. */
  private record Fields(Schema schema, int submissionId, int revision, int tenantId, int formId, int submittedAt,
      int amount, int currency, int submitterEmail, int answers) {
    static Fields of(Schema v2) {
      return new Fields(v2, pos(v2, "submissionId"), pos(v2, "revision"), pos(v2, "tenantId"), pos(v2, "formId"),
          pos(v2, "submittedAt"), pos(v2, "amount"), pos(v2, "currency"), pos(v2, "submitterEmail"),
          pos(v2, "answers"));
    }

    private static int pos(Schema schema, String field) {
      Schema.Field f = schema.getField(field);
      if (f == null) {
        throw new IllegalArgumentException("schema " + schema.getFullName() + " has no field '" + field
            + "': not a v2 submission");
      }
      return f.pos();
    }
  }

  // The records of a run share one or two schema instances; replay threads may share this upcaster.
  private volatile Fields lastFields;

  private Fields fields(Schema schema) {
    Fields fields = lastFields;
    if (fields == null || fields.schema() != schema) {
      fields = Fields.of(schema);
      lastFields = fields;
    }
    return fields;
  }
}
