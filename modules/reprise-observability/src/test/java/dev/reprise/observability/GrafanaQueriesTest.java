package dev.reprise.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class GrafanaQueriesTest {

  @Test
  void shouldFindTheMetricNamesOfAQueryAndNothingElse() {
    assertThat(GrafanaQueries.metricNames(
        "sum by (backfill, outcome) (rate(reprise_backfill_records_total{backfill=~\"$backfill\", outcome=\"x y\"}[1m]))"))
        .containsExactly("reprise_backfill_records_total");
    assertThat(GrafanaQueries.metricNames("max by (group, kind, status) (reprise_consumer_group_status) == 1"))
        .containsExactly("reprise_consumer_group_status");
    assertThat(GrafanaQueries.metricNames("a_total / on (job) group_left b_info"))
        .containsExactlyInAnyOrder("a_total", "b_info");
    assertThat(GrafanaQueries.metricNames("label_values(reprise_backfill_progress_ratio, backfill)"))
        .containsExactly("reprise_backfill_progress_ratio");
  }

  @Test
  void shouldCollectTheNamesOfEveryPanelAndVariable() throws Exception {
    var dashboard = new ObjectMapper().readTree("""
        {"panels": [{"type": "row"}, {"targets": [{"expr": "x_total"}, {"expr": "max(y_seconds)"}]}],
         "templating": {"list": [{"definition": "label_values(z_ratio, backfill)"}]}}""");
    assertThat(GrafanaQueries.metricNames(dashboard)).containsExactly("x_total", "y_seconds", "z_ratio");
  }
}
