package org.imprint.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code imprint bench}: benchmarks run side by side with their reference implementations. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks Imprint against reference implementations on this machine.",
        subcommands = {BenchKernelsCommand.class, BenchTrainCommand.class, BenchAttackCommand.class, BenchProvableCommand.class, BenchLmCommand.class})
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return Main.OK;
    }
}
