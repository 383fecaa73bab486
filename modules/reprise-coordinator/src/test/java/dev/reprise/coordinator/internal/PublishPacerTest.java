package dev.reprise.coordinator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PublishPacerTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Test
  void shouldSpacePublishesEvenlyAtTheRate() {
    var pacer = new PublishPacer(100, now::get);

    assertThat(pacer.reserve()).isZero();
    assertThat(pacer.reserve()).isEqualTo(10_000_000L);
    assertThat(pacer.reserve()).isEqualTo(20_000_000L);
  }

  @Test
  void shouldNotSaveUpBurstCreditWhileIdle() {
    var pacer = new PublishPacer(100, now::get);
    pacer.reserve();
    now.addAndGet(5_000_000_000L);

    assertThat(pacer.reserve()).isZero();
    assertThat(pacer.reserve()).isEqualTo(10_000_000L);
  }

  @Test
  void shouldNeverWaitWithoutALimit() {
    var pacer = new PublishPacer(0, now::get);

    for (int i = 0; i < 1000; i++) {
      assertThat(pacer.reserve()).isZero();
    }
  }
}
