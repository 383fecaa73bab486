package dev.reprise.submissions.upcast;

import dev.reprise.spi.upcast.UpcastException;
import dev.reprise.spi.upcast.UpcastReport;
import dev.reprise.spi.upcast.Upcaster;

import dev.reprise.submissions.SubmissionSchemas;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * v1 → v2: {@code formRef} becomes {@code formId}; the local {@code submittedAtLocal} in {@code
 * timeZone} becomes the UTC instant {@code submittedAt}; {@code submitterEmail} and {@code
 * tenantId} are null (v1 had neither).
 *
 * <p>Time rules, decided once here so every backfill agrees:
 *
 * <ul>
 *   <li>A missing or blank {@code timeZone} means the form server's zone, which the v1 platform ran
 *       on; it is given to the constructor (UTC by default) and counted as a default.
 *   <li>An unknown zone id (e.g. {@code "CEST"}, {@code "Europe/Atlantis"}) fails the record: a
 *       guess would silently move it to another day.
 *   <li>A local time in a DST gap is moved forward by the gap's length; one in an overlap takes
 *       the earlier offset (both {@link ZonedDateTime#ofLocal} rules).
 * </ul>
 */
public final class SubmissionV1ToV2Upcaster implements Upcaster {

  private final ZoneId missingZoneFallback;

  /** @param missingZoneFallback the zone assumed for records that carry none */
  public SubmissionV1ToV2Upcaster(ZoneId missingZoneFallback) {
    this.missingZoneFallback = Objects.requireNonNull(missingZoneFallback, "missingZoneFallback");
  }

  @Override
  public int fromVersion() {
    return 1;
  }

  @Override
  public GenericRecord upcast(GenericRecord v1, UpcastReport report) {
    String id = v1.get("submissionId").toString();
    int revision = (Integer) v1.get("revision");
    String local = v1.get("submittedAtLocal").toString();
    Object zoneValue = v1.get("timeZone");

    LocalDateTime localDateTime;
    try {
      localDateTime = LocalDateTime.parse(local);
    } catch (DateTimeParseException e) {
      throw new UpcastException("submission '" + id + "' (revision " + revision + ")", 1, 2, "submittedAtLocal", local,
          "which is not an ISO local date-time like 2022-03-14T09:26:53", e);
    }
    ZoneId zone;
    if (zoneValue == null || zoneValue.toString().isBlank()) {
      zone = missingZoneFallback;
      report.defaultApplied(1, 2, "timeZone");
    } else {
      try {
        zone = ZoneId.of(zoneValue.toString());
      } catch (DateTimeException e) {
        throw new UpcastException("submission '" + id + "' (revision " + revision + ")", 1, 2, "timeZone", zoneValue.toString(),
            "which is not an IANA zone id like Europe/Berlin", e);
      }
    }
    long submittedAt = ZonedDateTime.ofLocal(localDateTime, zone, null).toInstant().toEpochMilli();
    report.noted("normalised_to_utc");

    GenericRecord v2 = new GenericData.Record(SubmissionSchemas.forVersion(2));
    v2.put("submissionId", id);
    v2.put("revision", revision);
    v2.put("formId", v1.get("formRef").toString());
    v2.put("submittedAt", submittedAt);
    v2.put("amount", v1.get("amount").toString());
    v2.put("currency", v1.get("currency").toString());
    v2.put("submitterEmail", null);
    v2.put("tenantId", null);
    v2.put("answers", v1.get("answers"));
    return v2;
  }
}
