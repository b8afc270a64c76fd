package org.imprint.cli;

import picocli.CommandLine.Command;

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
public final class NoPriorCommand extends CommandGroup {}
