package dev.reprise.verify;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * What a verification found.
 *
 * @param days stage one, per day of event time (UTC), every day any side has
 * @param sampled stage two: records compared field by field
 * @param differences stage two: sampled records that differ or are missing, one line each (at most
 *     20 listed)
 */
public record VerificationReport(String backfillId, List<DayCheck> days, long sampled, List<String> differences,
    long sampleMismatches) {

  public VerificationReport {
    days = List.copyOf(days);
    differences = List.copyOf(differences);
  }

  /** Whether every day matches on every side and every sampled record is identical. */
  public boolean verified() {
    return failedDays().isEmpty() && sampleMismatches == 0;
  }

  /** The days where some side differs. */
  public List<DayCheck> failedDays() {
    return days.stream().filter(d -> !d.matches()).toList();
  }

  /** Why it failed, in one line per finding (empty when verified). */
  public String failures() {
    StringBuilder out = new StringBuilder();
    List<DayCheck> failed = failedDays();
    if (!failed.isEmpty()) {
      out.append(failed.size()).append(" day(s) differ: ");
      out.append(String.join("; ", failed.stream().limit(10).map(DayCheck::describe).toList()));
      if (failed.size() > 10) {
        out.append("; ...");
      }
    }
    if (sampleMismatches > 0) {
      if (!out.isEmpty()) {
        out.append(". ");
      }
      out.append(sampleMismatches).append(" of ").append(sampled).append(" sampled record(s) differ: ")
          .append(String.join("; ", differences.stream().limit(5).toList()));
    }
    return out.toString();
  }

  /**
   * One day: count and order-independent checksum (sum of the events' {@code EventChecksum}s
   * modulo 2^64) of the in-range source records after upcast and filters, of the backfill topic, and
   * of each named workflow's receipts for this backfill.
   */
  public record DayCheck(LocalDate day, Side expected, Side published, Map<String, Side> workflows) {

    public DayCheck {
      workflows = Map.copyOf(workflows);
    }

    public boolean matches() {
      return expected.equals(published) && workflows.values().stream().allMatch(expected::equals);
    }

    String describe() {
      StringBuilder out = new StringBuilder(day.toString()).append(": expected ").append(expected);
      if (!published.equals(expected)) {
        out.append(", backfill topic ").append(published);
      }
      workflows.forEach((workflow, side) -> {
        if (!side.equals(expected)) {
          out.append(", workflow ").append(workflow).append(" receipts ").append(side);
        }
      });
      return out.toString();
    }
  }

  /** A count and a checksum. */
  public record Side(long count, long checksum) {

    static final Side EMPTY = new Side(0, 0);

    Side plus(long eventChecksum) {
      return new Side(count + 1, checksum + eventChecksum);
    }

    @Override
    public String toString() {
      return count + " records (checksum " + String.format("%016x", checksum) + ")";
    }
  }
}
