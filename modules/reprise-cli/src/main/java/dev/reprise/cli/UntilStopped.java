package dev.reprise.cli;

import java.util.concurrent.CountDownLatch;

/**
 * How a long-running command (up, coordinator, worker, dashboard, webhook) lives until Ctrl-C or
 * SIGTERM: the JVM's shutdown hook stops what the command started, then {@link #await()} returns.
 *
 * <pre>{@code
 * UntilStopped running = UntilStopped.onStop("reprise-worker", runtime::close);
 * out.println("running; Ctrl-C stops it");
 * running.await();
 * }</pre>
 */
final class UntilStopped {

  private final CountDownLatch stopped = new CountDownLatch(1);

  private UntilStopped() {}

  /** Runs {@code onStop} on a shutdown hook thread named {@code name}, once the JVM is asked to stop. */
  static UntilStopped onStop(String name, Runnable onStop) {
    UntilStopped running = new UntilStopped();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        onStop.run();
      } finally {
        running.stopped.countDown();
      }
    }, name));
    return running;
  }

  /** Blocks until the shutdown hook has run (or the thread is interrupted). */
  void await() throws InterruptedException {
    stopped.await();
  }
}
