package dev.reprise.history;

import dev.reprise.history.GeneratedRecord.Kind;
import dev.reprise.history.GeneratedRecord.Truth;
import dev.reprise.submissions.SubmissionSchemas;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Generates realistic submission history, deterministically: the same {@link HistorySpec} gives
 * the same records in the same order. Records come in write order, one day after the other, so
 * any size streams in bounded memory.
 *
 * <pre>{@code
 * for (GeneratedRecord record : new HistoryGenerator(HistorySpec.builder().events(1000).build())) {
 *   ...
 * }
 * }</pre>
 *
 * <p>What makes it realistic:
 *
 * <ul>
 *   <li>Uneven volume: weekdays busy, weekends quiet, about 3% of days four times as busy, volume
 *       growing over the years, ±20% noise.
 *   <li>Each record is written with the schema version in use on its write day.
 *   <li>Corrections: a share of records revise a recent submission (same key, revision + 1, same
 *       submission time, maybe a new amount), possibly with a newer schema than the original, so a
 *       compacted topic keeps only the last revision. Deletions write tombstones.
 *   <li>Dirt: unparseable amounts in v1 and v2, unknown zone ids and missing zone ids in v1.
 *       Missing zones follow the documented rule (v1 servers ran in UTC), so they upcast to the
 *       true instant; the others cannot be upcast.
 *   <li>Corrupt records whose bytes are not Avro at all (see {@link Kind}).
 * </ul>
 */
public final class HistoryGenerator implements Iterable<GeneratedRecord> {

  private static final List<String> ZONES = List.of(
      "Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC", "Europe/London", "Australia/Sydney",
      "America/Los_Angeles", "Asia/Kolkata");
  private static final List<String> UNKNOWN_ZONES = List.of("Europe/Atlantis", "CEST", "GMT+25", "Mars/Olympus");
  private static final List<String> BAD_AMOUNTS = List.of("12,50", "N/A", "", "1.234,00", "twelve", "12.345", "€9");
  private static final List<String> CURRENCIES = List.of("EUR", "USD", "GBP");
  private static final int RECENT_SUBMISSIONS = 4096;

  private final HistorySpec spec;

  public HistoryGenerator(HistorySpec spec) {
    this.spec = spec;
  }

  public HistorySpec spec() {
    return spec;
  }

  @Override
  public Iterator<GeneratedRecord> iterator() {
    return new Run();
  }

  /** Records per day of write time, summing to exactly {@code spec.events()}. */
  long[] dailyCounts() {
    int days = (int) ChronoUnit.DAYS.between(spec.from(), spec.to());
    SplittableRandom random = new SplittableRandom(spec.seed() ^ 0x5DEECE66DL);
    double[] weight = new double[days];
    double total = 0;
    for (int d = 0; d < days; d++) {
      DayOfWeek dow = spec.from().plusDays(d).getDayOfWeek();
      double base = dow == DayOfWeek.SATURDAY ? 0.4 : dow == DayOfWeek.SUNDAY ? 0.3 : 1.0;
      double trend = 0.6 + 0.8 * d / Math.max(1, days - 1);
      double busy = random.nextDouble() < 0.03 ? 4.0 : 1.0;
      double noise = 0.8 + 0.4 * random.nextDouble();
      weight[d] = base * trend * busy * noise;
      total += weight[d];
    }
    long[] counts = new long[days];
    double cumulative = 0;
    long assigned = 0;
    for (int d = 0; d < days; d++) {
      cumulative += weight[d];
      long upTo = Math.round(spec.events() * cumulative / total);
      counts[d] = upTo - assigned;
      assigned = upTo;
    }
    return counts;
  }

  /** A submission that may still be corrected or deleted. */
  private static final class Live {
    final String id;
    final String formId;
    final String tenantId;
    final String email;
    final Instant submittedAt;
    final String zone;
    final String currency;
    final Map<String, String> answers;
    int revision;
    long amountCents;

    Live(String id, String formId, String tenantId, String email, Instant submittedAt, String zone,
        String currency, Map<String, String> answers, long amountCents) {
      this.id = id;
      this.formId = formId;
      this.tenantId = tenantId;
      this.email = email;
      this.submittedAt = submittedAt;
      this.zone = zone;
      this.currency = currency;
      this.answers = answers;
      this.amountCents = amountCents;
    }
  }

  private final class Run implements Iterator<GeneratedRecord> {
    private final SplittableRandom random = new SplittableRandom(spec.seed());
    private final long[] dailyCounts = dailyCounts();
    private final Live[] recent = new Live[RECENT_SUBMISSIONS];
    private int recentSize;
    private int recentNext;
    private long sequence;
    private int day = -1;
    private int[] secondsOfDay = new int[0];
    private int indexInDay;

    @Override
    public boolean hasNext() {
      while (indexInDay >= secondsOfDay.length) {
        if (day + 1 >= dailyCounts.length) {
          return false;
        }
        day++;
        secondsOfDay = new int[(int) dailyCounts[day]];
        for (int i = 0; i < secondsOfDay.length; i++) {
          secondsOfDay[i] = random.nextInt(86_400);
        }
        Arrays.sort(secondsOfDay);
        indexInDay = 0;
      }
      return true;
    }

    @Override
    public GeneratedRecord next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      LocalDate date = spec.from().plusDays(day);
      Instant writtenOn = date.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(secondsOfDay[indexInDay++]);
      int version = spec.versionOn(date);
      double u = random.nextDouble();
      if (u < spec.tombstoneShare() && recentSize > 0) {
        Live deleted = removeRandomRecent();
        return new GeneratedRecord(deleted.id, Kind.TOMBSTONE, 0, null, writtenOn, null);
      }
      if (u < spec.tombstoneShare() + spec.revisionShare() && recentSize > 0) {
        Live corrected = recent[random.nextInt(recentSize)];
        corrected.revision++;
        if (random.nextBoolean()) {
          corrected.amountCents = randomAmountCents();
        }
        return submission(corrected, version, writtenOn, Kind.VALID);
      }
      boolean corrupt = u >= 1 - spec.corruptShare();
      Live created = newSubmission(writtenOn);
      Kind kind = corrupt ? corruptKind() : dirtKind(version);
      if (!corrupt) {
        remember(created);
      }
      return submission(created, version, writtenOn, kind);
    }

    private Kind corruptKind() {
      return switch (random.nextInt(3)) {
        case 0 -> Kind.CORRUPT_TRUNCATED;
        case 1 -> Kind.CORRUPT_NOT_AVRO;
        default -> Kind.CORRUPT_UNKNOWN_SCHEMA_ID;
      };
    }

    private Kind dirtKind(int version) {
      if (version < 3 && random.nextDouble() < spec.dirtyShare()) {
        return version == 1 && random.nextBoolean() ? Kind.UNKNOWN_ZONE : Kind.UNPARSEABLE_AMOUNT;
      }
      if (version == 1 && random.nextDouble() < spec.missingZoneShare()) {
        return Kind.MISSING_ZONE;
      }
      return Kind.VALID;
    }

    private Live newSubmission(Instant submittedAt) {
      sequence++;
      String id = spec.idPrefix() + String.format("%08d", sequence);
      // A few forms get most submissions: the square skews the pick towards low numbers.
      double f = random.nextDouble();
      String formId = "form-" + (1 + (int) (f * f * spec.forms()));
      String tenantId = "tenant-" + (1 + random.nextInt(spec.tenants()));
      String email = random.nextDouble() < 0.6 ? "user" + random.nextInt(100_000) + "@example.org" : null;
      String zone = ZONES.get(random.nextInt(ZONES.size()));
      String currency = CURRENCIES.get(random.nextInt(CURRENCIES.size()));
      Map<String, String> answers = new LinkedHashMap<>();
      int questions = 2 + random.nextInt(3);
      for (int q = 1; q <= questions; q++) {
        answers.put("q" + q, "answer-" + random.nextInt(50));
      }
      return new Live(id, formId, tenantId, email, submittedAt, zone, currency, answers, randomAmountCents());
    }

    private long randomAmountCents() {
      // Roughly log-uniform between 1.00 and 1000.00, with whole amounts common.
      long cents = (long) Math.exp(Math.log(100) + random.nextDouble() * Math.log(1000));
      return random.nextInt(4) == 0 ? cents / 100 * 100 : cents;
    }

    private void remember(Live live) {
      if (recentSize < RECENT_SUBMISSIONS) {
        recent[recentSize++] = live;
      } else {
        recent[recentNext] = live;
        recentNext = (recentNext + 1) % RECENT_SUBMISSIONS;
      }
    }

    private Live removeRandomRecent() {
      int index = random.nextInt(recentSize);
      Live removed = recent[index];
      recent[index] = recent[recentSize - 1];
      recent[--recentSize] = null;
      return removed;
    }

    private GeneratedRecord submission(Live live, int version, Instant writtenOn, Kind kind) {
      String amount = kind == Kind.UNPARSEABLE_AMOUNT
          ? BAD_AMOUNTS.get(random.nextInt(BAD_AMOUNTS.size()))
          : formatAmount(live.amountCents);
      String tenant = switch (version) {
        case 1 -> null;
        case 2 -> Math.floorMod(live.id.hashCode(), 10) < 7 ? live.tenantId : null;
        default -> live.tenantId;
      };
      String email = version == 1 ? null : live.email;
      String status = "RECEIVED";
      GenericRecord value = new GenericData.Record(SubmissionSchemas.forVersion(version));
      value.put("submissionId", live.id);
      value.put("revision", live.revision);
      value.put("currency", live.currency);
      value.put("answers", live.answers);
      if (version == 1) {
        String zone = switch (kind) {
          case MISSING_ZONE -> null;
          case UNKNOWN_ZONE -> UNKNOWN_ZONES.get(random.nextInt(UNKNOWN_ZONES.size()));
          default -> live.zone;
        };
        // Without a (valid) zone the v1 server wrote its own local time, which was UTC.
        ZoneId renderIn = zone == null || kind == Kind.UNKNOWN_ZONE ? ZoneOffset.UTC : ZoneId.of(zone);
        value.put("formRef", live.formId);
        value.put("submittedAtLocal", live.submittedAt.atZone(renderIn).toLocalDateTime().toString());
        value.put("timeZone", zone);
        value.put("amount", amount);
      } else {
        value.put("formId", live.formId);
        value.put("submittedAt", live.submittedAt.toEpochMilli());
        value.put("submitterEmail", email);
        if (version == 2) {
          value.put("amount", amount);
          value.put("tenantId", tenant);
        } else {
          status = live.revision > 0 && random.nextBoolean() ? "ACCEPTED" : "RECEIVED";
          value.put("amountCents", live.amountCents);
          value.put("tenantId", tenant);
          value.put("status", new GenericData.EnumSymbol(
              value.getSchema().getField("status").schema(), status));
        }
      }
      Truth truth = kind.corrupt() ? null : new Truth(live.id, live.revision, live.formId, tenant,
          live.submittedAt, kind == Kind.UNPARSEABLE_AMOUNT ? null : live.amountCents, live.currency, email, status);
      return new GeneratedRecord(live.id, kind, version, value, writtenOn, truth);
    }

    private String formatAmount(long cents) {
      // Writers typed amounts in several harmless shapes: "12.50", "12.5", "12".
      BigDecimal amount = BigDecimal.valueOf(cents, 2);
      return switch (random.nextInt(6)) {
        case 0 -> amount.stripTrailingZeros().scale() <= 0
            ? amount.setScale(0).toPlainString() : amount.stripTrailingZeros().toPlainString();
        default -> amount.toPlainString();
      };
    }
  }

  /** Counts a generated sequence without writing it anywhere. */
  public HistorySummary summarize() {
    HistorySummary.Accumulator accumulator = new HistorySummary.Accumulator();
    for (GeneratedRecord record : this) {
      accumulator.add(record);
    }
    return accumulator.summary();
  }

  /** Up to {@code n} records, for tests and samples. */
  public List<GeneratedRecord> first(int n) {
    List<GeneratedRecord> records = new ArrayList<>();
    Iterator<GeneratedRecord> it = iterator();
    while (records.size() < n && it.hasNext()) {
      records.add(it.next());
    }
    return records;
  }
}
