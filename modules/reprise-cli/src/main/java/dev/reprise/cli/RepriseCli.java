package dev.reprise.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code reprise}: the command line of Reprise. Run it through {@code ./reprise} at the root of the
 * repository, which builds it when needed.
 *
 * <pre>{@code
 * ./reprise seed --events 20000                      # embedded default
 * ./reprise seed --bootstrap-server kafka:9092 --schema-registry http://registry:8081
 * }</pre>
 *
 * <p>Exit codes: 0 success, 1 the work failed, 2 the command line was wrong.
 */
@Command(
    name = "reprise",
    mixinStandardHelpOptions = true,
    version = "reprise 0.1.0-SNAPSHOT",
    description = "Safe, verified replays of Kafka event history (backfills).",
    subcommands = {DemoCommand.class, UpCommand.class, SeedCommand.class, CoordinatorCommand.class, WorkerCommand.class,
        RequestCommand.class, OnboardCommand.class, PreviewCommand.class, StatusCommand.class, ControlCommands.Pause.class, ControlCommands.Resume.class,
        ControlCommands.Cancel.class, ControlCommands.Throttle.class, RetryCommand.class, VerifyCommand.class,
        LagCommand.class, DashboardCommand.class, PluginsCommand.class, WebhookCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class RepriseCli {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code. */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /** The configured command line: a failure of the work prints its message and exits with 1. */
  static CommandLine commandLine() {
    return new CommandLine(new RepriseCli())
        .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
          commandLine.getErr().println("reprise: " + e.getMessage());
          return 1;
        });
  }
}
