package dev.reprise.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reprise bench copy}: the baseline of {@code bench replay} in a JVM of its own, so that it
 * starts as cold as the coordinator it is compared with. Prints one JSON line.
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

  @Override
  public Integer call() {
    long began = System.nanoTime();
    long copied = TransactionalCopy.copy(bootstrapServers, source, target, Duration.ofMillis(500));
    double seconds = (System.nanoTime() - began) / 1e9;
    System.out.println(new BenchSupport.Result(copied, seconds).json());
    return 0;
  }
}
