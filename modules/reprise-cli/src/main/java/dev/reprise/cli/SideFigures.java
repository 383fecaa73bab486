package dev.reprise.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One benchmark side's figures over its runs, each measured by {@link CommittedWindow}: records/s,
 * CPU-seconds of its JVM and of the broker's per million records, bytes written per input record.
 */
final class SideFigures {

  private final String name;
  private final List<Double> rates = new ArrayList<>();
  private final List<Double> clientCpu = new ArrayList<>();
  private final List<Double> brokerCpu = new ArrayList<>();
  private final List<Double> bytesPerRecord = new ArrayList<>();

  SideFigures(String name) {
    this.name = name;
  }

  /** Adds one run and prints its line. */
  void add(CommittedWindow.Measurement measurement, double bytesWrittenPerRecord, PrintWriter out) {
    rates.add(measurement.rate());
    clientCpu.add(measurement.clientCpuPerMillion());
    measurement.brokerCpuPerMillion().ifPresent(brokerCpu::add);
    bytesPerRecord.add(bytesWrittenPerRecord);
    out.printf(Locale.ROOT, "    %-11s %,9.0f records/s  (%,d records in %.2f s; CPU per 1M records: %.1f s own JVM, %s"
            + " broker; %.0f bytes written per record)%n", name, measurement.rate(), measurement.records(),
        measurement.seconds(), measurement.clientCpuPerMillion(),
        measurement.brokerCpuPerMillion().isPresent()
            ? String.format(Locale.ROOT, "%.1f s", measurement.brokerCpuPerMillion().getAsDouble()) : "n/a",
        bytesWrittenPerRecord);
    out.flush();
  }

  double lastRate() {
    return rates.get(rates.size() - 1);
  }

  /** The side's summary: median (min, max) of each figure. */
  void describe(PrintWriter out) {
    out.printf("  %s: %s records/s; CPU per 1M records %s s own JVM, %s broker; %s bytes written per record%n", name,
        Spread.of(rates).describe("%,.0f"), Spread.of(clientCpu).describe("%.1f"),
        brokerCpu.isEmpty() ? "n/a" : Spread.of(brokerCpu).describe("%.1f") + " s",
        Spread.of(bytesPerRecord).describe("%.0f"));
  }

  String json() {
    return String.format(Locale.ROOT, "{\"recordsPerSecond\": %s, \"clientCpuSecondsPerMillion\": %s,"
            + " \"brokerCpuSecondsPerMillion\": %s, \"bytesWrittenPerRecord\": %s}", Spread.of(rates).json(),
        Spread.of(clientCpu).json(), brokerCpu.isEmpty() ? "null" : Spread.of(brokerCpu).json(),
        Spread.of(bytesPerRecord).json());
  }
}
