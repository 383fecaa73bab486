package dev.reprise.protocol;

import dev.reprise.protocol.internal.CommittedTopic;
import dev.reprise.protocol.internal.RedrivePartitions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Lists a workflow's dead letters and retries them: one item, or every item of one backfill. A
 * retry publishes the dead letter's record, as it was read, to the workflow's redrive topic, on
 * the partition number it was read from; the workflow handles it like any other record, through
 * the same dedup store. Retrying an item twice, or an item whose event has been handled since (by
 * another backfill, say), gives a {@code DUPLICATE} receipt and runs nothing twice. An event whose
 * effects failed was forgotten by the dedup store when it was dead-lettered, so its retry performs
 * them.
 *
 * <pre>{@code
 * try (var redriver = DeadLetterRedriver.create(Map.of("bootstrap.servers", "127.0.0.1:9092"), "notify")) {
 *   redriver.deadLetters().forEach(System.out::println);
 *   redriver.retryItem(2, 17);                  // reprise.workflow.notify.dlq partition 2, offset 17
 *   redriver.retryBackfill("orders-2023");      // every dead letter of that backfill
 * }
 * }</pre>
 */
public final class DeadLetterRedriver implements AutoCloseable {

  /** The topic the workflow read the dead-lettered record from. */
  public static final String INPUT_TOPIC = "reprise.workflow.input.topic";
  /** Its partition there: a retry goes back to the same partition number, so through the same dedup. */
  public static final String INPUT_PARTITION = "reprise.workflow.input.partition";
  /** Its offset there. */
  public static final String INPUT_OFFSET = "reprise.workflow.input.offset";
  /** The event id, when the record had one. */
  public static final String EVENT_ID = "reprise.workflow.event.id";
  /** On the redrive topic: {@code retry} (handle it again) or {@code forget} (drop it from the dedup store). */
  public static final String REDRIVE = "reprise.workflow.redrive";
  /** On a retried record: the dead letter it came from, {@code partition@offset}. */
  public static final String RETRY_OF = "reprise.workflow.retry.of";
  /**
   * Error stage of an effect-outbox record that could not be read: kept as it was for inspection;
   * it names no event, so there is nothing to retry.
   */
  public static final String STAGE_OUTBOX = "outbox";

  private final String workflow;
  private final Map<String, Object> clientConfig;
  private final Admin admin;
  private final KafkaProducer<byte[], byte[]> producer;

  /**
   * One dead letter.
   *
   * @param partition its partition in {@link ControlTopics#workflowDeadLetterTopic}
   * @param offset its offset there
   * @param stage where the workflow failed it: {@code handle}, {@code effect} or {@link #STAGE_OUTBOX}
   * @param inputPartition the partition it was read from; a retry goes back there
   */
  public record DeadLetter(int partition, long offset, Optional<String> eventId, Optional<String> backfillId,
      String stage, String error, String inputTopic, int inputPartition) {

    /** {@code partition@offset}: how commands name an item. */
    public String coordinates() {
      return partition + "@" + offset;
    }
  }

  private DeadLetterRedriver(Map<String, ?> clientConfig, String workflow) {
    this.workflow = workflow;
    this.clientConfig = Map.copyOf(clientConfig);
    this.admin = Admin.create(this.clientConfig);
    Map<String, Object> producerConfig = new HashMap<>(this.clientConfig);
    producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
    producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    this.producer = new KafkaProducer<>(producerConfig);
  }

  /** @param clientConfig Kafka client settings ({@code bootstrap.servers}, security) */
  public static DeadLetterRedriver create(Map<String, ?> clientConfig, String workflow) {
    return new DeadLetterRedriver(clientConfig, workflow);
  }

  /** The workflow's dead letters, oldest first per partition. */
  public List<DeadLetter> deadLetters() {
    return read().stream().map(DeadLetterRedriver::describe).toList();
  }

  /**
   * Retries one dead letter.
   *
   * @throws IllegalArgumentException if the dead-letter topic has no record at {@code partition@offset}
   */
  public DeadLetter retryItem(int partition, long offset) {
    List<DeadLetter> retried = retry(d -> d.partition() == partition && d.offset() == offset);
    if (retried.isEmpty() && deadLetters().stream().anyMatch(d -> d.partition() == partition && d.offset() == offset)) {
      throw new IllegalArgumentException("the dead letter at " + partition + "@" + offset + " is an unreadable effect"
          + " request (stage " + STAGE_OUTBOX + "): it names no event, so there is nothing to retry");
    }
    if (retried.isEmpty()) {
      throw new IllegalArgumentException("no dead letter at " + partition + "@" + offset + " in '"
          + ControlTopics.workflowDeadLetterTopic(workflow) + "'; list them with deadLetters()");
    }
    return retried.get(0);
  }

  /**
   * Retries one dead letter named as commands name it, {@code partition@offset}.
   *
   * @throws IllegalArgumentException if {@code coordinates} is not {@code PARTITION@OFFSET}, or names no dead letter
   */
  public DeadLetter retryItem(String coordinates) {
    String[] at = coordinates.split("@", -1);
    try {
      if (at.length == 2) {
        return retryItem(Integer.parseInt(at[0].trim()), Long.parseLong(at[1].trim()));
      }
    } catch (NumberFormatException e) {
      // named below
    }
    throw new IllegalArgumentException("a dead letter is named PARTITION@OFFSET, e.g. 2@17; was '" + coordinates + "'");
  }

  /** Retries every dead letter of one backfill; returns them (none if it has none). */
  public List<DeadLetter> retryBackfill(String backfillId) {
    return retry(d -> d.backfillId().filter(backfillId::equals).isPresent());
  }

  /** Retries the dead letters {@code selected} accepts; returns them. */
  public List<DeadLetter> retry(Predicate<DeadLetter> selected) {
    RedrivePartitions partitions = new RedrivePartitions(admin, ControlTopics.workflowRedriveTopic(workflow));
    List<DeadLetter> retried = new ArrayList<>();
    List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : read()) {
      DeadLetter letter = describe(record);
      // An unreadable outbox record names no event: there is nothing to handle again.
      if (!selected.test(letter) || letter.stage().equals(STAGE_OUTBOX)) {
        continue;
      }
      partitions.ensure(letter.inputPartition());
      RecordHeaders headers = new RecordHeaders();
      for (Header header : record.headers()) {
        if (!header.key().startsWith("reprise.error.") && !header.key().startsWith("reprise.workflow.")) {
          headers.add(header);
        }
      }
      headers.add(REDRIVE, "retry".getBytes(StandardCharsets.UTF_8));
      headers.add(RETRY_OF, letter.coordinates().getBytes(StandardCharsets.UTF_8));
      sends.add(producer.send(new ProducerRecord<>(ControlTopics.workflowRedriveTopic(workflow), letter.inputPartition(),
          record.key(), record.value(), headers)));
      retried.add(letter);
    }
    producer.flush();
    for (var send : sends) {
      try {
        send.get();
      } catch (ExecutionException e) {
        throw new IllegalStateException("cannot publish a retry to '" + ControlTopics.workflowRedriveTopic(workflow) + "': "
            + e.getCause(), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while publishing retries", e);
      }
    }
    return retried;
  }

  private List<ConsumerRecord<byte[], byte[]>> read() {
    String topic = ControlTopics.workflowDeadLetterTopic(workflow);
    if (admin.listTopics().names().toCompletionStage().toCompletableFuture().join().contains(topic)) {
      return CommittedTopic.read(clientConfig, topic);
    }
    throw new IllegalArgumentException("workflow '" + workflow + "' has no dead-letter topic '" + topic
        + "': is the workflow name right, and has it run?");
  }

  private static DeadLetter describe(ConsumerRecord<byte[], byte[]> record) {
    Headers headers = record.headers();
    return new DeadLetter(record.partition(), record.offset(),
        header(headers, EVENT_ID), header(headers, ReplayHeaders.BACKFILL_ID),
        header(headers, ReplayHeaders.ERROR_STAGE).orElse("?"),
        header(headers, ReplayHeaders.ERROR_CLASS).orElse("?") + ": "
            + header(headers, ReplayHeaders.ERROR_MESSAGE).orElse(""),
        header(headers, INPUT_TOPIC).orElse("?"),
        header(headers, INPUT_PARTITION).map(Integer::parseInt).orElse(record.partition()));
  }

  private static Optional<String> header(Headers headers, String name) {
    Header header = headers.lastHeader(name);
    return header == null ? Optional.empty() : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
    admin.close(Duration.ofSeconds(10));
  }
}
