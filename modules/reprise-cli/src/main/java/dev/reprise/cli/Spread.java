package dev.reprise.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Minimum, median and maximum of one figure over a benchmark's repeated runs: what is reported,
 * never a single run.
 */
record Spread(double min, double median, double max, int runs) {

  Spread {
    if (runs < 1) {
      throw new IllegalArgumentException("runs must be at least 1, was " + runs);
    }
    if (min > median || median > max) {
      throw new IllegalArgumentException("min <= median <= max does not hold: " + min + ", " + median + ", " + max);
    }
  }

  /** The spread of {@code values}; the median of an even count is the mean of the middle two. */
  static Spread of(List<Double> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("no values to spread");
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    return new Spread(sorted.get(0), median, sorted.get(n - 1), n);
  }

  /** "median M (min A, max B)" with {@code format} for each number, e.g. {@code "%,.0f"}. */
  String describe(String format) {
    return String.format(Locale.ROOT, format + " (min " + format + ", max " + format + ")", median, min, max);
  }

  String json() {
    return String.format(Locale.ROOT, "{\"min\": %.3f, \"median\": %.3f, \"max\": %.3f, \"runs\": %d}", min, median,
        max, runs);
  }
}
