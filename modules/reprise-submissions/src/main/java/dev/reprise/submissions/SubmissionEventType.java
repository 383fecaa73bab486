package dev.reprise.submissions;

import dev.reprise.spi.EventType;
import dev.reprise.spi.EventWindow;
import dev.reprise.spi.SchemaVersions;
import dev.reprise.spi.upcast.UpcasterChain;
import dev.reprise.submissions.upcast.SubmissionV1ToV2Upcaster;
import dev.reprise.submissions.upcast.SubmissionV2ToV3Upcaster;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;

/**
 * Form submissions as an event type: versions v1..v3 ({@link SubmissionSchemas}), identity {@code
 * submissionId#revision} (a correction is a new event), event time {@code submittedAt} (UTC, from
 * v2 on; v1's local time is upcast), filter attributes {@code formId} and {@code tenantId} (the
 * default tenant for records written before tenants existed).
 *
 * <pre>{@code
 * EventType submissions = SubmissionEventType.builder().defaultTenant("acme").build();
 * UpcasterChain chain = submissions.newChain();
 * }</pre>
 *
 * <p>Registered for {@link java.util.ServiceLoader} with its defaults ({@link
 * #SubmissionEventType()}).
 */
public final class SubmissionEventType implements EventType {

  /** The type's name in requests and statuses. */
  public static final String NAME = "submissions";
  /** Filter attribute: the form. */
  public static final String FORM_ID = "formId";
  /** Filter attribute: the tenant. */
  public static final String TENANT_ID = "tenantId";
  /** The tenant of records written before tenants were mandatory, unless configured otherwise. */
  public static final String DEFAULT_TENANT = "default";
  /** The zone of v1 records that carry none, unless configured otherwise. */
  public static final ZoneId DEFAULT_MISSING_ZONE = ZoneOffset.UTC;

  /** Offsets from UTC span -12 h..+14 h; ±18 h is what {@link ZoneOffset} allows. */
  private static final long LOCAL_TIME_SLACK_MILLIS = Duration.ofHours(18).toMillis();
  private static final SchemaVersions VERSIONS = SubmissionSchemas.versions();

  private final String defaultTenant;
  private final ZoneId missingZoneFallback;

  /** With the defaults: tenant {@value #DEFAULT_TENANT}, zone UTC for v1 records without one. */
  public SubmissionEventType() {
    this(DEFAULT_TENANT, DEFAULT_MISSING_ZONE);
  }

  private SubmissionEventType(String defaultTenant, ZoneId missingZoneFallback) {
    this.defaultTenant = defaultTenant;
    this.missingZoneFallback = missingZoneFallback;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public SchemaVersions versions() {
    return VERSIONS;
  }

  /** v1 has no UTC submission time to filter a range on. */
  @Override
  public int minTargetVersion() {
    return 2;
  }

  @Override
  public UpcasterChain newChain() {
    return UpcasterChain.of(VERSIONS, List.of(new SubmissionV1ToV2Upcaster(missingZoneFallback),
        new SubmissionV2ToV3Upcaster(defaultTenant)));
  }

  @Override
  public String eventId(GenericRecord submission) {
    Object id = submission.get("submissionId");
    Object revision = submission.get("revision");
    if (id == null || id.toString().isBlank()) {
      throw new IllegalArgumentException("submissionId is missing or blank");
    }
    if (!(revision instanceof Integer number) || number < 0) {
      throw new IllegalArgumentException("submission '" + id + "' has no int revision ≥ 0: " + revision);
    }
    return id + "#" + number;
  }

  @Override
  public long eventTimeMillis(GenericRecord submission) {
    return (Long) submission.get("submittedAt");
  }

  @Override
  public Map<String, String> attributes(GenericRecord submission) {
    return attributes(submission.get("formId"), tenantOf(submission));
  }

  @Override
  public java.util.Set<String> attributeNames() {
    return java.util.Set.of(FORM_ID, TENANT_ID);
  }

  @Override
  public EventWindow windowOf(GenericRecord raw, int version) {
    if (version == 1) {
      // No tenant before v3, no UTC time in v1: a local time is within ±18 h of its instant.
      Map<String, String> attributes = attributes(raw.get("formRef"), defaultTenant);
      try {
        long local = LocalDateTime.parse(raw.get("submittedAtLocal").toString()).toInstant(ZoneOffset.UTC).toEpochMilli();
        return EventWindow.around(local, LOCAL_TIME_SLACK_MILLIS, attributes);
      } catch (DateTimeParseException e) {
        return EventWindow.anyTime(attributes);
      }
    }
    return EventWindow.exact(eventTimeMillis(raw), attributes(raw));
  }

  /** The tenant a filter sees: the record's, or the default tenant where it has none. */
  private String tenantOf(GenericRecord record) {
    Object tenant = record.getSchema().getField(TENANT_ID) == null ? null : record.get(TENANT_ID);
    return tenant == null || tenant.toString().isBlank() ? defaultTenant : tenant.toString();
  }

  private static Map<String, String> attributes(Object formId, String tenant) {
    Map<String, String> attributes = new HashMap<>(2);
    if (formId != null) {
      attributes.put(FORM_ID, formId.toString());
    }
    attributes.put(TENANT_ID, tenant);
    return attributes;
  }

  /** The tenant records without one get (and are filtered as). */
  public String defaultTenant() {
    return defaultTenant;
  }

  /** Configures a {@link SubmissionEventType}; validates at {@link #build()}. */
  public static final class Builder {
    private ZoneId missingZoneFallback = DEFAULT_MISSING_ZONE;
    private String defaultTenant = DEFAULT_TENANT;

    private Builder() {}

    /** The zone assumed for v1 records without one (default UTC, the v1 servers' zone). */
    public Builder missingZoneFallback(ZoneId zone) {
      this.missingZoneFallback = zone;
      return this;
    }

    /** The tenant of records written before tenants were mandatory (default {@code "default"}). */
    public Builder defaultTenant(String tenant) {
      this.defaultTenant = tenant;
      return this;
    }

    public SubmissionEventType build() {
      if (missingZoneFallback == null) {
        throw new IllegalArgumentException("missingZoneFallback must not be null");
      }
      if (defaultTenant == null || defaultTenant.isBlank()) {
        throw new IllegalArgumentException("defaultTenant must not be null or blank, was '" + defaultTenant + "'");
      }
      return new SubmissionEventType(defaultTenant, missingZoneFallback);
    }
  }
}
