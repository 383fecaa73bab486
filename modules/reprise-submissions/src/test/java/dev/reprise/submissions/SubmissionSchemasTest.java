package dev.reprise.submissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class SubmissionSchemasTest {

  @Test
  void shouldRecogniseEveryVersionByItsWriterSchema() {
    for (int version = 1; version <= SubmissionSchemas.LATEST_VERSION; version++) {
      Schema reparsed = new Schema.Parser().parse(SubmissionSchemas.forVersion(version).toString());
      assertThat(SubmissionSchemas.versionOf(reparsed)).hasValue(version);
    }
  }

  @Test
  void shouldRecogniseAVersionWhoseDocsWereStripped() throws IOException {
    // Registries may hand the schema back reformatted; the canonical form ignores docs.
    JsonNode json = new ObjectMapper().readTree(SubmissionSchemas.forVersion(2).toString());
    stripDocs(json);
    Schema withoutDocs = new Schema.Parser().parse(json.toString());

    assertThat(withoutDocs.getDoc()).isNull();
    assertThat(SubmissionSchemas.versionOf(withoutDocs)).hasValue(2);
  }

  private static void stripDocs(JsonNode node) {
    if (node instanceof ObjectNode object) {
      object.remove("doc");
    }
    node.forEach(SubmissionSchemasTest::stripDocs);
  }

  @Test
  void shouldNotRecogniseAForeignSchema() {
    Schema other = SchemaBuilder.record("Submission").namespace("dev.reprise.schemas.submission")
        .fields().requiredString("submissionId").endRecord();
    assertThat(SubmissionSchemas.versionOf(other)).isEmpty();
  }

  @Test
  void shouldRejectAVersionThatDoesNotExist() {
    assertThatThrownBy(() -> SubmissionSchemas.forVersion(4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("version 4 does not exist");
  }

  @Test
  void shouldParseEverySchemaFileInTheRepository() throws IOException {
    Path root = Path.of("../../schemas");
    List<Path> files;
    try (var walk = Files.walk(root)) {
      files = walk.filter(p -> p.toString().endsWith(".avsc")).toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(5);
    // Control-plane files refer to each other's named types (the status embeds the request):
    // parse them with one parser, each once the types it needs are known. Submission versions
    // share one name, so each is parsed alone.
    for (Path file : files.stream().filter(f -> !f.toString().contains("control")).toList()) {
      assertThat(new Schema.Parser().parse(file.toFile()).getType()).as(file.toString()).isEqualTo(Schema.Type.RECORD);
    }
    Schema.Parser parser = new Schema.Parser();
    List<Path> pending = new java.util.ArrayList<>(files.stream().filter(f -> f.toString().contains("control")).toList());
    assertThat(pending).isNotEmpty();
    while (!pending.isEmpty()) {
      List<Path> failed = new java.util.ArrayList<>();
      for (Path file : pending) {
        try {
          Schema schema = parser.parse(file.toFile());
          assertThat(schema.getType()).as(file.toString()).isEqualTo(Schema.Type.RECORD);
        } catch (org.apache.avro.SchemaParseException e) {
          if (!e.getMessage().contains("Undefined name") && !e.getMessage().contains("Undefined schema")) {
            throw e;
          }
          failed.add(file);
        }
      }
      assertThat(failed).as("schemas referring to types no file defines").hasSizeLessThan(pending.size());
      pending = failed;
    }
  }
}
