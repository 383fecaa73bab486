package dev.reprise.observability;

import dev.reprise.core.KafkaClientObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The Prometheus registry every Reprise process serves at {@code /metrics}, with JVM metrics bound,
 * and the bridge that binds Micrometer's Kafka client metrics to the clients Reprise opens.
 *
 * <pre>{@code
 * PrometheusMeterRegistry registry = RepriseMetrics.registry("coordinator");
 * ReplayCoordinator.builder().clientObserver(RepriseMetrics.kafkaClients(registry))...
 * }</pre>
 */
public final class RepriseMetrics {

  /**
   * Which kind of client a Kafka series comes from: a backfill's reader and writer share one
   * {@code client.id} (so one client quota covers the backfill), and without it their app-info
   * series would collide.
   */
  static final String CLIENT_TAG = "kafka.client";

  private RepriseMetrics() {}

  /**
   * A Prometheus registry whose every series carries {@code component} (coordinator, worker, up,
   * demo), with JVM memory, GC, threads, class loading, CPU and uptime bound.
   */
  @SuppressWarnings("resource") // JvmGcMetrics lives as long as the process.
  public static PrometheusMeterRegistry registry(String component) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("component", component);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return registry;
  }

  /**
   * Binds Micrometer's {@link KafkaClientMetrics} (producers, consumers, admin clients) or {@link
   * KafkaStreamsMetrics} (a Streams application and its clients) to every client it is told of;
   * the handle it returns unbinds them.
   */
  public static KafkaClientObserver kafkaClients(MeterRegistry registry) {
    return client -> {
      AutoCloseable binder;
      if (client instanceof KafkaStreams streams) {
        KafkaStreamsMetrics metrics = new KafkaStreamsMetrics(streams, Tags.of(CLIENT_TAG, "streams"));
        metrics.bindTo(registry);
        binder = metrics;
      } else if (client instanceof Producer<?, ?> producer) {
        KafkaClientMetrics metrics = new KafkaClientMetrics(producer, Tags.of(CLIENT_TAG, "producer"));
        metrics.bindTo(registry);
        binder = metrics;
      } else if (client instanceof Consumer<?, ?> consumer) {
        KafkaClientMetrics metrics = new KafkaClientMetrics(consumer, Tags.of(CLIENT_TAG, "consumer"));
        metrics.bindTo(registry);
        binder = metrics;
      } else if (client instanceof AdminClient admin) {
        KafkaClientMetrics metrics = new KafkaClientMetrics(admin, Tags.of(CLIENT_TAG, "admin"));
        metrics.bindTo(registry);
        binder = metrics;
      } else {
        binder = () -> {};
      }
      return binder;
    };
  }
}
