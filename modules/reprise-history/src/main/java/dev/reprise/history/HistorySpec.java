package dev.reprise.history;

import java.time.LocalDate;

/**
 * What history to generate. Build with {@link #builder()}; every property has a default.
 *
 * <pre>{@code
 * HistorySpec spec = HistorySpec.builder().events(100_000).seed(7).build();
 * }</pre>
 *
 * @param events records to write in all (new submissions, corrections, deletions, corrupt ones)
 * @param seed the same seed and spec give the same records, byte for byte
 * @param from first day of history (UTC, inclusive)
 * @param to last day of history (UTC, exclusive)
 * @param v2Since first day records are written with schema v2
 * @param v3Since first day records are written with schema v3
 * @param forms how many distinct forms submissions go to
 * @param tenants how many distinct tenants
 * @param revisionShare share of records that correct an earlier submission (same key, revision+1)
 * @param tombstoneShare share of records that delete an earlier submission (null value)
 * @param dirtyShare share of v1/v2 submissions with a value no upcaster can convert (an
 *     unparseable amount, or in v1 an unknown zone id)
 * @param missingZoneShare share of v1 submissions without a zone id
 * @param corruptShare share of records whose bytes are not readable Avro at all
 * @param idPrefix submission ids are this prefix and a sequence number ({@code s-00000001}); another
 *     prefix gives another generator's records ids of their own (live traffic after history)
 */
public record HistorySpec(
    long events,
    long seed,
    LocalDate from,
    LocalDate to,
    LocalDate v2Since,
    LocalDate v3Since,
    int forms,
    int tenants,
    double revisionShare,
    double tombstoneShare,
    double dirtyShare,
    double missingZoneShare,
    double corruptShare,
    String idPrefix) {

  /** Three years: v1 until the end of 2022, v2 from 2023, v3 (current) from July 2025. */
  public static final LocalDate DEFAULT_FROM = LocalDate.of(2022, 10, 1);
  public static final LocalDate DEFAULT_TO = LocalDate.of(2025, 10, 1);
  public static final LocalDate DEFAULT_V2_SINCE = LocalDate.of(2023, 1, 1);
  public static final LocalDate DEFAULT_V3_SINCE = LocalDate.of(2025, 7, 1);

  public static Builder builder() {
    return new Builder();
  }

  /** The schema version in use on {@code day}. */
  public int versionOn(LocalDate day) {
    if (day.isBefore(v2Since)) {
      return 1;
    }
    return day.isBefore(v3Since) ? 2 : 3;
  }

  /** Builds a {@link HistorySpec}; {@link #build()} names the first invalid property. */
  public static final class Builder {
    private long events = 10_000;
    private long seed = 42;
    private LocalDate from = DEFAULT_FROM;
    private LocalDate to = DEFAULT_TO;
    private LocalDate v2Since = DEFAULT_V2_SINCE;
    private LocalDate v3Since = DEFAULT_V3_SINCE;
    private int forms = 40;
    private int tenants = 12;
    private double revisionShare = 0.12;
    private double tombstoneShare = 0.005;
    private double dirtyShare = 0.01;
    private double missingZoneShare = 0.05;
    private double corruptShare = 0.001;
    private String idPrefix = "s-";

    private Builder() {}

    public Builder events(long events) { this.events = events; return this; }
    public Builder seed(long seed) { this.seed = seed; return this; }
    public Builder from(LocalDate from) { this.from = from; return this; }
    public Builder to(LocalDate to) { this.to = to; return this; }
    public Builder v2Since(LocalDate day) { this.v2Since = day; return this; }
    public Builder v3Since(LocalDate day) { this.v3Since = day; return this; }
    public Builder forms(int forms) { this.forms = forms; return this; }
    public Builder tenants(int tenants) { this.tenants = tenants; return this; }
    public Builder revisionShare(double share) { this.revisionShare = share; return this; }
    public Builder tombstoneShare(double share) { this.tombstoneShare = share; return this; }
    public Builder dirtyShare(double share) { this.dirtyShare = share; return this; }
    public Builder missingZoneShare(double share) { this.missingZoneShare = share; return this; }
    public Builder corruptShare(double share) { this.corruptShare = share; return this; }
    public Builder idPrefix(String prefix) { this.idPrefix = prefix; return this; }

    public HistorySpec build() {
      if (events < 1) {
        throw new IllegalArgumentException("events must be at least 1, was " + events);
      }
      if (from == null || to == null || !from.isBefore(to)) {
        throw new IllegalArgumentException("from must be before to, was from=" + from + " to=" + to);
      }
      if (v2Since == null || v3Since == null || v3Since.isBefore(v2Since)) {
        throw new IllegalArgumentException("v2Since must not be after v3Since, was v2Since=" + v2Since + " v3Since=" + v3Since);
      }
      if (forms < 1) {
        throw new IllegalArgumentException("forms must be at least 1, was " + forms);
      }
      if (tenants < 1) {
        throw new IllegalArgumentException("tenants must be at least 1, was " + tenants);
      }
      share("revisionShare", revisionShare);
      share("tombstoneShare", tombstoneShare);
      share("dirtyShare", dirtyShare);
      share("missingZoneShare", missingZoneShare);
      share("corruptShare", corruptShare);
      if (revisionShare + tombstoneShare + corruptShare >= 1) {
        throw new IllegalArgumentException("revisionShare + tombstoneShare + corruptShare must be below 1");
      }
      if (idPrefix == null || idPrefix.isEmpty()) {
        throw new IllegalArgumentException("idPrefix must not be empty");
      }
      return new HistorySpec(events, seed, from, to, v2Since, v3Since, forms, tenants, revisionShare,
          tombstoneShare, dirtyShare, missingZoneShare, corruptShare, idPrefix);
    }

    private static void share(String name, double value) {
      if (!(value >= 0 && value < 1)) {
        throw new IllegalArgumentException(name + " must be in [0, 1), was " + value);
      }
    }
  }
}
