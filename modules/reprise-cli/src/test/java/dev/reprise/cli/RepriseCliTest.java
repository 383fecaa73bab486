package dev.reprise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class RepriseCliTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return RepriseCli.commandLine()
        .setOut(new PrintWriter(out))
        .setErr(new PrintWriter(err))
        .execute(args);
  }

  @Test
  void shouldListTheSeedCommandInHelp() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("seed");
  }

  @Test
  void shouldExitWithTwoOnAnUnknownOption() {
    assertThat(run("seed", "--evnts", "5")).isEqualTo(2);
    assertThat(err.toString()).contains("--evnts");
  }

  @Test
  void shouldExitWithTwoOnAValueThatIsWrongBeforeConnectingToAnything() {
    assertThat(run("request", "--id", "b", "--from", "2023-13-01", "--to", "2024-01-01")).isEqualTo(2);
    assertThat(err.toString()).contains("--from '2023-13-01' is not a UTC date");
    assertThat(run("request", "--id", "b", "--from", "2023-01-01", "--to", "2024-01-01", "--filter", "region"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--filter 'region': give ATTRIBUTE=VALUE");
    assertThat(run("worker", "--workflow", "nope", "--bootstrap-server", "127.0.0.1:1", "--schema-registry",
        "http://127.0.0.1:1")).isEqualTo(2);
    assertThat(err.toString()).contains("unknown workflow 'nope'; installed: form-daily-stats, notify");
  }

  @Test
  void shouldRefuseABootstrapServerWithoutARegistry() {
    assertThat(run("seed", "--bootstrap-server", "127.0.0.1:1")).isEqualTo(1);
    assertThat(err.toString()).contains("--schema-registry is not");
  }

  @Test
  void shouldListTheSubmissionsEventTypeFoundOnTheClassPathWithItsVersionsAndFilters() throws Exception {
    assertThat(run("plugins", "--json")).isZero();
    var listing = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString());
    var submissions = listing.get("eventTypes").get(0);
    assertThat(submissions.get("name").asText()).isEqualTo("submissions");
    assertThat(submissions.get("versions")).hasSize(3);
    assertThat(submissions.get("minTargetVersion").asInt()).isEqualTo(2);
    assertThat(submissions.get("upcasters").toString()).contains("SubmissionV1ToV2Upcaster (v1 -> v2)")
        .contains("SubmissionV2ToV3Upcaster (v2 -> v3)");
    assertThat(submissions.get("filterAttributes").toString()).contains("formId").contains("tenantId");
    assertThat(listing.get("workflows").toString()).contains("notify").contains("form-daily-stats");
  }
}
