package dev.reprise.workflow.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class FairTurnsTest {

  private static final TopicPartition P0 = new TopicPartition("effects", 0);
  private static final TopicPartition P1 = new TopicPartition("effects", 1);
  private static final TopicPartition P2 = new TopicPartition("effects", 2);

  @Test
  void shouldServeNeverServedPartitionsFirstInPartitionOrder() {
    FairTurns turns = new FairTurns();
    turns.served(P0);

    assertThat(turns.order(List.of(P0, P2, P1))).containsExactly(P1, P2, P0);
  }

  @Test
  void shouldPutTheLeastRecentlyServedFirstWhateverOrderThePollReturned() {
    FairTurns turns = new FairTurns();
    turns.served(P2);
    turns.served(P0);
    turns.served(P1);

    assertThat(turns.order(List.of(P1, P0, P2))).containsExactly(P2, P0, P1);
  }

  @Test
  void shouldKeepAPartitionThatWasNotServedAheadOfThoseThatWere() {
    FairTurns turns = new FairTurns();
    for (TopicPartition partition : turns.order(List.of(P0, P1, P2))) {
      if (!partition.equals(P1)) {   // P1 failed its turn
        turns.served(partition);
      }
    }

    assertThat(turns.order(List.of(P0, P1, P2)).get(0)).isEqualTo(P1);
  }
}
