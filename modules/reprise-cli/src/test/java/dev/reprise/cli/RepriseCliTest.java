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
  void shouldRefuseABootstrapServerWithoutARegistry() {
    assertThat(run("seed", "--bootstrap-server", "127.0.0.1:1")).isEqualTo(1);
    assertThat(err.toString()).contains("--schema-registry is not");
  }
}
