package dev.reprise.spi;

import dev.reprise.spi.upcast.UpcasterChain;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;

/**
 * A kind of event Reprise can replay: its Avro schema versions, how old versions are upcast, and
 * what the engine needs to know of an event without knowing its fields — its identity, its event
 * time, the attributes a request may filter on, and a canonical checksum. The coordinator, the
 * verifier and the workflow runtime ask only this interface; they never read a field by name.
 *
 * <p>Found with {@link java.util.ServiceLoader} ({@code META-INF/services/dev.reprise.spi.EventType}),
 * so an implementation needs a public no-argument constructor for its defaults.
 *
 * <pre>{@code
 * public final class OrderEventType implements EventType {
 *   private static final SchemaVersions VERSIONS = SchemaVersions.of(List.of(orderV1, orderV2));
 *   public String name() { return "orders"; }
 *   public SchemaVersions versions() { return VERSIONS; }
 *   public UpcasterChain newChain() { return UpcasterChain.of(VERSIONS, List.of(new OrderV1ToV2Upcaster())); }
 *   public String eventId(GenericRecord order) { return order.get("orderId") + "#" + order.get("revision"); }
 *   public long eventTimeMillis(GenericRecord order) { return (Long) order.get("placedAt"); }
 *   public Map<String, String> attributes(GenericRecord order) { return Map.of("region", order.get("region").toString()); }
 *   public EventWindow windowOf(GenericRecord raw, int version) { return EventWindow.exact(eventTimeMillis(raw), attributes(raw)); }
 * }
 * }</pre>
 *
 * <p>Implementations are immutable and thread-safe; {@link #newChain()} and {@link #checksum()} hand
 * out fresh, single-threaded helpers.
 */
public interface EventType {

  /** Stable, unique name, e.g. {@code submissions}; requests and status name the type by it. */
  String name();

  /** Every version of the schema, v1 first. */
  SchemaVersions versions();

  /**
   * The lowest version a replay may upcast to: the first in which {@link #eventId}, {@link
   * #eventTimeMillis} and {@link #attributes} can be read (e.g. the first with a UTC event time).
   */
  default int minTargetVersion() {
    return 1;
  }

  /** A fresh chain of this type's upcasters (its report counts from zero). */
  UpcasterChain newChain();

  /**
   * The event's identity, the same however often it is replayed, different for a correction
   * (dedup stores and receipts are keyed by it).
   *
   * @param event a record of version {@link #minTargetVersion()} or later
   */
  String eventId(GenericRecord event);

  /** The event's own time, UTC epoch milliseconds: what a replay's range is on. */
  long eventTimeMillis(GenericRecord event);

  /**
   * The attributes a request may filter on, by name (e.g. {@code tenantId}); a value may be
   * absent. Defaults this type applies to old records (a default tenant) are applied here too, so
   * a filter sees what the upcast record will hold.
   */
  Map<String, String> attributes(GenericRecord event);

  /** The names {@link #attributes} may hold: what a request can filter on, for listings and validation. */
  default java.util.Set<String> attributeNames() {
    return java.util.Set.of();
  }

  /**
   * What can be said of a record that could not be upcast, written with {@code version}: when it
   * happened at the earliest and latest, and its attributes. A replay dead-letters it if it might
   * match the request, and filters it out otherwise.
   */
  EventWindow windowOf(GenericRecord raw, int version);

  /**
   * A checksum of an event in the latest version, equal wherever it is computed; by default
   * {@link EventChecksum#canonical}. Not thread-safe: one per thread.
   */
  default EventChecksum checksum() {
    return EventChecksum.canonical(versions().latest());
  }

  /** A sample history to seed a topic with ({@code reprise seed --event-type}); none by default. */
  default java.util.Optional<SampleHistory> sampleHistory() {
    return java.util.Optional.empty();
  }
}
