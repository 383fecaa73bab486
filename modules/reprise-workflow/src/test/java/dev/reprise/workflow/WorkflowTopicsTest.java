package dev.reprise.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WorkflowTopicsTest {

  @Test
  void shouldMatchBackfillTopicsButNotTheirDeadLetters() {
    assertThat(WorkflowTopics.backfillOf("reprise.backfill.b-42")).hasValue("b-42");
    assertThat(WorkflowTopics.backfillOf("reprise.backfill.2023.q1")).hasValue("2023.q1");
    assertThat(WorkflowTopics.backfillOf("reprise.backfill.b-42.dlq")).isEmpty();
    assertThat(WorkflowTopics.backfillOf("reprise.status")).isEmpty();
    assertThat(WorkflowTopics.backfillOf("submissions")).isEmpty();
  }

  @Test
  void shouldNameTheWorkflowsTopics() {
    assertThat(WorkflowTopics.applicationId("notify")).isEqualTo("reprise.workflow.notify");
    assertThat(WorkflowTopics.receipts("notify")).isEqualTo("reprise.workflow.notify.receipts");
    assertThat(WorkflowTopics.deadLetters("notify")).isEqualTo("reprise.workflow.notify.dlq");
  }
}
