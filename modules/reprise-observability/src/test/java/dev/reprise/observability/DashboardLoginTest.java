package dev.reprise.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DashboardLoginTest {

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void shouldAuthenticateAUserOfTheFileAndNoOneElse(@TempDir Path dir) throws Exception {
    Path users = dir.resolve("users.txt");
    String line = DashboardLogin.entry("alice", "correct horse".toCharArray());
    Files.writeString(users, "# operators\n" + line + "\n" + DashboardLogin.entry("bob", "battery staple".toCharArray()));
    DashboardLogin login = DashboardLogin.load(users);

    assertThat(line).startsWith("alice:pbkdf2-sha256:210000:").doesNotContain("correct horse");
    assertThat(login.authenticate(basic("alice", "correct horse"))).contains("alice");
    assertThat(login.authenticate(basic("alice", "correct horse"))).as("remembered").contains("alice");
    assertThat(login.authenticate(basic("bob", "battery staple"))).contains("bob");
    assertThat(login.authenticate(basic("alice", "battery staple"))).isEmpty();
    assertThat(login.authenticate(basic("carol", "correct horse"))).isEmpty();
    assertThat(login.authenticate("Bearer x")).isEmpty();
    assertThat(login.authenticate("Basic not-base64!")).isEmpty();
    assertThat(login.authenticate(null)).isEmpty();
  }

  @Test
  void shouldSaltEveryEntryAfresh() {
    assertThat(DashboardLogin.entry("alice", "same password".toCharArray()))
        .isNotEqualTo(DashboardLogin.entry("alice", "same password".toCharArray()));
  }

  @Test
  void shouldNameTheLineThatIsWrong(@TempDir Path dir) throws Exception {
    Path users = dir.resolve("users.txt");
    Files.writeString(users, DashboardLogin.entry("alice", "correct horse".toCharArray()) + "\nbob:plaintext\n");
    assertThatThrownBy(() -> DashboardLogin.load(users)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(users + " line 2: must be NAME:pbkdf2-sha256:ITERATIONS:SALT:HASH");
    Files.writeString(users, "# nobody\n");
    assertThatThrownBy(() -> DashboardLogin.load(users)).hasMessageContaining("names no user");
    assertThatThrownBy(() -> DashboardLogin.entry("a:b", "password".toCharArray())).hasMessageContaining("without ':'");
  }
}
