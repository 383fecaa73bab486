package dev.reprise.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reprise bench copy}: the baseline of {@code bench replay} in a JVM of its own, so that it
 * starts as cold as the coordinator it is compared with. The driver times it by the offsets it
 * commits as {@code --group}, as it times the coordinator.
 */
@Command(name = "copy", hidden = true, mixinStandardHelpOptions = true,
    description = "Bare transactional copy of --source into --target (the replay benchmark's baseline).")
final class BenchCopyCommand implements Callable<Integer> {

  @Option(names = "--bootstrap-server", required = true)
  String bootstrapServers;

  @Option(names = "--source", required = true)
  String source;

  @Option(names = "--target", required = true)
  String target;

  @Option(names = "--group", required = true, description = "The group its offsets are committed as.")
  String group;

  @Option(names = "--commit-interval-ms", defaultValue = "500")
  long commitIntervalMillis;

  @Option(names = "--linger", description = "After the copy, wait until standard input closes.")
  boolean linger;

  @Override
  public Integer call() throws Exception {
    long copied = TransactionalCopy.copy(bootstrapServers, source, target, group,
        Duration.ofMillis(commitIntervalMillis));
    System.out.println("{\"copied\": " + copied + "}");
    System.out.flush();
    if (linger) {
      BenchSupport.lingerUntilStdinCloses();
    }
    return 0;
  }
}
