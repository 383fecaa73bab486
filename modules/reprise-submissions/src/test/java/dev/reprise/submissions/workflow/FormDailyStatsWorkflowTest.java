package dev.reprise.submissions.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprise.submissions.SubmissionEventType;
import dev.reprise.submissions.SubmissionFixtures;
import dev.reprise.workflow.api.Effect;
import dev.reprise.workflow.api.Event;
import dev.reprise.workflow.api.EventId;
import dev.reprise.workflow.api.WorkflowContext;
import dev.reprise.workflow.api.WorkflowState;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class FormDailyStatsWorkflowTest {

  private static final SubmissionEventType TYPE = new SubmissionEventType();

  private final FormDailyStatsWorkflow workflow = new FormDailyStatsWorkflow();
  private final Map<String, String> state = new HashMap<>();
  private final Map<String, String> published = new LinkedHashMap<>();

  @Test
  void shouldPublishTheLatestRevisionsContributionAndIgnoreAnOlderOneArrivingLate() {
    handle(event("s-1", 0, 1000));
    handle(event("s-1", 2, 3000));
    handle(event("s-1", 1, 2000));

    assertThat(state).containsEntry("s-1", "2");
    assertThat(published.get("s-1")).contains("\"amountCents\":3000").contains("\"revision\":2")
        .contains("\"formId\":\"form-1\"").contains("\"day\":\"2023-11-14\"").contains("\"currency\":\"EUR\"");
  }

  @Test
  void shouldReadRowsItWrites() {
    FormDailyStatsWorkflow.FormDay row = FormDailyStatsWorkflow.FormDay.parse(
        "{\"formId\":\"form-2\",\"day\":\"2024-02-29\",\"currency\":\"USD\",\"count\":3,\"amountCents\":450}");
    assertThat(row).isEqualTo(new FormDailyStatsWorkflow.FormDay("form-2", LocalDate.of(2024, 2, 29), "USD", 3, 450));
    assertThat(row.key()).isEqualTo("form-2|2024-02-29|USD");
  }

  private void handle(Event event) {
    workflow.handle(event, new WorkflowContext() {
      @Override
      public Optional<String> backfillId() {
        return Optional.of("b");
      }

      @Override
      public LocalDate logicalDate() {
        return event.logicalDate();
      }

      @Override
      public boolean effectsEnabled() {
        return false;
      }

      @Override
      public void perform(Effect effect) {
        throw new AssertionError("a view performs no effects");
      }

      @Override
      public WorkflowState state() {
        return new WorkflowState() {
          @Override
          public Optional<String> get(String key) {
            return Optional.ofNullable(state.get(key));
          }

          @Override
          public void put(String key, String value) {
            state.put(key, value);
          }

          @Override
          public void delete(String key) {
            state.remove(key);
          }
        };
      }

      @Override
      public void publish(String key, String value) {
        published.put(key, value);
      }
    });
  }

  private static Event event(String id, int revision, long amountCents) {
    GenericRecord record = SubmissionFixtures.v3(id, revision, amountCents, Map.of());
    return new Event(EventId.of(TYPE.eventId(record)), TYPE.name(), record,
        Instant.ofEpochMilli(TYPE.eventTimeMillis(record)), Optional.of("b"));
  }
}
