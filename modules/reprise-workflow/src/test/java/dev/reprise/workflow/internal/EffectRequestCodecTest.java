package dev.reprise.workflow.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprise.registry.InMemorySchemaRegistryClient;
import dev.reprise.workflow.api.Effect;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EffectRequestCodecTest {

  private final EffectRequestCodec codec = new EffectRequestCodec(new InMemorySchemaRegistryClient(), "notify");

  @Test
  void shouldCarryEverythingTheExecutorNeedsForReceiptsAndDeadLetters() {
    EffectRequest request = new EffectRequest("notify", Optional.of("b-1"), "s-1#2", "2023-03-14", "00ff00ff00ff00ff",
        "reprise.backfill.b-1", 2, 17L, new byte[] {0, 0, 0, 0, 7, 42},
        List.of(new Effect("webhook", "s-1#2", "POST s-1#2", "{\"a\":1}"), new Effect("audit", "s-1#2", "log", null)));

    EffectRequest decoded = codec.decode(codec.encode(request));

    assertThat(decoded).usingRecursiveComparison().ignoringFields("event").isEqualTo(request);
    assertThat(decoded.event()).containsExactly(0, 0, 0, 0, 7, 42);
    assertThat(decoded.descriptions()).containsExactly("webhook: POST s-1#2", "audit: log");
  }

  @Test
  void shouldKeepLiveTrafficWithoutBackfill() {
    EffectRequest live = new EffectRequest("notify", Optional.empty(), "s-2#0", "2024-01-01", "", "submissions", 0, 0L,
        new byte[0], List.of());
    assertThat(codec.decode(codec.encode(live)).backfillId()).isEmpty();
  }
}
