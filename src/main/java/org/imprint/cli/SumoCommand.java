package org.imprint.cli;

import picocli.CommandLine.Command;

/** {@code imprint experiment sumo}: the experiments that test the claims of SUMO (arXiv:2505.24749), sized for a CPU. */
@Command(
        name = "sumo",
        mixinStandardHelpOptions = true,
        description = {
            "Experiments testing SUMO's claims (Refael et al. 2025, arXiv:2505.24749) at CPU scale. Each writes",
            "results.json, table.md and PNG plots into --out and prints its tables."},
        subcommands = {SumoOrthogonalizationCommand.class, SumoSpectrumCommand.class, SumoConvergenceCommand.class,
                       SumoMemoryCommand.class, SumoStepTimeCommand.class})
public final class SumoCommand extends CommandGroup {}
