package dev.reprise.examples.shipments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprise.spi.SampleHistory.Sample;
import dev.reprise.spi.testkit.UpcastFixtures;
import dev.reprise.spi.upcast.UpcastException;
import dev.reprise.spi.upcast.UpcasterChain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** The plugin's own tests: each hop against a record of its frozen writer schema. */
class ShipmentEventTypeTest {

  private final ShipmentEventType type = new ShipmentEventType();

  private static GenericRecord v1(String id, String carrier, String destination, int grams) {
    GenericRecord v1 = new GenericData.Record(ShipmentEventType.VERSIONS.schema(1));
    v1.put("shipmentId", id);
    v1.put("revision", 0);
    v1.put("shippedAt", 1_672_531_200_000L);
    v1.put("carrier", carrier);
    v1.put("destination", destination);
    v1.put("weightGrams", grams);
    return v1;
  }

  @Test
  void shouldUpcastAV1RecordThroughResolutionThenTheUpcasterToKilogramsACarrierCodeAndARegion() {
    UpcasterChain chain = type.newChain();

    GenericRecord v3 = chain.upcastToLatest(v1("sh-1", " dhl ", "de", 21_500));

    assertThat(v3.getSchema()).isEqualTo(ShipmentEventType.VERSIONS.schema(3));
    assertThat(v3.get("weightKg")).isEqualTo(21.5);
    assertThat(v3.get("carrier")).isEqualTo("DHL");
    assertThat(v3.get("destination")).isEqualTo("DE");
    assertThat(v3.get("region").toString()).isEqualTo("EU");
    assertThat(v3.get("trackingCode")).as("v2's new field, by its default").isNull();
    assertThat(chain.report().snapshot()).containsEntry("records.v1", 1L).containsEntry("carrier normalised", 1L);
    assertThat(type.eventId(v3)).isEqualTo(type.eventId(v1("sh-1", "x", "DE", 1))).isEqualTo("sh-1#0");
  }

  @Test
  void shouldMatchTheGoldenFixturesOfEveryHop() {
    assertThat(UpcastFixtures.check(type, Path.of("src/test/resources/upcast-fixtures"))).isEqualTo(5);
  }

  @Test
  void shouldRefuseADestinationThatIsNoCountryNamingTheFieldAndTheValue() {
    assertThatThrownBy(() -> type.newChain().upcastToLatest(v1("sh-2", "ups", "??", 500)))
        .isInstanceOf(UpcastException.class)
        .hasMessageContaining("shipment 'sh-2' (revision 0) from v2 to v3: field 'destination' has value '??'");
  }

  @Test
  void shouldReportTheAttributesOfAnyVersionAsTheUpcastRecordWillHoldThem() {
    assertThat(type.attributes(v1("sh-3", "Ups", "US", 1))).isEqualTo(Map.of("carrier", "UPS", "region", "NA"));
    assertThat(type.attributes(v1("sh-4", "gls", "??", 1))).as("no region to tell").isEqualTo(Map.of("carrier", "GLS"));
    assertThat(type.windowOf(v1("sh-4", "gls", "??", 1), 1).attributes()).doesNotContainKey("region");
  }

  @Test
  void shouldWriteTheSameMixedVersionHistoryForTheSameSeed() {
    List<Sample> first = samples(7, 2_000);
    List<Sample> again = samples(7, 2_000);
    Map<Integer, Integer> perVersion = new TreeMap<>();
    first.forEach(s -> perVersion.merge(s.version(), 1, Integer::sum));

    assertThat(again).extracting(s -> s.key() + "/" + s.record()).isEqualTo(first.stream()
        .map(s -> s.key() + "/" + s.record()).toList());
    assertThat(perVersion).containsOnlyKeys(1, 2, 3);
    assertThat(first).anySatisfy(s -> assertThat((Integer) s.record().get("revision")).isPositive());
    assertThat(first).allSatisfy(s -> assertThat(GenericData.get().validate(s.record().getSchema(), s.record())).isTrue());
  }

  private List<Sample> samples(long seed, long count) {
    List<Sample> samples = new ArrayList<>();
    type.sampleHistory().orElseThrow().generate(seed, count).forEachRemaining(samples::add);
    return samples;
  }
}
