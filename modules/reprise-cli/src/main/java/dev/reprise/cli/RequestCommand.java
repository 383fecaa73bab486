package dev.reprise.cli;

import dev.reprise.protocol.BackfillRequest.EffectsPolicy;
import dev.reprise.protocol.BackfillRequest.Mode;
import dev.reprise.protocol.BackfillRequest;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code reprise request}: publish a replay request (START) with every field of the request as a flag. */
@Command(name = "request", mixinStandardHelpOptions = true,
    description = {"Publish a replay request on reprise.requests. Dates are UTC: 2023-01-01 (midnight) or"
        + " 2023-01-01T12:00:00Z; --to is exclusive. Then follow it with 'reprise status BACKFILL --follow'."})
class RequestCommand extends ClientCommand {

  @Option(names = "--id", required = true, description = "The backfill id (letters, digits, '.', '_', '-').")
  String backfillId;

  @Option(names = "--source", defaultValue = "submissions", description = "Source topic (default: ${DEFAULT-VALUE}).")
  String source;

  @Option(names = "--from", required = true, description = "Start of the range, UTC, inclusive.")
  String from;

  @Option(names = "--to", required = true, description = "End of the range, UTC, exclusive.")
  String to;

  @Mixin EventSelection events = new EventSelection();

  @Option(names = "--target-version", description = "Schema version to upcast to (default: the latest).")
  Integer targetVersion;

  @Option(names = "--preview", description = "Only report what would be replayed (PREVIEW); publish nothing.")
  boolean preview;

  @Option(names = "--workflow", paramLabel = "NAME", description = "A workflow that consumes the backfill; repeat.")
  List<String> workflows = List.of();

  @Option(names = "--max-rate", paramLabel = "RECORDS_PER_SECOND", description = "Publish rate ceiling (default: none).")
  Double maxRate;

  @Option(names = "--effects", defaultValue = "SUPPRESS",
      description = "SUPPRESS (default: workflows record what they would have done) or ENABLE.")
  EffectsPolicy effects;

  @Option(names = "--requested-by", defaultValue = "${sys:user.name}", description = "Who asks (default: ${DEFAULT-VALUE}).")
  String requestedBy;

  @Option(names = "--reason", description = "Why, for the record.")
  String reason;

  @Override
  int run(Session session) throws InterruptedException {
    BackfillRequest request = new BackfillRequest(backfillId, source, instant("--from", from), instant("--to", to),
        events.filters(),
        targetVersion == null ? OptionalInt.empty() : OptionalInt.of(targetVersion), preview ? Mode.PREVIEW : Mode.EXECUTE,
        workflows, maxRate == null ? OptionalDouble.empty() : OptionalDouble.of(maxRate), effects,
        Optional.ofNullable(requestedBy), Optional.ofNullable(reason));
    request = events.apply(request);
    session.client().submit(request);
    session.out().printf("%s request '%s' published; 'reprise status %s --follow' shows its progress%n",
        preview ? "PREVIEW" : "EXECUTE", backfillId, backfillId);
    return 0;
  }

  static Instant instant(String option, String text) {
    try {
      return text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(option + " '" + text + "' is not a UTC date (2023-01-01) or instant"
          + " (2023-01-01T12:00:00Z)");
    }
  }
}
