package dev.reprise.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprise.protocol.BackfillRequest;
import dev.reprise.protocol.BackfillRequest.EffectsPolicy;
import dev.reprise.protocol.BackfillRequest.Mode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackfillFormTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void shouldTurnTheFormIntoTheRequestTheCliWouldPublish() throws Exception {
    BackfillRequest request = BackfillForm.parse(JSON.readTree("""
        {"id":" notify-2024 ","source":"submissions","eventType":"","from":"2024-01-01","to":"2025-01-01T06:00:00Z",
         "filters":{"formId":["f-1"," f-2",""],"tenantId":[]},"targetVersion":"2","workflows":["notify",""],
         "effects":"enable","maxRate":"500","mode":"PREVIEW","reason":"the new workflow"}"""), "ana");

    assertThat(request.backfillId()).isEqualTo("notify-2024");
    assertThat(request.sourceTopic()).isEqualTo("submissions");
    assertThat(request.eventType()).isEmpty();
    assertThat(request.from()).isEqualTo(Instant.parse("2024-01-01T00:00:00Z"));
    assertThat(request.to()).isEqualTo(Instant.parse("2025-01-01T06:00:00Z"));
    assertThat(request.filters()).isEqualTo(Map.of("formId", Set.of("f-1", "f-2")));
    assertThat(request.targetSchemaVersion()).hasValue(2);
    assertThat(request.workflows()).isEqualTo(List.of("notify"));
    assertThat(request.effectsPolicy()).isEqualTo(EffectsPolicy.ENABLE);
    assertThat(request.maxRecordsPerSecond()).hasValue(500.0);
    assertThat(request.mode()).isEqualTo(Mode.PREVIEW);
    assertThat(request.requestedBy()).isEqualTo(Optional.of("ana (dashboard)"));
    assertThat(request.reason()).hasValue("the new workflow");
  }

  @Test
  void shouldDefaultToAPreviewWithEffectsSuppressed() throws Exception {
    BackfillRequest request = BackfillForm.parse(JSON.readTree("""
        {"id":"b","source":"s","from":"2024-01-01","to":"2024-02-01"}"""), "ana");

    assertThat(request.mode()).isEqualTo(Mode.PREVIEW);
    assertThat(request.effectsPolicy()).isEqualTo(EffectsPolicy.SUPPRESS);
  }

  @Test
  void shouldNameEveryWrongFieldAtOnce() {
    assertThatThrownBy(() -> BackfillForm.parse(JSON.readTree("""
        {"source":"","from":"yesterday","mode":"NOW","effects":"SOMETIMES","maxRate":"-3","targetVersion":"latest"}"""),
        "ana"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("id: required")
        .hasMessageContaining("source: required")
        .hasMessageContaining("from: a day such as 2023-01-01 or an instant such as 2023-01-01T06:00:00Z, was 'yesterday'")
        .hasMessageContaining("to: required")
        .hasMessageContaining("mode: one of [EXECUTE, PREVIEW], was 'NOW'")
        .hasMessageContaining("effects: one of [SUPPRESS, ENABLE], was 'SOMETIMES'")
        .hasMessageContaining("maxRate: records per second above 0, was '-3'")
        .hasMessageContaining("targetVersion: a schema version number, was 'latest'");
  }
}
