package dev.reprise.core;

/**
 * Told of every Kafka client a Reprise component opens: how metrics binders such as Micrometer's
 * {@code KafkaClientMetrics} and {@code KafkaStreamsMetrics} reach clients created deep inside the
 * coordinator or a workflow runtime, without those modules depending on a metrics library.
 *
 * <pre>{@code
 * KafkaClientObserver observer = client -> {
 *   if (client instanceof Producer<?, ?> producer) {
 *     KafkaClientMetrics metrics = new KafkaClientMetrics(producer);
 *     metrics.bindTo(registry);
 *     return metrics;                      // closed when the producer is
 *   }
 *   return () -> {};
 * };
 * ReplayCoordinator.builder().clientObserver(observer)...
 * }</pre>
 */
@FunctionalInterface
public interface KafkaClientObserver {

  /** Observes nothing. */
  KafkaClientObserver NONE = client -> () -> {};

  /**
   * A client was opened.
   *
   * @param client a {@code Producer}, {@code Consumer}, {@code Admin} or {@code KafkaStreams}
   * @return closed by the component right before it closes the client (unbind meters there); must
   *     not throw
   */
  AutoCloseable opened(Object client);

  /** Closes what {@link #opened} returned, ignoring failures: metrics must never break a client's close. */
  static void closeQuietly(AutoCloseable handle) {
    if (handle == null) {
      return;
    }
    try {
      handle.close();
    } catch (Exception e) {
      // Unbinding metrics is best effort.
    }
  }
}
