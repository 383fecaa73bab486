package dev.reprise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class RepriseCliTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine commandLine = new CommandLine(new RepriseCli())
        .setOut(new PrintWriter(out))
        .setErr(new PrintWriter(err))
        .setExecutionExceptionHandler((e, cl, parseResult) -> {
          cl.getErr().println("reprise: " + e.getMessage());
          return 1;
        });
    return commandLine.execute(args);
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
