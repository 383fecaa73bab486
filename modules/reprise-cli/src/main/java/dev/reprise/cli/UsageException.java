package dev.reprise.cli;

/**
 * The command line was wrong in a way picocli cannot see (a date that does not parse, a filter
 * without '=', a workflow that is not installed): exit code 2, like any other usage error.
 */
final class UsageException extends IllegalArgumentException {

  UsageException(String message) {
    super(message);
  }
}
