package org.imprint.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code imprint no-prior}: the experiments of "No Prior, No Leakage" (Refael et al. 2025, arXiv:2509.21296). */
@Command(
        name = "no-prior",
        mixinStandardHelpOptions = true,
        description = {
            "The experiments of 'No Prior, No Leakage' (Refael, Smorodinsky, Lindenbaum, Safran 2025) at a CPU scale:",
            "sphere (same attack loss, different distance to the data), offset (a secret offset of the training data),",
            "length (training length against KKT residual, split freedom and reconstruction), duplication (how often",
            "attack restarts land on training points). Each prints a table and writes JSON and a PNG plot."},
        subcommands = {NoPriorSphereCommand.class, NoPriorOffsetCommand.class, NoPriorLengthCommand.class, NoPriorDuplicationCommand.class})
public final class NoPriorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return Main.OK;
    }
}
