package dev.reprise.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprise.protocol.AuditEntry;
import dev.reprise.protocol.AuditTrail;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code reprise audit [ID] [--json]}: the audit trail ({@code reprise.audit}) as it stands: every
 * command the coordinators received, who sent it (as the team topic it arrived on establishes),
 * what was decided and why, and every state each backfill entered.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
    description = {"Show the audit trail: every command received (who sent it, the decision and why, the coordinator"
        + " that decided) and every state a backfill entered; of one backfill, or all with policy changes."})
final class AuditCommand extends ClientCommand {

  @Parameters(index = "0", arity = "0..1", paramLabel = "ID", description = "Only this backfill's entries.")
  String backfillId;

  @Option(names = "--json", description = "One JSON object per line.")
  boolean json;

  @Override
  int run(Session session) throws Exception {
    List<AuditEntry> trail = AuditTrail.read(session.clientConfig(), session.client().codec(),
        Optional.ofNullable(backfillId), Duration.ofSeconds(30));
    ObjectMapper mapper = new ObjectMapper();
    for (AuditEntry entry : trail) {
      session.out().println(json ? mapper.writeValueAsString(entry.fields()) : entry.describe());
    }
    if (trail.isEmpty()) {
      spec.commandLine().getErr().println(backfillId == null ? "the audit trail is empty"
          : "no audit entries for backfill '" + backfillId + "'");
      return backfillId == null ? 0 : 1;
    }
    return 0;
  }
}
