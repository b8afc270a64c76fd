package org.imprint.cli;

import picocli.CommandLine.Command;

/** {@code imprint experiment}: the papers' experiments, each one command with the authors' protocol as defaults. */
@Command(
        name = "experiment",
        mixinStandardHelpOptions = true,
        description = "Reproduces the papers' experiments; each writes a folder with a table, PNG plots and JSON.",
        subcommands = {ProvableSphereCommand.class, ProvableGmmCommand.class, Provable1dCommand.class, ProvableMnistCommand.class,
            NoPriorCommand.class, SumoCommand.class})
public final class ExperimentCommand extends CommandGroup {}
