package dev.reprise.cli;

import dev.reprise.history.EventHistoryWriter;
import dev.reprise.history.GeneratedRecord.Kind;
import dev.reprise.history.HistoryGenerator;
import dev.reprise.history.HistorySpec;
import dev.reprise.history.HistorySummary;
import dev.reprise.history.HistoryWriter;
import dev.reprise.spi.EventType;
import dev.reprise.spi.EventTypes;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code reprise seed}: writes generated submission history into a compacted topic. */
@Command(name = "seed", mixinStandardHelpOptions = true,
    description = "Write deterministic, mixed-version submission history (v1/v2/v3, dirty and corrupt records) into a compacted topic.")
final class SeedCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ConnectionOptions connection = new ConnectionOptions();

  @Option(names = "--events", paramLabel = "N", defaultValue = "20000", description = "Records to write (default: ${DEFAULT-VALUE}).")
  long events;

  @Option(names = "--seed", defaultValue = "42", description = "Random seed; the same seed writes the same history (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--id-prefix", defaultValue = "s-",
      description = "Submission ids are this prefix and a number (default: ${DEFAULT-VALUE}); another prefix writes new"
          + " submissions rather than the same ones again, e.g. live traffic after history.")
  String idPrefix;

  @Option(names = "--topic", defaultValue = "submissions", description = "Source topic (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--partitions", defaultValue = "6", description = "Partitions if the topic is created (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--event-type", paramLabel = "NAME",
      description = "Seed the sample history of this event type (a plugin's; default: the built-in submissions, with"
          + " their dirty and corrupt records).")
  String eventType;

  /** A plugin's sample history: what its {@link dev.reprise.spi.SampleHistory} generates. */
  private Integer seedEventType(PrintWriter out) {
    EventType type = EventTypes.byName(eventType);
    var samples = type.sampleHistory().orElseThrow(() -> new IllegalArgumentException("event type '" + eventType
        + "' has no sample history to seed (EventType.sampleHistory()); write its history with its own producers"));
    try (var platform = connection.connect();
        var registry = platform.registry()) {
      out.printf("Seeding %,d '%s' records into '%s' on %s%s%n", events, eventType, topic, platform.bootstrapServers(),
          platform.isEmbedded() ? " (embedded)" : "");
      out.flush();
      long began = System.nanoTime();
      Map<Integer, Long> perVersion = new EventHistoryWriter(platform.clientConfig(), registry)
          .write(topic, partitions, type, samples.generate(seed, events));
      double seconds = (System.nanoTime() - began) / 1e9;
      long written = perVersion.values().stream().mapToLong(Long::longValue).sum();
      out.printf("Wrote %,d records in %.1f s (%,.0f records/s)%n", written, seconds, written / seconds);
      out.printf("  per schema version : %s%n", perVersion);
      return 0;
    }
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (eventType != null && !eventType.equals(CoordinatorCommand.LEGACY_EVENT_TYPE)) {
      return seedEventType(out);
    }
    HistorySpec history = HistorySpec.builder().events(events).seed(seed).idPrefix(idPrefix).build();
    try (var platform = connection.connect();
        var registry = platform.registry()) {
      out.printf("Seeding %,d records of history %s..%s into '%s' on %s%s%n", events, history.from(), history.to(),
          topic, platform.bootstrapServers(), platform.isEmbedded() ? " (embedded)" : "");
      out.flush();
      long began = System.nanoTime();
      HistorySummary summary = new HistoryWriter(platform.clientConfig(), registry)
          .write(topic, partitions, new HistoryGenerator(history));
      double seconds = (System.nanoTime() - began) / 1e9;
      out.printf("Wrote %,d records in %.1f s (%,.0f records/s)%n", summary.records(), seconds, summary.records() / seconds);
      out.printf("  per schema version : %s%n", summary.recordsPerVersion());
      out.printf("  distinct keys      : %,d (corrections: %,d, deletions: %,d)%n", summary.distinctKeys(),
          summary.revisions(), summary.count(Kind.TOMBSTONE));
      out.printf("  missing zone (ok)  : %,d%n", summary.count(Kind.MISSING_ZONE));
      out.printf("  not upcastable     : %,d (unparseable amount %,d, unknown zone %,d)%n",
          summary.count(Kind.UNPARSEABLE_AMOUNT) + summary.count(Kind.UNKNOWN_ZONE),
          summary.count(Kind.UNPARSEABLE_AMOUNT), summary.count(Kind.UNKNOWN_ZONE));
      out.printf("  corrupt bytes      : %,d (truncated %,d, not Avro %,d, unknown schema id %,d)%n",
          summary.count(Kind.CORRUPT_TRUNCATED) + summary.count(Kind.CORRUPT_NOT_AVRO)
              + summary.count(Kind.CORRUPT_UNKNOWN_SCHEMA_ID),
          summary.count(Kind.CORRUPT_TRUNCATED), summary.count(Kind.CORRUPT_NOT_AVRO),
          summary.count(Kind.CORRUPT_UNKNOWN_SCHEMA_ID));
      if (platform.isEmbedded()) {
        out.printf("Embedded data kept in %s; the next run reuses it.%n", connection.dataDirectory);
      }
      return 0;
    }
  }
}
