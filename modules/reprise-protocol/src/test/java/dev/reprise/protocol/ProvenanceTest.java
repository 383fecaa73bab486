package dev.reprise.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class ProvenanceTest {

  @Test
  void roundTripsSmallAndLargeValues() {
    for (Provenance p : new Provenance[] {new Provenance(0, 0, 0), new Provenance(2, 81_234, 3),
        new Provenance(Integer.MAX_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE)}) {
      assertThat(Provenance.decode(p.encode())).isEqualTo(p);
    }
  }

  @Test
  void isFourBytesForASmallOffsetAndTheDocumentedVarintsBeyond() {
    // format 1, partition 2, offset 300 = 0xAC 0x02 (7 bits per byte, low first), version 3
    assertThat(new Provenance(2, 300, 3).encode()).containsExactly(1, 2, 0xAC, 0x02, 3);
    assertThat(new Provenance(1, 5, 2).encode()).hasSize(4);
  }

  @Test
  void refusesAnUnknownFormatATruncatedValueAndTrailingBytes() {
    byte[] good = new Provenance(2, 81_234, 3).encode();
    byte[] otherFormat = good.clone();
    otherFormat[0] = 2;
    assertThatThrownBy(() -> Provenance.decode(otherFormat)).hasMessageContaining("format 2");
    assertThatThrownBy(() -> Provenance.decode(Arrays.copyOf(good, 3))).hasMessageContaining("truncated");
    assertThatThrownBy(() -> Provenance.decode(Arrays.copyOf(good, good.length + 1)))
        .hasMessageContaining("1 trailing bytes");
    assertThatThrownBy(() -> Provenance.decode(new byte[0])).hasMessageContaining("empty");
  }

  @Test
  void readsTheCompactHeaderAndElseTheReadableOnesOlderCoordinatorsWrote() {
    RecordHeaders compact = new RecordHeaders();
    compact.add(Provenance.HEADER, new Provenance(1, 42, 2).encode());
    assertThat(Provenance.of(compact)).contains(new Provenance(1, 42, 2));

    RecordHeaders readable = new RecordHeaders();
    readable.add(ReplayHeaders.SOURCE_PARTITION, "1".getBytes(StandardCharsets.UTF_8));
    readable.add(ReplayHeaders.SOURCE_OFFSET, "42".getBytes(StandardCharsets.UTF_8));
    readable.add(ReplayHeaders.SOURCE_SCHEMA_VERSION, "2".getBytes(StandardCharsets.UTF_8));
    assertThat(Provenance.of(readable)).contains(new Provenance(1, 42, 2));

    assertThat(Provenance.of(new RecordHeaders())).isEmpty();
    assertThat(new Provenance(1, 42, 2).coordinates()).isEqualTo("1@42");
  }
}
