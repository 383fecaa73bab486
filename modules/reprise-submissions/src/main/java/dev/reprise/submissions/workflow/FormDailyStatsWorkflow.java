package dev.reprise.submissions.workflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprise.submissions.SubmissionEventType;
import dev.reprise.workflow.api.Event;
import dev.reprise.workflow.api.Workflow;
import dev.reprise.workflow.api.WorkflowContext;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;

/**
 * A view rebuilt by replay: per form, day (of the event's own time, UTC) and currency, the number
 * of submissions and the sum of their amounts, on the compacted topic {@link #dailyTopic}.
 *
 * <p>A submission counts once, with its latest revision: a correction replaces the amount it
 * contributed (an older revision arriving after a newer one is ignored). Amounts are summed per
 * currency because sums across currencies mean nothing. Deletions are not in replays (the
 * coordinator skips tombstones), so a deleted submission still counts in a rebuilt view.
 *
 * <p>How: the handler keeps each submission's latest revision in its state and publishes the
 * submission's contribution to the workflow's view topic, keyed by submission id; {@link
 * #deriveViews} aggregates that table by form, day and currency, subtracting a replaced
 * contribution and adding the new one. Rows are JSON: {@code {"formId":"form-3","day":"2023-03-14",
 * "currency":"EUR","count":12,"amountCents":84500}}.
 */
public final class FormDailyStatsWorkflow implements Workflow {

  /** The default name. */
  public static final String NAME = "form-daily-stats";

  private static final ObjectMapper JSON = new ObjectMapper();
  private final String name;

  /** One submission's contribution to a row. */
  record Contribution(String formId, String day, String currency, long amountCents, int revision) {}

  /** One row of the view: a form's submissions on one day, in one currency. */
  public record FormDay(String formId, LocalDate day, String currency, long count, long amountCents) {

    /** Reads a row of {@link #dailyTopic}. */
    public static FormDay parse(String json) {
      try {
        var node = JSON.readTree(json);
        return new FormDay(node.get("formId").asText(), LocalDate.parse(node.get("day").asText()),
            node.get("currency").asText(), node.get("count").asLong(), node.get("amountCents").asLong());
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("not a form-daily-stats row: " + json, e);
      }
    }

    /** The row's key on {@link #dailyTopic}: {@code formId|day|currency}. */
    public String key() {
      return key(formId, day.toString(), currency);
    }

    static String key(String formId, String day, String currency) {
      return formId + "|" + day + "|" + currency;
    }
  }

  public FormDailyStatsWorkflow() {
    this(NAME);
  }

  /** Under another name (several independent views, tests). */
  public FormDailyStatsWorkflow(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  /** Where the rows are: {@code reprise.workflow.<name>.daily}, compacted, keyed {@code formId|day|currency}. */
  public static String dailyTopic(String workflow) {
    return "reprise.workflow." + workflow + ".daily";
  }

  @Override
  public Optional<String> eventType() {
    return Optional.of(SubmissionEventType.NAME);
  }

  @Override
  public void handle(Event event, WorkflowContext context) {
    String submission = event.string("submissionId");
    int revision = (Integer) event.get("revision");
    Optional<Integer> latest = context.state().get(submission).map(Integer::parseInt);
    if (latest.isPresent() && latest.get() >= revision) {
      return;
    }
    context.state().put(submission, Integer.toString(revision));
    context.publish(submission, write(new Contribution(event.string("formId"), event.logicalDate().toString(),
        event.string("currency"), (Long) event.get("amountCents"), revision)));
  }

  @Override
  public void deriveViews(StreamsBuilder builder, String viewTopic) {
    // Named stores: their changelog topics keep their names when the topology changes.
    builder.table(viewTopic, Consumed.with(Serdes.String(), Serdes.String()),
            Materialized.<String, String, org.apache.kafka.streams.state.KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>>as(
                name + ".contributions").withKeySerde(Serdes.String()).withValueSerde(Serdes.String()))
        .groupBy((submission, json) -> {
          Contribution c = read(json, Contribution.class);
          return KeyValue.pair(FormDay.key(c.formId(), c.day(), c.currency()), json);
        }, Grouped.with(name + ".by-form-day", Serdes.String(), Serdes.String()))
        .aggregate(() -> null,
            (key, json, row) -> add(key, row, read(json, Contribution.class), 1),
            (key, json, row) -> add(key, row, read(json, Contribution.class), -1),
            Materialized.<String, String, org.apache.kafka.streams.state.KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>>as(
                name + ".daily").withKeySerde(Serdes.String()).withValueSerde(Serdes.String()))
        .toStream()
        .to(dailyTopic(name), Produced.with(Serdes.String(), Serdes.String()));
  }

  @Override
  public List<String> derivedViewTopics() {
    return List.of(dailyTopic(name));
  }

  private static String add(String key, String rowJson, Contribution contribution, int sign) {
    FormDay row = rowJson == null
        ? new FormDay(contribution.formId(), LocalDate.parse(contribution.day()), contribution.currency(), 0, 0)
        : FormDay.parse(rowJson);
    long count = row.count() + sign;
    if (count == 0) {
      // Its last submission moved elsewhere: the row goes (a tombstone on the compacted topic).
      return null;
    }
    return JSON.createObjectNode().put("formId", row.formId()).put("day", row.day().toString())
        .put("currency", row.currency()).put("count", count)
        .put("amountCents", row.amountCents() + sign * contribution.amountCents()).toString();
  }

  private static String write(Contribution contribution) {
    try {
      return JSON.writeValueAsString(contribution);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static <T> T read(String json, Class<T> type) {
    try {
      return JSON.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
