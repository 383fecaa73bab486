package dev.reprise.submissions.upcast;

import dev.reprise.spi.upcast.UpcastException;
import dev.reprise.spi.upcast.UpcastReport;
import dev.reprise.spi.upcast.Upcaster;

import dev.reprise.submissions.SubmissionSchemas;
import java.math.BigDecimal;
import java.util.Objects;
import java.util.regex.Pattern;
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

  private static final Pattern AMOUNT = Pattern.compile("-?\\d{1,15}(\\.\\d{1,2})?");

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
    String id = v2.get("submissionId").toString();
    int revision = (Integer) v2.get("revision");
    String amount = v2.get("amount").toString().strip();
    if (!AMOUNT.matcher(amount).matches()) {
      throw new UpcastException("submission '" + id + "' (revision " + revision + ")", 2, 3, "amount", v2.get("amount").toString(),
          "which is not a decimal amount like 12.50 (dot separator, at most two decimals)", null);
    }
    long cents = new BigDecimal(amount).movePointRight(2).longValueExact();

    Object tenant = v2.get("tenantId");
    String tenantId;
    if (tenant == null || tenant.toString().isBlank()) {
      tenantId = defaultTenant;
      report.defaultApplied(2, 3, "tenantId");
    } else {
      tenantId = tenant.toString();
    }
    report.defaultApplied(2, 3, "status");

    var schema = SubmissionSchemas.forVersion(3);
    GenericRecord v3 = new GenericData.Record(schema);
    v3.put("submissionId", id);
    v3.put("revision", revision);
    v3.put("tenantId", tenantId);
    v3.put("formId", v2.get("formId").toString());
    v3.put("submittedAt", v2.get("submittedAt"));
    v3.put("amountCents", cents);
    v3.put("currency", v2.get("currency").toString());
    Object email = v2.get("submitterEmail");
    v3.put("submitterEmail", email == null ? null : email.toString());
    v3.put("status", RECEIVED);
    v3.put("answers", v2.get("answers"));
    return v3;
  }
}
