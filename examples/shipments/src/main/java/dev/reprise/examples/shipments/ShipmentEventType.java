package dev.reprise.examples.shipments;

import dev.reprise.spi.EventType;
import dev.reprise.spi.EventWindow;
import dev.reprise.spi.SampleHistory;
import dev.reprise.spi.SchemaVersions;
import dev.reprise.spi.upcast.Upcaster;
import dev.reprise.spi.upcast.UpcasterChain;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Parcel shipments, an event type of Reprise's brought by a plugin: three schema versions (v1;
 * v2 adds a tracking code, read by Avro's resolution alone; v3 changes units and adds the region,
 * {@link ShipmentV2ToV3Upcaster}), the identity {@code shipmentId#revision}, the event time {@code
 * shippedAt}, and two attributes a request may filter on: {@code carrier} and {@code region}.
 *
 * <pre>{@code
 * reprise plugins --plugin target/reprise-example-shipments-0.1.0-SNAPSHOT.jar
 * reprise request --plugin … --event-type shipments --filter region=EU --id eu-2024 --source shipments …
 * }</pre>
 */
public final class ShipmentEventType implements EventType {

  /** The name requests give. */
  public static final String NAME = "shipments";

  static final SchemaVersions VERSIONS = SchemaVersions.of(List.of(schema(1), schema(2), schema(3)));
  private static final Set<String> ATTRIBUTES = Set.of("carrier", "region");

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public SchemaVersions versions() {
    return VERSIONS;
  }

  @Override
  public UpcasterChain newChain() {
    return UpcasterChain.of(VERSIONS, List.of(Upcaster.resolving(VERSIONS, 1),
        new ShipmentV2ToV3Upcaster(VERSIONS.schema(3))));
  }

  @Override
  public String eventId(GenericRecord shipment) {
    Object id = shipment.get("shipmentId");
    if (id == null || id.toString().isBlank()) {
      throw new IllegalArgumentException("shipmentId is missing or blank");
    }
    return id + "#" + shipment.get("revision");
  }

  @Override
  public long eventTimeMillis(GenericRecord shipment) {
    return (Long) shipment.get("shippedAt");
  }

  /** Read from any version, so a filter sees what the v3 record will hold. */
  @Override
  public Map<String, String> attributes(GenericRecord shipment) {
    Map<String, String> attributes = new HashMap<>();
    attributes.put("carrier", shipment.get("carrier").toString().strip().toUpperCase(Locale.ROOT));
    Optional<String> region = shipment.getSchema().getField("region") != null
        ? Optional.of(shipment.get("region").toString())
        : Regions.of((CharSequence) shipment.get("destination"));
    region.ifPresent(r -> attributes.put("region", r));
    return attributes;
  }

  @Override
  public Set<String> attributeNames() {
    return ATTRIBUTES;
  }

  /** Every version has the event time and the carrier; a record that fails has no region. */
  @Override
  public EventWindow windowOf(GenericRecord raw, int version) {
    return EventWindow.exact(eventTimeMillis(raw), attributes(raw));
  }

  @Override
  public Optional<SampleHistory> sampleHistory() {
    return Optional.of(ShipmentHistory::new);
  }

  private static Schema schema(int version) {
    String resource = "shipment-v" + version + ".avsc";
    try (InputStream in = ShipmentEventType.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
