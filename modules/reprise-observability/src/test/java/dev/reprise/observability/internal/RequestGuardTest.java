package dev.reprise.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class RequestGuardTest {

  private static final Set<String> NAMES = RequestGuard.LOOPBACK_NAMES;
  private static final String PAUSE = "/api/backfills/b-1/pause";

  @Test
  void shouldLetTheDashboardsOwnPageActAndReadOnAnyLoopbackName() {
    assertThat(RequestGuard.refusal("POST", PAUSE, "127.0.0.1:8080", "http://127.0.0.1:8080", "pause", NAMES)).isEmpty();
    assertThat(RequestGuard.refusal("POST", PAUSE, "localhost:8080", null, "pause", NAMES)).as("curl: no Origin").isEmpty();
    assertThat(RequestGuard.refusal("GET", "/api/overview", "[::1]:8080", null, null, NAMES)).isEmpty();
  }

  @Test
  void shouldRefuseAReboundHostNameOnThePageAndTheApiButNotOnMetrics() {
    assertThat(RequestGuard.refusal("GET", "/api/overview", "attacker.example:8080", null, null, NAMES))
        .hasValueSatisfying(why -> assertThat(why).contains("Host 'attacker.example:8080' is not a name"));
    assertThat(RequestGuard.refusal("GET", "/", "attacker.example", null, null, NAMES)).isPresent();
    assertThat(RequestGuard.refusal("GET", "/metrics", "coordinator:8081", null, null, NAMES)).isEmpty();
    assertThat(RequestGuard.refusal("GET", "/api/overview", null, null, null, NAMES)).isPresent();
  }

  @Test
  void shouldRefuseAnActionWithoutItsHeaderOrFromAnotherSite() {
    assertThat(RequestGuard.refusal("POST", PAUSE, "127.0.0.1:8080", null, "", NAMES))
        .hasValueSatisfying(why -> assertThat(why).contains("naming it ('pause')"));
    assertThat(RequestGuard.refusal("POST", PAUSE, "127.0.0.1:8080", null, "cancel", NAMES)).isPresent();
    assertThat(RequestGuard.refusal("POST", PAUSE, "127.0.0.1:8080", "https://attacker.example", "pause", NAMES))
        .hasValueSatisfying(why -> assertThat(why).contains("another site"));
    assertThat(RequestGuard.refusal("POST", PAUSE, "127.0.0.1:8080", "null", "pause", NAMES)).isPresent();
  }
}
