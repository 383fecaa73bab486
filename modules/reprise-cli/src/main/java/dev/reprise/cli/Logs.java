package dev.reprise.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a command's logs go. A command a person runs and reads (demo, request, status, verify, ...)
 * shows its own output on the terminal and writes the logs — Reprise's and the Kafka clients' and
 * broker's, whose retries and warnings a person would read as failures — to {@code
 * <data-dir>/logs/<command>.log}; {@code -v} shows them on stderr as well. A service (up,
 * coordinator, worker, dashboard, webhook) logs to stderr, as services in containers do, and to
 * the file.
 *
 * <pre>{@code
 * Logs.Settings settings = Logs.Settings.of(args);   // before the command runs
 * Logs.configure(settings);
 * }</pre>
 */
final class Logs {

  /** Commands that run until stopped: their logs are their output. */
  static final Set<String> SERVICES = Set.of("up", "coordinator", "worker", "dashboard", "webhook");
  /** Options of the root command that take a value, to find the command's name after them. */
  private static final Set<String> VALUED_ROOT_OPTIONS = Set.of("--plugin");

  private static volatile Path file;

  private Logs() {}

  /**
   * @param command the command's name; empty for none (help)
   * @param file where every log line goes
   * @param console whether log lines go to stderr too
   */
  record Settings(Optional<String> command, Path file, boolean console) {

    /** What the command line {@code args} asks for. */
    static Settings of(String... args) {
      List<String> all = List.of(args);
      Optional<String> command = Optional.empty();
      for (int i = 0; i < all.size(); i++) {
        String arg = all.get(i);
        if (VALUED_ROOT_OPTIONS.contains(arg)) {
          i++;
        } else if (!arg.startsWith("-")) {
          command = Optional.of(arg);
          break;
        }
      }
      boolean verbose = all.contains("-v") || all.contains("--verbose");
      int dataDir = all.indexOf("--data-dir");
      Path data = dataDir >= 0 && dataDir + 1 < all.size() ? Path.of(all.get(dataDir + 1))
          : Path.of(System.getProperty("user.home"), ".reprise", "embedded");
      Path file = data.resolve("logs").resolve(command.orElse("reprise") + ".log");
      return new Settings(command, file, verbose || command.map(SERVICES::contains).orElse(false));
    }
  }

  /** Applies {@code settings} to logback (configured from {@code logback.xml} again). */
  static void configure(Settings settings) {
    file = settings.file();
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    context.putProperty("reprise.log.file", settings.file().toString());
    context.putProperty("reprise.console.level", settings.console() ? "ALL" : "OFF");
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(Logs.class.getResource("/logback.xml"));
    } catch (JoranException e) {
      System.err.println("reprise: cannot configure logging: " + e.getMessage());
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n");
    encoder.start();
    FileAppender<ILoggingEvent> appender = new FileAppender<>();
    appender.setContext(context);
    appender.setName("FILE");
    appender.setFile(settings.file().toString());
    appender.setAppend(true);
    appender.setEncoder(encoder);
    appender.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
  }

  /** The log file of this process, once {@link #configure} ran (the CLI's main); empty in tests. */
  static Optional<Path> file() {
    return Optional.ofNullable(file);
  }
}
