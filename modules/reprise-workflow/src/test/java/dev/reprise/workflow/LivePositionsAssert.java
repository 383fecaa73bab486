package dev.reprise.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprise.protocol.LivePositions;
import dev.reprise.testing.RepriseTestEnvironment;

/** Checks where a runtime joined a live topic, against the broker's own offsets. */
final class LivePositionsAssert {

  private LivePositionsAssert() {}

  /** The runtime joined {@code topic} for the first time, at its end, and the group holds that position. */
  static void joinedAtEnd(RepriseTestEnvironment env, WorkflowRuntime runtime, String topic) {
    LivePositions.Handover joined = runtime.livePositions().get(topic);
    assertThat(joined).as("the runtime reports where it joined '%s'", topic).isNotNull();
    assertThat(joined.firstJoin()).isTrue();
    assertThat(joined.positions()).isEqualTo(LivePositions.endOffsets(env.admin(), topic));
    assertThat(LivePositions.committed(env.admin(), WorkflowTopics.applicationId(runtime.workflowName()), topic))
        .isEqualTo(joined.positions());
  }
}
