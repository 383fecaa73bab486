package dev.reprise.cli;

import dev.reprise.workflow.DeadLetterRedriver.DeadLetter;
import dev.reprise.workflow.DeadLetterRedriver;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code reprise retry}: list a workflow's dead letters, or retry one, or all of a backfill, through its dedup. */
@Command(name = "retry", mixinStandardHelpOptions = true,
    description = {"List a workflow's dead letters, or retry one item (--item PARTITION@OFFSET) or every item of a"
        + " backfill (--backfill ID). Retries go through the workflow's dedup: nothing runs twice."})
final class RetryCommand extends ClientCommand {

  @Option(names = "--workflow", required = true, description = "The workflow whose dead letters to retry.")
  String workflow;

  @ArgGroup(multiplicity = "1")
  Which which;

  static final class Which {
    @Option(names = "--list", description = "Only list the dead letters.")
    boolean list;

    @Option(names = "--item", paramLabel = "PARTITION@OFFSET", description = "One dead letter.")
    String item;

    @Option(names = "--backfill", paramLabel = "ID", description = "Every dead letter of this backfill.")
    String backfillId;
  }

  @Override
  int run(Session session) {
    try (var redriver = DeadLetterRedriver.create(session.clientConfig(), workflow)) {
      if (which.list) {
        List<DeadLetter> letters = redriver.deadLetters();
        letters.forEach(d -> session.out().printf("%-10s %-7s %-22s %-20s %s%n", d.coordinates(), d.stage(),
            d.eventId().orElse("-"), d.backfillId().orElse("live"), d.error()));
        session.out().printf("%d dead letter(s) in workflow '%s'%n", letters.size(), workflow);
        return 0;
      }
      if (which.item != null) {
        DeadLetter retried = redriver.retryItem(which.item);
        session.out().printf("retried %s (%s)%n", retried.coordinates(), retried.eventId().orElse("no event id"));
        return 0;
      }
      List<DeadLetter> retried = redriver.retryBackfill(which.backfillId);
      session.out().printf("retried %d dead letter(s) of backfill '%s'%n", retried.size(), which.backfillId);
      return 0;
    }
  }
}
