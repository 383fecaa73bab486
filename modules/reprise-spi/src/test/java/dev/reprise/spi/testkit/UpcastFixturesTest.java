package dev.reprise.spi.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprise.spi.EventType;
import dev.reprise.spi.EventWindow;
import dev.reprise.spi.SchemaVersions;
import dev.reprise.spi.upcast.Upcaster;
import dev.reprise.spi.upcast.UpcasterChain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpcastFixturesTest {

  private static final Schema V1 = SchemaBuilder.record("Order").fields().requiredString("id").requiredInt("qty")
      .endRecord();
  private static final Schema V2 = SchemaBuilder.record("Order").fields().requiredString("id").requiredLong("qty")
      .name("note").type().stringType().stringDefault("none").endRecord();
  private static final SchemaVersions VERSIONS = SchemaVersions.of(List.of(V1, V2));

  private static final EventType ORDERS = new EventType() {
    public String name() { return "orders"; }
    public SchemaVersions versions() { return VERSIONS; }
    public UpcasterChain newChain() { return UpcasterChain.of(VERSIONS, List.of(Upcaster.resolving(VERSIONS, 1))); }
    public String eventId(GenericRecord event) { return event.get("id").toString(); }
    public long eventTimeMillis(GenericRecord event) { return 0; }
    public Map<String, String> attributes(GenericRecord event) { return Map.of(); }
    public EventWindow windowOf(GenericRecord raw, int version) { return EventWindow.anyTime(Map.of()); }
  };

  @TempDir Path fixtures;

  private void write(String file, String json) throws Exception {
    Path path = fixtures.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, json);
  }

  @Test
  void shouldPassAHopWhoseUpcastEqualsTheExpectedRecord() throws Exception {
    write("v1-to-v2/default.json", """
        {"given": {"id": "o-1", "qty": 3}, "expected": {"id": "o-1", "qty": 3, "note": "none"}}""");

    assertThat(UpcastFixtures.check(ORDERS, fixtures)).isEqualTo(1);
  }

  @Test
  void shouldNameEveryCaseThatDiffersOrDoesNotFitItsFrozenSchema() throws Exception {
    write("v1-to-v2/wrong.json", """
        {"given": {"id": "o-1", "qty": 3}, "expected": {"id": "o-1", "qty": 4, "note": "none"}}""");
    write("v1-to-v2/stale.json", """
        {"given": {"id": "o-1", "quantity": 3}, "expected": {"id": "o-1", "qty": 3, "note": "none"}}""");
    write("v1-to-v2/no-failure.json", """
        {"given": {"id": "o-1", "qty": 3}, "fails": "qty"}""");

    assertThatThrownBy(() -> UpcastFixtures.check(ORDERS, fixtures)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("wrong.json: expected").hasMessageContaining("stale.json: 'given' is not a v1 record")
        .hasMessageContaining("no-failure.json: expected a failure containing 'qty'");
  }

  @Test
  void shouldFailAHopWithoutFixtures() {
    assertThatThrownBy(() -> UpcastFixtures.check(ORDERS, fixtures)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("no fixtures for the hop v1 -> v2");
  }
}
