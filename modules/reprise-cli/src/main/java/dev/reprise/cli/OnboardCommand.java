package dev.reprise.cli;

import dev.reprise.protocol.BackfillRequest.EffectsPolicy;
import dev.reprise.protocol.BackfillRequest.Mode;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillState;
import dev.reprise.protocol.BackfillStatus;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code reprise onboard --workflow W --live-topic T}: add a workflow to a live system. One
 * handover request: the coordinator sets W's live position on T to T's end (unless W already reads
 * T live, then its position stands) and replays everything before it as a backfill, so each record
 * of T reaches W once: history through the backfill (effects per {@code --effects}, default
 * suppressed), the rest live.
 */
@Command(name = "onboard", mixinStandardHelpOptions = true,
    description = {"Add a workflow to a live topic: its history up to the workflow's live position as a backfill"
        + " (effects suppressed unless --effects ENABLE), everything after it live, each record once. Start the"
        + " workflow's worker with --live-topic before or after; it reads both."})
final class OnboardCommand extends ClientCommand {

  @Option(names = "--workflow", required = true, paramLabel = "NAME", description = "The workflow to onboard.")
  String workflow;

  @Option(names = "--live-topic", required = true, paramLabel = "TOPIC", description = "The live topic it reads.")
  String liveTopic;

  @Option(names = "--id", description = "The backfill id (default: onboard-WORKFLOW-TOPIC).")
  String backfillId;

  @Option(names = "--from", description = "Only history from this UTC date or instant on (default: all of it).")
  String from;

  @Option(names = "--effects", defaultValue = "SUPPRESS",
      description = "For the history: SUPPRESS (default: the workflow records what it would have done) or ENABLE.")
  EffectsPolicy effects;

  @Mixin EventSelection events = new EventSelection();

  @Option(names = "--max-rate", paramLabel = "RECORDS_PER_SECOND", description = "Publish rate ceiling (default: none).")
  Double maxRate;

  @Option(names = "--requested-by", defaultValue = "${sys:user.name}", description = "Who asks (default: ${DEFAULT-VALUE}).")
  String requestedBy;

  @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "30",
      description = "How long to wait for the coordinator to plan the handover and show it (default: ${DEFAULT-VALUE}; 0: don't).")
  long waitSeconds;

  @Override
  int run(Session session) throws InterruptedException {
    String id = backfillId != null ? backfillId : "onboard-" + workflow + "-" + liveTopic;
    BackfillRequest request = new BackfillRequest(id, liveTopic, from == null ? null : RequestCommand.instant("--from", from),
        null, events.filters(), OptionalInt.empty(), Mode.EXECUTE,
        List.of(workflow), maxRate == null ? OptionalDouble.empty() : OptionalDouble.of(maxRate), effects,
        Optional.ofNullable(requestedBy), Optional.of("onboard workflow '" + workflow + "' onto '" + liveTopic + "'"),
        List.of(workflow));
    request = events.apply(request);
    session.client().submit(request);
    session.out().printf("onboarding '%s' onto '%s': backfill '%s' replays its history (effects %s) up to '%s''s live"
        + " position; everything after it is live%n", workflow, liveTopic, id, effects, workflow);
    session.out().printf("run the workflow with: reprise worker --workflow %s --live-topic %s%n", workflow, liveTopic);
    session.out().flush();
    if (waitSeconds <= 0) {
      return 0;
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(waitSeconds).toNanos();
    while (System.nanoTime() < deadline) {
      Optional<BackfillStatus> status = session.client().status(id);
      if (status.isPresent() && status.get().state() == BackfillState.REJECTED) {
        session.out().printf("REJECTED: %s%n", status.get().reason().orElse("(no reason)"));
        return 1;
      }
      if (status.isPresent() && !status.get().partitions().isEmpty()) {
        session.out().print(HandoverView.lines(session.clientConfig(), status.get()));
        session.out().printf("'reprise status %s --follow' shows its progress%n", id);
        return 0;
      }
      TimeUnit.MILLISECONDS.sleep(250);
    }
    session.out().printf("no coordinator has planned '%s' within %d s; is one running with --allow-topic %s?%n", id,
        waitSeconds, liveTopic);
    return 1;
  }
}
