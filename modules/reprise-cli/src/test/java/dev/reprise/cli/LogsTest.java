package dev.reprise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LogsTest {

  @Test
  void shouldKeepTheLogsOfACommandAPersonReadsInAFileUnderTheDataDirUnlessVerbose() {
    Logs.Settings demo = Logs.Settings.of("--plugin", "x.jar", "demo", "--data-dir", "/tmp/d", "--events", "10");

    assertThat(demo.command()).contains("demo");
    assertThat(demo.file()).isEqualTo(Path.of("/tmp/d/logs/demo.log"));
    assertThat(demo.console()).isFalse();
    assertThat(Logs.Settings.of("demo", "-v").console()).isTrue();
    assertThat(Logs.Settings.of("status", "--verbose").console()).isTrue();
  }

  @Test
  void shouldLetServicesLogToStderrAsWell() {
    assertThat(Logs.Settings.of("coordinator", "--allow-topic", "s").console()).isTrue();
    assertThat(Logs.Settings.of("up").console()).isTrue();
    assertThat(Logs.Settings.of("request", "--id", "x").console()).isFalse();
    assertThat(Logs.Settings.of("coordinator").file().getFileName()).hasToString("coordinator.log");
  }
}
