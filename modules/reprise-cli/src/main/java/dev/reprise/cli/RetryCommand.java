package dev.reprise.cli;

import dev.reprise.protocol.BackfillDeadLetters;
import dev.reprise.protocol.BackfillStatus;
import dev.reprise.protocol.ReplayCommand;
import dev.reprise.protocol.DeadLetterRedriver.DeadLetter;
import dev.reprise.protocol.DeadLetterRedriver;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reprise retry}: a workflow's dead letters (retried through its dedup, on its redrive
 * topic), or a backfill's own (source records the coordinator could not replay, retried by a RETRY
 * request once what failed them is fixed).
 */
@Command(name = "retry", mixinStandardHelpOptions = true,
    description = {"A workflow's dead letters (--workflow W): list them (--list), or retry a backfill's (--backfill ID,"
        + " all or --item PARTITION@OFFSET: a RETRY request the coordinator audits) or one live one (--item alone);"
        + " through the workflow's dedup, nothing runs twice.",
        "A backfill's own dead letters (--backfill ID without --workflow): source records the coordinator could not"
            + " replay; list them (--list) or, once what failed them is fixed (a new plugin version), replay them"
            + " again (all, or --item PARTITION@OFFSET, repeatable) with a RETRY request the coordinator audits."})
final class RetryCommand extends ClientCommand {

  @Option(names = "--workflow", description = "The workflow whose dead letters to list or retry.")
  String workflow;

  @Option(names = "--backfill", paramLabel = "ID", description = "The backfill whose dead letters to list or retry.")
  String backfillId;

  @Option(names = "--item", paramLabel = "PARTITION@OFFSET", description = "One dead letter; repeatable for a backfill's.")
  List<String> items = new ArrayList<>();

  @Option(names = "--list", description = "Only list the dead letters.")
  boolean list;

  @Option(names = "--requested-by", defaultValue = "${sys:user.name}",
      description = "Who asks, for the audit trail (default: ${DEFAULT-VALUE}).")
  String requestedBy;

  @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "60",
      description = "How long to wait for the coordinator's answer to a RETRY (default: ${DEFAULT-VALUE}).")
  long waitSeconds;

  @Override
  void validate() {
    if (workflow == null && backfillId == null) {
      throw new UsageException("say whose dead letters: --workflow W (a workflow's) or --backfill ID (a backfill's own)");
    }
    if (workflow != null) {
      if (list && (backfillId != null || !items.isEmpty())) {
        throw new UsageException("with --workflow, --list goes alone");
      }
      if (!list && backfillId == null && items.size() != 1) {
        throw new UsageException("with --workflow, give --list, --backfill ID [--item PARTITION@OFFSET]..., or one"
            + " --item PARTITION@OFFSET (a live dead letter)");
      }
    } else if (list && !items.isEmpty()) {
      throw new UsageException("--list and --item do not go together");
    }
  }

  @Override
  int run(Session session) {
    return workflow != null ? workflowLetters(session) : backfillLetters(session);
  }

  private int workflowLetters(Session session) {
    try (var redriver = DeadLetterRedriver.create(session.clientConfig(), workflow)) {
      if (list) {
        List<DeadLetter> letters = redriver.deadLetters();
        letters.forEach(d -> session.out().printf("%-10s %-7s %-22s %-20s %s%n", d.coordinates(), d.stage(),
            d.eventId().orElse("-"), d.backfillId().orElse("live"), d.error()));
        session.out().printf("%d dead letter(s) in workflow '%s'%n", letters.size(), workflow);
        return 0;
      }
      if (backfillId == null) {
        // A live dead letter belongs to no backfill, so to no coordinator's command: sent directly.
        DeadLetter retried = redriver.retryItem(items.get(0));
        session.out().printf("retried %s (%s)%n", retried.coordinates(), retried.eventId().orElse("no event id"));
        return 0;
      }
    }
    // A backfill's: a RETRY request, which the backfill's coordinator checks, records in the audit
    // trail with who asked, and carries out through the workflow's redrive topic and dedup.
    session.client().send(ReplayCommand.retry(backfillId, workflow, items).withRequestedBy(requestedBy));
    session.out().printf("RETRY sent for %s of backfill '%s' in workflow '%s'; the coordinator records what it sent"
        + " back in the audit trail ('reprise audit %s')%n", items.isEmpty() ? "every dead letter" : items, backfillId,
        workflow, backfillId);
    return 0;
  }

  private int backfillLetters(Session session) {
    Optional<BackfillStatus> before = session.client().status(backfillId);
    if (before.isEmpty()) {
      session.out().printf("reprise: there is no backfill '%s' (see 'reprise status')%n", backfillId);
      return 1;
    }
    if (list) {
      Set<String> retried = Set.copyOf(before.get().retriedDeadLetters());
      List<BackfillDeadLetters.Letter> letters = BackfillDeadLetters.read(session.clientConfig(), backfillId);
      letters.forEach(l -> session.out().printf("%-10s %-8s source %d@%-10d %-8s %s%n", l.item(),
          retried.contains(l.item()) ? "retried" : "open", l.sourcePartition(), l.sourceOffset(), l.stage(),
          l.message()));
      session.out().printf("%d dead letter(s) of backfill '%s', %d retried%n", letters.size(), backfillId,
          letters.stream().filter(l -> retried.contains(l.item())).count());
      return 0;
    }
    session.client().send(ReplayCommand.retry(backfillId, items).withRequestedBy(requestedBy));
    // The coordinator answers with a new status: retried (COMPLETED, its reason says what) or refused.
    Optional<BackfillStatus> answer = session.client().awaitStatus(backfillId,
        s -> s.updatedAt().isAfter(before.get().updatedAt()), Duration.ofSeconds(waitSeconds), Clock.systemUTC());
    if (answer.isEmpty()) {
      session.out().printf("RETRY sent to '%s'; no answer within %d s ('reprise status %s' shows it)%n", backfillId,
          waitSeconds, backfillId);
      return 1;
    }
    Optional<String> refused = answer.get().refusalSince(before);
    if (refused.isPresent()) {
      session.out().printf("%s%n", refused.get());
      return 1;
    }
    session.out().printf("%s: %s%n", backfillId, answer.get().reason().orElse(answer.get().state().toString()));
    return 0;
  }
}
