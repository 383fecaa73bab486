package dev.reprise.cli;

import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillRequest.EffectsPolicy;
import dev.reprise.protocol.BackfillRequest.Mode;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.ControlTopics;
import java.time.Clock;
import java.time.Duration;
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

  @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "30",
      description = "How long to wait for the coordinator's answer (default: ${DEFAULT-VALUE}; 0: don't). A REJECTED"
          + " request exits 1 with the reason.")
  long waitSeconds;

  @Override
  void validate() {
    instant("--from", from);
    instant("--to", to);
    events.filters();
  }

  @Override
  int run(Session session) throws InterruptedException {
    BackfillRequest request = new BackfillRequest(backfillId, source, instant("--from", from), instant("--to", to),
        events.filters(),
        targetVersion == null ? OptionalInt.empty() : OptionalInt.of(targetVersion), preview ? Mode.PREVIEW : Mode.EXECUTE,
        workflows, maxRate == null ? OptionalDouble.empty() : OptionalDouble.of(maxRate), effects,
        Optional.ofNullable(requestedBy), Optional.ofNullable(reason));
    request = events.apply(request);
    Optional<BackfillStatus> before = session.client().status(backfillId);
    session.client().submit(request);
    session.out().printf("%s request '%s' published%n", preview ? "PREVIEW" : "EXECUTE", backfillId);
    return waitSeconds > 0 ? awaitAnswer(session, before) : 0;
  }

  /**
   * Waits for the coordinator's answer: a new status for the id. REJECTED exits 1 with the reason;
   * no answer in time says so (a request published while no coordinator serves is still served
   * later).
   */
  private int awaitAnswer(Session session, Optional<BackfillStatus> before) {
    Optional<BackfillStatus> now = session.client().awaitStatus(backfillId, s -> !Optional.of(s).equals(before),
        Duration.ofSeconds(waitSeconds), Clock.systemUTC());
    if (now.isPresent()) {
      BackfillStatus answer = now.get();
      if (answer.state() == BackfillState.REJECTED) {
        session.out().printf("REJECTED: %s%n", answer.reason().orElse("no reason given"));
        return 1;
      }
      if (before.isPresent() && answer.refusalSince(before).isPresent()) {
        session.out().printf("refused: %s%n", answer.refusalSince(before).get());
        return 1;
      }
      session.out().printf("%s; 'reprise status %s --follow' shows its progress%n", answer.state(), backfillId);
      return 0;
    }
    session.out().printf("no answer within %d s%s; 'reprise status %s' shows it once a coordinator serves %s%n",
        waitSeconds, before.map(s -> " (backfill '" + backfillId + "' exists already, " + s.state()
            + ": the same request again changes nothing)").orElse(" (is a coordinator running?)"), backfillId,
        ControlTopics.REQUESTS);
    return 0;
  }

  static Instant instant(String option, String text) {
    try {
      return text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new UsageException(option + " '" + text + "' is not a UTC date (2023-01-01) or instant"
          + " (2023-01-01T12:00:00Z)");
    }
  }
}
