package dev.reprise.cli;

import dev.reprise.observability.DashboardLogin;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code reprise dashboard-user NAME}: reads a password (from the terminal without echo, or the
 * first line of stdin) and prints the users-file line for {@code --http-users}: the name with a
 * salted PBKDF2 hash, never the password.
 */
@Command(name = "dashboard-user", mixinStandardHelpOptions = true,
    description = {"Print a line of a dashboard users file (--http-users) for NAME, with a salted hash of the password"
        + " read from the terminal or stdin."})
final class DashboardUserCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME") String name;

  @Override
  public Integer call() throws Exception {
    char[] password;
    if (System.console() != null) {
      password = System.console().readPassword("password for %s: ", name);
    } else {
      String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      password = line == null ? new char[0] : line.toCharArray();
    }
    if (password == null || password.length < 8) {
      throw new UsageException("the password must have at least 8 characters");
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(DashboardLogin.entry(name, password));
    out.flush();
    return 0;
  }
}
