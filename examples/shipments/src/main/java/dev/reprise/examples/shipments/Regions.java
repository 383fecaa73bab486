package dev.reprise.examples.shipments;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** The sales region of a destination country: what v3 stores, and what a request filters on. */
final class Regions {

  private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");
  private static final Map<String, String> KNOWN = Map.ofEntries(
      Map.entry("DE", "EU"), Map.entry("FR", "EU"), Map.entry("NL", "EU"), Map.entry("ES", "EU"),
      Map.entry("IT", "EU"), Map.entry("PL", "EU"), Map.entry("SE", "EU"), Map.entry("IE", "EU"),
      Map.entry("US", "NA"), Map.entry("CA", "NA"), Map.entry("MX", "NA"),
      Map.entry("JP", "APAC"), Map.entry("AU", "APAC"), Map.entry("SG", "APAC"), Map.entry("IN", "APAC"));

  private Regions() {}

  /** The region of {@code country}; empty if it is no country code (then the record cannot be upcast). */
  static Optional<String> of(CharSequence country) {
    if (country == null) {
      return Optional.empty();
    }
    String code = country.toString().strip().toUpperCase(java.util.Locale.ROOT);
    if (!COUNTRY.matcher(code).matches()) {
      return Optional.empty();
    }
    return Optional.of(KNOWN.getOrDefault(code, "OTHER"));
  }
}
