package dev.reprise.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprise.protocol.AuditEntry;
import dev.reprise.protocol.AuditTrail;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
      session.out().println(json ? mapper.writeValueAsString(view(entry)) : entry.describe());
    }
    if (trail.isEmpty()) {
      spec.commandLine().getErr().println(backfillId == null ? "the audit trail is empty"
          : "no audit entries for backfill '" + backfillId + "'");
      return backfillId == null ? 0 : 1;
    }
    return 0;
  }

  private static Map<String, Object> view(AuditEntry entry) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("at", entry.at().toString());
    entry.backfillId().ifPresent(id -> view.put("backfillId", id));
    view.put("kind", entry.kind().name());
    entry.command().ifPresent(c -> view.put("command", c));
    entry.requester().ifPresent(r -> view.put("requester", r));
    entry.decision().ifPresent(d -> view.put("decision", d));
    entry.reason().ifPresent(r -> view.put("reason", r));
    entry.fromState().ifPresent(s -> view.put("fromState", s));
    entry.toState().ifPresent(s -> view.put("toState", s));
    view.put("coordinator", entry.coordinator());
    entry.source().ifPresent(s -> view.put("source", s));
    return view;
  }
}
