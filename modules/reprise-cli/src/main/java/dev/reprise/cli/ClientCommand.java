package dev.reprise.cli;

import dev.reprise.protocol.BackfillClient;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.registry.ConfluentSchemaRegistryClient;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A command that talks to a running Reprise through a {@link BackfillClient}. */
abstract class ClientCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ConnectionOptions connection = new ConnectionOptions();

  @Option(names = "--team", paramLabel = "TEAM",
      description = "Send commands as this team: to its request topic reprise.requests.TEAM, which on a secured cluster"
          + " only the team's principal may write (env REPRISE_TEAM). Needed where the coordinator enforces an access"
          + " policy.")
  String team;

  /** The team commands are sent as, if any. */
  Optional<String> team() {
    return Optional.ofNullable(team).or(() -> Optional.ofNullable(System.getenv("REPRISE_TEAM")))
        .filter(name -> !name.isBlank());
  }

  /** What the command does with its connection; returns the exit code. */
  abstract int run(Session session) throws Exception;

  /**
   * Checks what picocli cannot before anything connects (or starts the embedded default).
   *
   * @throws UsageException naming what is wrong
   */
  void validate() {}

  /** The connection, the registry and the client of one command. */
  record Session(ConnectionOptions.Connection platform, ConfluentSchemaRegistryClient registry, BackfillClient client,
      PrintWriter out) {
    Map<String, Object> clientConfig() {
      return platform.clientConfig();
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    validate();
    try {
      team().ifPresent(ControlTopics::teamRequests);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--team: " + e.getMessage());
    }
    try (var platform = connection.connect();
        var registry = platform.registry();
        var client = BackfillClient.create(platform.clientConfig(), registry, team())) {
      int code = run(new Session(platform, registry, client, out));
      out.flush();
      return code;
    }
  }
}
