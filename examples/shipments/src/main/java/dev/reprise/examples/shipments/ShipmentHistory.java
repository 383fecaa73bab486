package dev.reprise.examples.shipments;

import dev.reprise.spi.SampleHistory.Sample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Four years of shipments (2022–2025), each written with the schema of its time (v1 before
 * mid 2023, v2 before mid 2024, then v3), with sloppy carrier spellings, 5% corrections (a new
 * revision of an earlier shipment) and 1% destinations that are no country code (v1/v2 only:
 * they cannot be upcast). Deterministic in its seed: {@code reprise seed --event-type shipments}.
 */
public final class ShipmentHistory implements Iterator<Sample> {

  /** Where v2 and v3 begin. */
  static final long V2_FROM = Instant.parse("2023-07-01T00:00:00Z").toEpochMilli();
  static final long V3_FROM = Instant.parse("2024-07-01T00:00:00Z").toEpochMilli();
  private static final long FROM = Instant.parse("2022-01-01T00:00:00Z").toEpochMilli();
  private static final long TO = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
  private static final String[] CARRIERS = {"dhl", " DHL ", "ups", "Ups", "fedex", "dpd", "gls"};
  private static final String[] COUNTRIES = {"DE", "FR", "NL", "ES", "IT", "PL", "SE", "IE", "US", "CA", "MX", "JP",
      "AU", "SG", "IN", "BR", "ZA"};

  private record Written(String id, int revision, long shippedAt) {}

  private final Random random;
  private final long count;
  private final List<Written> written = new ArrayList<>();
  private long produced;

  public ShipmentHistory(long seed, long count) {
    this.random = new Random(seed);
    this.count = count;
  }

  @Override
  public boolean hasNext() {
    return produced < count;
  }

  @Override
  public Sample next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    produced++;
    Written shipment;
    if (written.size() > 10 && random.nextInt(100) < 5) {
      Written earlier = written.get(random.nextInt(written.size()));
      shipment = new Written(earlier.id(), earlier.revision() + 1, earlier.shippedAt());
    } else {
      shipment = new Written(String.format("sh-%07d", written.size()), 0, FROM + (long) (random.nextDouble() * (TO - FROM)));
    }
    written.add(shipment);
    int version = shipment.shippedAt() < V2_FROM ? 1 : shipment.shippedAt() < V3_FROM ? 2 : 3;
    Schema schema = ShipmentEventType.VERSIONS.schema(version);
    GenericRecord record = new GenericData.Record(schema);
    record.put("shipmentId", shipment.id());
    record.put("revision", shipment.revision());
    record.put("shippedAt", shipment.shippedAt());
    String carrier = CARRIERS[random.nextInt(CARRIERS.length)];
    String destination = version < 3 && random.nextInt(100) == 0 ? "??" : COUNTRIES[random.nextInt(COUNTRIES.length)];
    int grams = 100 + random.nextInt(39_900);
    String tracking = random.nextInt(10) < 7 ? "TRK" + (100_000 + random.nextInt(900_000)) : null;
    record.put("destination", destination);
    if (version < 3) {
      record.put("carrier", carrier);
      record.put("weightGrams", grams);
    } else {
      record.put("carrier", carrier.strip().toUpperCase(java.util.Locale.ROOT));
      record.put("region", new GenericData.EnumSymbol(schema.getField("region").schema(),
          Regions.of(destination).orElseThrow()));
      record.put("weightKg", grams / 1000.0);
    }
    if (version >= 2) {
      record.put("trackingCode", tracking);
    }
    return new Sample(shipment.id(), version, record);
  }
}
