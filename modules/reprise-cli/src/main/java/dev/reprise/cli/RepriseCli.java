package dev.reprise.cli;

import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.RunLast;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine;

/**
 * {@code reprise}: the command line of Reprise. Run it through {@code ./reprise} at the root of the
 * repository, which builds it when needed.
 *
 * <pre>{@code
 * ./reprise seed --events 20000                      # embedded default
 * ./reprise seed --bootstrap-server kafka:9092 --schema-registry http://registry:8081
 * ./reprise plugins --plugin target/orders-plugin.jar   # a team's event types and workflows
 * }</pre>
 *
 * <p>Exit codes: 0 success, 1 the work failed (or the coordinator refused it), 2 the command line
 * was wrong.
 */
@Command(
    name = "reprise",
    mixinStandardHelpOptions = true,
    version = "reprise 0.1.0-SNAPSHOT",
    description = "Safe, verified replays of Kafka event history (backfills).",
    subcommands = {DemoCommand.class, UpCommand.class, SeedCommand.class, CoordinatorCommand.class, WorkerCommand.class,
        RequestCommand.class, OnboardCommand.class, PreviewCommand.class, StatusCommand.class, ControlCommands.Pause.class, ControlCommands.Resume.class,
        ControlCommands.Cancel.class, ControlCommands.Throttle.class, RetryCommand.class, VerifyCommand.class, AuditCommand.class, DashboardUserCommand.class,
        LagCommand.class, DashboardCommand.class, PluginsCommand.class, WebhookCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class RepriseCli {

  // Read from the parse result (it may be given after any subcommand), not from this field.
  @Option(names = "--plugin", paramLabel = "PATH", scope = ScopeType.INHERIT,
      description = "A plugin jar, or a directory of jars, with event types and workflows; repeat (env REPRISE_PLUGINS,"
          + " a path list).")
  List<Path> plugins = List.of();

  static {
    // Before any HTTP server of the process (dashboard, webhook receiver) starts.
    dev.reprise.observability.ObservabilityServer.limitRequestTime();
  }

  @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
      description = "Show the logs (Reprise's, the Kafka clients' and the broker's) on stderr too; they are always in"
          + " <data-dir>/logs/<command>.log.")
  boolean verbose;

  public static void main(String[] args) {
    Logs.configure(Logs.Settings.of(args));
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code. */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /** The configured command line: a failure of the work prints its message and exits with 1. */
  static CommandLine commandLine() {
    return new CommandLine(new RepriseCli())
        .setExecutionStrategy(RepriseCli::withPlugins)
        .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
          commandLine.getErr().println("reprise: " + e.getMessage());
          // A usage error found while running is still a usage error.
          return e instanceof UsageException ? 2 : 1;
        });
  }

  /**
   * Runs the command with the plugins of {@code --plugin} and {@code REPRISE_PLUGINS} on the
   * thread's context class loader, where every ServiceLoader lookup of the engine looks.
   */
  private static int withPlugins(ParseResult parseResult) {
    List<Path> paths = new ArrayList<>(Plugins.fromEnvironment(System.getenv(Plugins.ENVIRONMENT)));
    ParseResult command = parseResult;
    for (ParseResult level = parseResult; level != null; level = level.subcommand()) {
      paths.addAll(level.matchedOptionValue("--plugin", List.<Path>of()));
      command = level;
    }
    if (paths.isEmpty()) {
      return new RunLast().execute(parseResult);
    }
    List<Path> jars;
    try {
      jars = Plugins.jars(paths);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(command.commandSpec().commandLine(), e.getMessage(), e);
    }
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    // Never closed: threads and shutdown hooks the command started may still load plugin classes.
    URLClassLoader loader = Plugins.loader(jars, RepriseCli.class.getClassLoader());
    try {
      thread.setContextClassLoader(loader);
      return new RunLast().execute(parseResult);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }
}
