package org.imprint.cli;

import picocli.CommandLine.Command;

/** {@code imprint bench}: benchmarks run side by side with their reference implementations. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks Imprint against reference implementations on this machine.",
        subcommands = {BenchKernelsCommand.class, BenchTrainCommand.class, BenchAttackCommand.class, BenchProvableCommand.class, BenchLmCommand.class})
public final class BenchCommand extends CommandGroup {}
