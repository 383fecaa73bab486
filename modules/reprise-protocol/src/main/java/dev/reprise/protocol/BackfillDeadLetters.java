package dev.reprise.protocol;

import dev.reprise.core.RepriseRetriableException;
import dev.reprise.protocol.internal.CommittedTopic;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * A backfill's own dead letters: the source records its coordinator could not replay, on {@link
 * ControlTopics#deadLetterTopic}, each with where it came from and why in its headers. What {@code
 * reprise retry --backfill ID --list}, the dashboard's Failed items and a RETRY read.
 *
 * <pre>{@code
 * for (BackfillDeadLetters.Letter letter : BackfillDeadLetters.read(clientConfig, "b-42")) {
 *   letter.item();      // "2@17": its partition and offset on reprise.backfill.b-42.dlq
 *   letter.stage();     // "upcast"
 *   letter.message();   // "cannot upcast submission 's-9' (revision 0) from v2 to v3: ..."
 * }
 * }</pre>
 */
public final class BackfillDeadLetters {

  /**
   * @param item its name for a RETRY: {@code partition@offset} on the dead-letter topic
   * @param sourcePartition where the source record was
   * @param sourceOffset where the source record was
   * @param stage where replaying it failed: {@code decode}, {@code schema} or {@code upcast}
   * @param record the dead letter itself: the source record's key and value, unchanged
   */
  public record Letter(String item, int sourcePartition, long sourceOffset, String stage, String errorClass,
      String message, ConsumerRecord<byte[], byte[]> record) {}

  private BackfillDeadLetters() {}

  /**
   * Every committed dead letter of {@code backfillId}, in partition and offset order; empty if the
   * backfill has no dead-letter topic (a PREVIEW).
   *
   * @throws RepriseRetriableException if the topic cannot be read to its end in 30 s
   */
  public static List<Letter> read(Map<String, ?> clientConfig, String backfillId) {
    return CommittedTopic.read(clientConfig, ControlTopics.deadLetterTopic(backfillId)).stream()
        .map(BackfillDeadLetters::letterOf).toList();
  }

  private static Letter letterOf(ConsumerRecord<byte[], byte[]> record) {
    return new Letter(record.partition() + "@" + record.offset(),
        header(record, ReplayHeaders.SOURCE_PARTITION).map(Integer::parseInt).orElse(record.partition()),
        header(record, ReplayHeaders.SOURCE_OFFSET).map(Long::parseLong).orElse(-1L),
        header(record, ReplayHeaders.ERROR_STAGE).orElse(""),
        header(record, ReplayHeaders.ERROR_CLASS).orElse(""),
        header(record, ReplayHeaders.ERROR_MESSAGE).orElse(""),
        record);
  }

  private static Optional<String> header(ConsumerRecord<?, ?> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null || header.value() == null ? Optional.empty()
        : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
  }
}
