package dev.reprise.verify;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * What a verification found.
 *
 * @param days stage one, per day of event time (UTC), every day any side has
 * @param sampled stage two: records compared field by field
 * @param differences stage two: sampled records that differ or are missing, and replayed records
 *     whose absence from the source nothing explains, one line each (at most 20 listed)
 * @param compacted replayed records the source's log cleaner has since removed because a later
 *     record of their key superseded them: expected as the backfill topic has them
 * @param deleted replayed records removed from the source together with every record of their key
 *     (a tombstone, itself removed after {@code delete.retention.ms}): expected likewise
 * @param sinks stage three, where the verifier was given sinks that can count: effects performed
 *     exactly once at the sink
 */
public record VerificationReport(String backfillId, List<DayCheck> days, long sampled, List<String> differences,
    long sampleMismatches, long compacted, long deleted, EffectsAtSinks sinks) {

  public VerificationReport {
    days = List.copyOf(days);
    differences = List.copyOf(differences);
  }

  /**
   * Whether every day matches on every side, every sampled record is identical and every effect
   * checked at its sink happened there exactly once.
   */
  public boolean verified() {
    return failedDays().isEmpty() && sampleMismatches == 0 && sinks.notOnce() == 0;
  }

  /** Replayed records no longer in the source, removed by its log cleaner: {@link #compacted} plus {@link #deleted}. */
  public long goneFromSource() {
    return compacted + deleted;
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
    if (sinks.notOnce() > 0) {
      if (!out.isEmpty()) {
        out.append(". ");
      }
      out.append(sinks.notOnce()).append(" of ").append(sinks.checked()).append(" effect(s) did not happen exactly once"
          + " at their sink: ").append(String.join("; ", sinks.findings().stream().limit(5).toList()));
    }
    if (sampleMismatches > 0 || !differences.isEmpty()) {
      if (!out.isEmpty()) {
        out.append(". ");
      }
      if (sampleMismatches > 0) {
        out.append(sampleMismatches).append(" of ").append(sampled).append(" sampled record(s) differ: ");
      }
      out.append(String.join("; ", differences.stream().limit(5).toList()));
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

  /**
   * Effects the named workflows performed for this backfill, as their outboxes hold them, each
   * asked of its sink ({@code EffectSink.timesPerformed}): only effects of events whose latest
   * receipt is PROCESSED, on sinks the verifier was given. Suppressed effects never reach an outbox,
   * so they have no key to ask about.
   *
   * @param checked effects whose sink answered with a count
   * @param notOnce those the sink saw other than exactly once
   * @param uncountable effects whose sink cannot count, not checked
   * @param findings one line per effect not once (at most 20 listed)
   */
  public record EffectsAtSinks(long checked, long notOnce, long uncountable, List<String> findings) {

    /** Nothing checked: no sink was given. */
    public static final EffectsAtSinks NONE = new EffectsAtSinks(0, 0, 0, List.of());

    public EffectsAtSinks {
      findings = List.copyOf(findings);
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
