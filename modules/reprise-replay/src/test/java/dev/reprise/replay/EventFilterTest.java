package dev.reprise.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprise.spi.EventWindow;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventFilterTest {

  private final EventFilter tenantAcme = new EventFilter(100, 200, Map.of("tenantId", Set.of("acme"), "formId", Set.of()));

  @Test
  void shouldWantTheRangeEndExclusiveAndOnlyTheValuesAskedFor() {
    assertThat(tenantAcme.matches(100, Map.of("tenantId", "acme", "formId", "f"))).isTrue();
    assertThat(tenantAcme.matches(200, Map.of("tenantId", "acme"))).as("end exclusive").isFalse();
    assertThat(tenantAcme.matches(150, Map.of("tenantId", "other"))).isFalse();
    assertThat(tenantAcme.attributes()).as("an empty value set filters nothing").containsOnlyKeys("tenantId");
  }

  @Test
  void shouldNotLetAMissingAttributeMatchAFilterOnIt() {
    assertThat(tenantAcme.matches(150, Map.of("formId", "f"))).isFalse();
    assertThat(EventFilter.all().matches(Long.MIN_VALUE, Map.of())).isTrue();
  }

  @Test
  void shouldSayARecordKnownOnlyWithinAWindowMightMatchIfTheWindowMeetsTheRange() {
    assertThat(tenantAcme.mayMatch(new EventWindow(50, 100, Map.of("tenantId", "acme")))).isTrue();
    assertThat(tenantAcme.mayMatch(new EventWindow(200, 300, Map.of("tenantId", "acme")))).isFalse();
    assertThat(tenantAcme.mayMatch(EventWindow.anyTime(Map.of("tenantId", "acme")))).isTrue();
    assertThat(tenantAcme.mayMatch(EventWindow.anyTime(Map.of("tenantId", "other")))).isFalse();
  }

  @Test
  void shouldSayARecordWhoseAttributeIsUnknownMightMatchSoItIsDeadLetteredNotLost() {
    assertThat(tenantAcme.mayMatch(EventWindow.exact(150, Map.of()))).isTrue();
    assertThat(tenantAcme.mayMatch(EventWindow.exact(250, Map.of()))).as("out of range all the same").isFalse();
  }
}
