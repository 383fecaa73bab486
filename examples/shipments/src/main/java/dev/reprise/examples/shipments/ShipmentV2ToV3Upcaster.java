package dev.reprise.examples.shipments;

import dev.reprise.spi.upcast.UpcastException;
import dev.reprise.spi.upcast.UpcastReport;
import dev.reprise.spi.upcast.Upcaster;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * v2 → v3, a semantic change: grams become kilograms, the carrier as typed at the depot becomes
 * its code ({@code " dhl "} → {@code DHL}), and the destination's sales region is derived. A
 * destination that is no country code cannot have a region: the record fails, typed, and Reprise
 * dead-letters it (or filters it out, when the request could not want it).
 */
public final class ShipmentV2ToV3Upcaster implements Upcaster {

  private final Schema v3;

  ShipmentV2ToV3Upcaster(Schema v3) {
    this.v3 = v3;
  }

  @Override
  public int fromVersion() {
    return 2;
  }

  @Override
  public GenericRecord upcast(GenericRecord v2, UpcastReport report) {
    String event = "shipment '" + v2.get("shipmentId") + "' (revision " + v2.get("revision") + ")";
    Object destination = v2.get("destination");
    String region = Regions.of((CharSequence) destination).orElseThrow(() -> new UpcastException(event, 2, 3,
        "destination", String.valueOf(destination), "which is not an ISO 3166 country code", null));
    int grams = (Integer) v2.get("weightGrams");
    if (grams < 0) {
      throw new UpcastException(event, 2, 3, "weightGrams", Integer.toString(grams), "which is negative", null);
    }
    String carrier = v2.get("carrier").toString();
    String code = carrier.strip().toUpperCase(Locale.ROOT);
    if (!code.equals(carrier)) {
      report.noted("carrier normalised");
    }
    GenericRecord result = new GenericData.Record(v3);
    result.put("shipmentId", v2.get("shipmentId"));
    result.put("revision", v2.get("revision"));
    result.put("shippedAt", v2.get("shippedAt"));
    result.put("carrier", code);
    result.put("destination", destination.toString().strip().toUpperCase(Locale.ROOT));
    result.put("region", new GenericData.EnumSymbol(v3.getField("region").schema(), region));
    result.put("weightKg", grams / 1000.0);
    result.put("trackingCode", v2.get("trackingCode"));
    return result;
  }
}
