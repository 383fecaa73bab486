package dev.reprise.cli;

import dev.reprise.protocol.ReplayCommand;
import java.util.OptionalDouble;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pause}, {@code resume}, {@code cancel} and {@code throttle}: control events on {@code reprise.requests}. */
final class ControlCommands {

  private ControlCommands() {}

  /** Publishes one command and shows the state the backfill had. */
  abstract static class OneBackfill extends ClientCommand {
    @Parameters(index = "0", paramLabel = "BACKFILL", description = "The backfill id.")
    String backfillId;

    @Option(names = "--requested-by", defaultValue = "${sys:user.name}",
        description = "Who asks, for the audit trail (default: ${DEFAULT-VALUE}).")
    String requestedBy;

    /** Sends {@code type} for the backfill, on behalf of {@code --requested-by}. */
    void send(Session session, ReplayCommand command) {
      session.client().send(command.withRequestedBy(requestedBy));
    }

    int known(Session session) {
      if (session.client().status(backfillId).isEmpty()) {
        session.out().printf("reprise: there is no backfill '%s' (see 'reprise status')%n", backfillId);
        return 1;
      }
      return 0;
    }
  }

  @Command(name = "pause", mixinStandardHelpOptions = true,
      description = "Pause a running backfill (it commits where it is and holds; 'resume' continues).")
  static final class Pause extends OneBackfill {
    @Override
    int run(Session session) {
      if (known(session) != 0) {
        return 1;
      }
      send(session, ReplayCommand.of(ReplayCommand.Type.PAUSE, backfillId));
      session.out().printf("PAUSE sent to '%s'; 'reprise status %s' shows when it took effect%n", backfillId, backfillId);
      return 0;
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume a paused backfill.")
  static final class Resume extends OneBackfill {
    @Override
    int run(Session session) {
      if (known(session) != 0) {
        return 1;
      }
      send(session, ReplayCommand.of(ReplayCommand.Type.RESUME, backfillId));
      session.out().printf("RESUME sent to '%s'%n", backfillId);
      return 0;
    }
  }

  @Command(name = "cancel", mixinStandardHelpOptions = true,
      description = "Cancel a backfill for good (what it published stays; its status says CANCELLED).")
  static final class Cancel extends OneBackfill {
    @Override
    int run(Session session) {
      if (known(session) != 0) {
        return 1;
      }
      send(session, ReplayCommand.of(ReplayCommand.Type.CANCEL, backfillId));
      session.out().printf("CANCEL sent to '%s'%n", backfillId);
      return 0;
    }
  }

  @Command(name = "throttle", mixinStandardHelpOptions = true,
      description = "Cap a running backfill's publish rate now (below its request's maximum), or lift the cap.")
  static final class Throttle extends OneBackfill {
    @ArgGroup(multiplicity = "1")
    Rate rate;

    static final class Rate {
      @Option(names = "--rate", paramLabel = "RECORDS_PER_SECOND", description = "The new ceiling.")
      Double perSecond;

      @Option(names = "--lift", description = "Remove the operator's ceiling.")
      boolean lift;
    }

    @Override
    int run(Session session) {
      if (known(session) != 0) {
        return 1;
      }
      if (rate.perSecond != null && !(rate.perSecond > 0)) {
        throw new IllegalArgumentException("--rate must be positive, was " + rate.perSecond);
      }
      send(session, ReplayCommand.throttle(backfillId, rate.lift ? OptionalDouble.empty() : OptionalDouble.of(rate.perSecond)));
      session.out().printf("THROTTLE sent to '%s': %s%n", backfillId,
          rate.lift ? "operator ceiling lifted" : String.format("at most %.0f records/s", rate.perSecond));
      return 0;
    }
  }
}
