package dev.reprise.spi;

import java.util.Iterator;
import java.util.Objects;
import org.apache.avro.generic.GenericRecord;

/**
 * A deterministic history of an event type, in its old versions too, for trying it out and for
 * tests: {@code reprise seed --event-type NAME} writes it into a topic. Optional ({@link
 * EventType#sampleHistory()}); a real history is written by the team's own producers.
 *
 * <pre>{@code
 * public Optional<SampleHistory> sampleHistory() {
 *   return Optional.of((seed, count) -> new OrderGenerator(seed, count));
 * }
 * }</pre>
 */
@FunctionalInterface
public interface SampleHistory {

  /** One record of the history: its key on the topic, the version it is written with, the record. */
  record Sample(String key, int version, GenericRecord record) {
    public Sample {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(record, "record");
    }
  }

  /** {@code count} records, the same for the same {@code seed}, in the order they are written. */
  Iterator<Sample> generate(long seed, long count);
}
