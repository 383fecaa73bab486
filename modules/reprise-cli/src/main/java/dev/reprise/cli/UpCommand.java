package dev.reprise.cli;

import dev.reprise.embedded.EmbeddedPlatform;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code reprise up}: keep the embedded platform running for other commands, until interrupted. */
@Command(name = "up", mixinStandardHelpOptions = true,
    description = {"Start the embedded default (a real Kafka broker and Apicurio registry on 127.0.0.1) and keep it"
        + " running until Ctrl-C; other reprise commands on the same --data-dir use it."})
final class UpCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${sys:user.home}/.reprise/embedded",
      description = "Data directory (default: ${DEFAULT-VALUE}).")
  java.nio.file.Path dataDirectory;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    if (EmbeddedPlatform.running(dataDirectory).isPresent()) {
      out.printf("reprise: the embedded platform on %s is already running (%s)%n", dataDirectory,
          EmbeddedPlatform.running(dataDirectory).get().getKey());
      return 1;
    }
    EmbeddedPlatform platform = EmbeddedPlatform.start(dataDirectory);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      platform.close();
      stopped.countDown();
    }));
    out.printf("Reprise embedded platform up (data in %s)%n  Kafka:           %s%n  Schema registry: %s%n"
        + "Other commands on this data dir use it. Ctrl-C stops it.%n", dataDirectory, platform.bootstrapServers(),
        platform.schemaRegistryUrl());
    out.flush();
    stopped.await();
    return 0;
  }
}
