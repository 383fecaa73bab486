package dev.reprise.workflow;

import dev.reprise.protocol.LivePositions;
import dev.reprise.testing.RepriseTestEnvironment;
import java.util.Map;
import java.util.TreeMap;

/** Test set-up for workflows fed by live topics. */
final class LiveTopics {

  private LiveTopics() {}

  /**
   * Creates {@code topic} (compacted, empty) and commits position 0 of every partition for {@code
   * workflow}: the workflow existed before anything is written there, so whatever a test writes
   * next is live traffic to it, not history.
   */
  static void subscribedBeforeWriting(RepriseTestEnvironment env, String workflow, String topic, int partitions) {
    env.createTopic(topic, partitions, Map.of("cleanup.policy", "compact"));
    Map<Integer, Long> start = new TreeMap<>();
    for (int p = 0; p < partitions; p++) {
      start.put(p, 0L);
    }
    LivePositions.establish(env.admin(), WorkflowTopics.applicationId(workflow), topic, start);
  }
}
