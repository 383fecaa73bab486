package dev.reprise.coordinator.internal;

import dev.reprise.core.RepriseRetriableException;
import dev.reprise.replay.EventFilter;
import dev.reprise.replay.EventReplayer;
import dev.reprise.spi.EventType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes and upcasts a chunk of source records on {@code replayThreads} threads, one {@link
 * EventReplayer} each (they reuse decoders and buffers); the run publishes the outcomes on its
 * own thread, in source order.
 */
final class ReplayWorkers implements AutoCloseable {

  /** Below this, a chunk is replayed on the run's thread alone: handing it out costs more. */
  private static final int PARALLEL_FROM = 256;

  private final String backfillId;
  private final EventReplayer[] replayers;
  private final ExecutorService pool;

  ReplayWorkers(RunContext ctx, String backfillId, EventType type, EventFilter filter, int targetVersion,
      int targetSchemaId) {
    this.backfillId = backfillId;
    this.replayers = new EventReplayer[ctx.replayThreads()];
    for (int i = 0; i < replayers.length; i++) {
      replayers[i] = new EventReplayer(ctx.registry(), type, filter, targetVersion, targetSchemaId);
    }
    this.pool = replayers.length == 1 ? null : Executors.newFixedThreadPool(replayers.length - 1, runnable -> {
      Thread thread = new Thread(runnable, "reprise-replay-" + backfillId);
      thread.setDaemon(true);
      return thread;
    });
  }

  /** The outcome of each record of {@code slice}, in its order. */
  EventReplayer.Outcome[] process(List<ConsumerRecord<byte[], byte[]>> slice) {
    EventReplayer.Outcome[] outcomes = new EventReplayer.Outcome[slice.size()];
    int threads = slice.size() < PARALLEL_FROM ? 1 : replayers.length;
    int share = (slice.size() + threads - 1) / threads;
    List<Future<?>> pending = new ArrayList<>();
    for (int t = 1; t < threads; t++) {
      int first = t * share;
      int last = Math.min(slice.size(), first + share);
      EventReplayer replayer = replayers[t];
      pending.add(pool.submit(() -> {
        for (int i = first; i < last; i++) {
          outcomes[i] = replayer.process(slice.get(i).value());
        }
      }));
    }
    for (int i = 0; i < Math.min(share, slice.size()); i++) {
      outcomes[i] = replayers[0].process(slice.get(i).value());
    }
    for (Future<?> future : pending) {
      try {
        future.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RepriseRetriableException("interrupted while replaying backfill '" + backfillId + "'", e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException runtime) {
          throw runtime;
        }
        throw new IllegalStateException(e.getCause());
      }
    }
    return outcomes;
  }

  /** Each replayer's evolution counters since the last call. */
  List<Map<String, Long>> takeEvolution() {
    List<Map<String, Long>> taken = new ArrayList<>();
    for (EventReplayer replayer : replayers) {
      taken.add(replayer.takeEvolution());
    }
    return taken;
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
