package dev.reprise.cli;

import picocli.CommandLine.Command;

/** {@code reprise bench}: benchmarks that print figures and a ratio against a baseline. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks on a real broker: each prints its figures, a ratio against a baseline measured in the"
        + " same run, and a JSON object as the last line.",
    subcommands = {BenchReplayCommand.class, BenchWorkflowCommand.class, BenchBackpressureCommand.class, BenchCopyCommand.class, BenchAppCommand.class})
final class BenchCommand {}
