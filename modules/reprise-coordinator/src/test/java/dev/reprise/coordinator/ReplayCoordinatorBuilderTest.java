package dev.reprise.coordinator;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplayCoordinatorBuilderTest {

  @Test
  void shouldNameEveryMissingOrWrongPropertyAtBuild() {
    assertThatThrownBy(() -> ReplayCoordinator.builder().commitInterval(Duration.ZERO).replayThreads(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bootstrapServers is required")
        .hasMessageContaining("schemaRegistry is required")
        .hasMessageContaining("allowedSourceTopics must name at least one topic")
        .hasMessageContaining("commitInterval must be positive, was PT0S")
        .hasMessageContaining("replayThreads must be at least 1, was 0");
  }

  @Test
  void shouldRefuseASessionTimeoutTooShortToBeReal() {
    assertThatThrownBy(() -> ReplayCoordinator.builder().bootstrapServers("127.0.0.1:9092")
        .allowedSourceTopics(Set.of("submissions")).sessionTimeout(Duration.ofMillis(10)).build())
        .hasMessageContaining("sessionTimeout must be at least 1 s, was PT0.01S")
        .hasMessageNotContaining("bootstrapServers");
  }
}
