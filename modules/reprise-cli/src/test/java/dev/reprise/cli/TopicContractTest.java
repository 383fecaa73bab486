package dev.reprise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.asyncapi.v3._0_0.model.AsyncAPI;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.reprise.backpressure.WorkflowHealth;
import dev.reprise.protocol.ControlCodec;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.protocol.CoordinatorAnnouncements;
import dev.reprise.protocol.Provenance;
import dev.reprise.protocol.ReplayHeaders;
import dev.reprise.protocol.WorkflowDeclarations;
import dev.reprise.submissions.SubmissionSchemas;
import dev.reprise.workflow.WorkflowHeaders;
import dev.reprise.workflow.WorkflowTopics;
import dev.reprise.workflow.internal.ReceiptCodec;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * {@code schemas/asyncapi.yaml} is the topic contract a client in another stack codes against; this
 * test keeps it true: it reads as an AsyncAPI 3.0 document (the AsyncAPI initiative's Java model,
 * unknown properties refused), and its channels, consumer groups, headers and schema files are the
 * ones the code uses, each schema file self-contained.
 */
class TopicContractTest {

  private static final Path SCHEMAS = Path.of("../../schemas");
  private static final Path DOCUMENT = SCHEMAS.resolve("asyncapi.yaml");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void shouldReadAsAnAsyncApi3DocumentWithNothingUnknown() throws IOException {
    AsyncAPI document = YAML.copy().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .readValue(DOCUMENT.toFile(), AsyncAPI.class);

    assertThat(document.getAsyncapi()).isEqualTo("3.0.0");
    // The model's deserializers drop (and log) an entry they cannot read: every one must be there.
    assertThat(document.getChannels()).hasSize(tree().path("channels").size());
    assertThat(document.getOperations()).hasSize(tree().path("operations").size()).isNotEmpty();
    assertThat(document.getComponents().getMessages()).hasSize(tree().path("components").path("messages").size());
  }

  @Test
  void shouldDescribeEveryTopicTheCodeNamesAndNoOther() throws IOException {
    Set<String> fromCode = new TreeSet<>(List.of(
        ControlTopics.REQUESTS, ControlTopics.teamRequests("T").replaceFirst("T$", "{team}"), ControlTopics.STATUS, ControlTopics.AUDIT,
        WorkflowDeclarations.TOPIC, CoordinatorAnnouncements.TOPIC, WorkflowHealth.TOPIC,
        ControlTopics.backfillTopic("{backfillId}"), ControlTopics.deadLetterTopic("{backfillId}"),
        ControlTopics.previewTopic("{backfillId}"),
        WorkflowTopics.receipts("{workflow}"), WorkflowTopics.effects("{workflow}"),
        WorkflowTopics.deadLetters("{workflow}"), WorkflowTopics.redrive("{workflow}"),
        WorkflowTopics.dryRuns("{workflow}"), WorkflowTopics.view("{workflow}")));
    Set<String> documented = new TreeSet<>();
    tree().path("channels").forEach(channel -> documented.add(channel.path("address").asText()));

    assertThat(documented).isEqualTo(fromCode);
  }

  @Test
  void shouldNameTheConsumerGroupsTheCodeUses() throws IOException {
    Set<String> documented = new TreeSet<>();
    tree().path("operations").forEach(operation -> operation.path("bindings").path("kafka").path("groupId")
        .path("enum").forEach(group -> documented.add(group.asText())));

    assertThat(documented).containsExactlyInAnyOrder(ControlTopics.COORDINATOR_GROUP,
        ControlTopics.workflowGroup("{workflow}"), ControlTopics.replayGroup("{backfillId}"));
  }

  @Test
  void shouldDescribeEveryHeaderTheCodeWritesAndNoOther() throws Exception {
    Set<String> fromCode = new TreeSet<>();
    fromCode.addAll(headerConstants(ReplayHeaders.class, name -> true));
    fromCode.addAll(headerConstants(WorkflowHeaders.class, name -> !name.startsWith("STAGE_")));
    fromCode.addAll(headerConstants(ControlTopics.class, name -> name.endsWith("_HEADER")));
    fromCode.add(Provenance.HEADER);
    Set<String> documented = new TreeSet<>();
    tree().path("components").path("messages").forEach(message ->
        message.path("headers").path("properties").fieldNames().forEachRemaining(documented::add));

    assertThat(documented).isEqualTo(fromCode);
  }

  @Test
  void shouldParseEverySchemaFileAloneWithAPlainAvroParser() throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(SCHEMAS)) {
      files = walk.filter(p -> p.toString().endsWith(".avsc")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(9);
    for (Path file : files) {
      // A fresh parser each: no named type may come from another file.
      assertThat(new Schema.Parser().parse(file.toFile()).getType()).as(file.toString()).isEqualTo(Schema.Type.RECORD);
    }
  }

  @Test
  void shouldReferToSchemaFilesThatAreTheCodesOwn() throws IOException {
    Map<String, Schema> codes = Map.of(
        "control/replay-request-v1.avsc", ControlCodec.REPLAY_REQUEST_SCHEMA,
        "control/backfill-status-v1.avsc", ControlCodec.STATUS_SCHEMA,
        "control/audit-entry-v1.avsc", ControlCodec.AUDIT_SCHEMA,
        "workflow/receipt-v1.avsc", ReceiptCodec.SCHEMA,
        "submissions/submission-v3.avsc", SubmissionSchemas.latest());
    List<String> referenced = new ArrayList<>();
    tree().path("components").path("messages").forEach(message -> {
      JsonNode ref = message.path("payload").path("schema").path("$ref");
      if (!ref.isMissingNode()) {
        referenced.add(ref.asText().replaceFirst("^\\./", ""));
      }
    });
    Set<String> wireFormats = new TreeSet<>();
    for (String dir : List.of("control", "workflow")) {
      try (Stream<Path> files = Files.list(SCHEMAS.resolve(dir))) {
        files.forEach(file -> wireFormats.add(dir + "/" + file.getFileName()));
      }
    }

    assertThat(referenced).as("every control and workflow schema is some topic's").containsAll(wireFormats);
    for (String file : referenced) {
      Schema parsed = new Schema.Parser().parse(SCHEMAS.resolve(file).toFile());
      if (codes.containsKey(file)) {
        assertThat(parsed).as(file).isEqualTo(codes.get(file));
      }
    }
    // The status carries the request inline: the two definitions must not drift apart.
    assertThat(ControlCodec.STATUS_SCHEMA.getField("request").schema().getTypes().get(1))
        .isEqualTo(ControlCodec.REPLAY_REQUEST_SCHEMA);
  }

  @Test
  void shouldBeLinkedFromTheReadme() throws IOException {
    assertThat(Files.readString(Path.of("../../README.md"))).contains("schemas/asyncapi.yaml");
  }

  private static JsonNode tree() throws IOException {
    return YAML.readTree(DOCUMENT.toFile());
  }

  private static Set<String> headerConstants(Class<?> type, java.util.function.Predicate<String> fieldName)
      throws IllegalAccessException {
    Set<String> names = new TreeSet<>();
    for (Field field : type.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class && fieldName.test(field.getName())) {
        String value = (String) field.get(null);
        if (value.startsWith("reprise.")) {
          names.add(value);
        }
      }
    }
    return names;
  }
}
