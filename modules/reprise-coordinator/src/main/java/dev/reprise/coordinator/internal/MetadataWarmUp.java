package dev.reprise.coordinator.internal;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Fetches topics' metadata for a producer in the background. A fresh producer's first send to a
 * topic waits for its metadata on the sending thread; a coordinator that starts, or a backfill
 * whose topics were just created, should not make its first command or first record wait for it.
 */
public final class MetadataWarmUp {

  private MetadataWarmUp() {}

  /** Starts fetching the metadata of {@code topics} for {@code producer}; returns at once. */
  public static void of(KafkaProducer<?, ?> producer, String... topics) {
    CompletableFuture.runAsync(() -> {
      for (String topic : topics) {
        try {
          producer.partitionsFor(topic);
        } catch (RuntimeException e) {
          // Only a head start: the first send fetches the metadata itself and reports what fails.
        }
      }
    });
  }
}
