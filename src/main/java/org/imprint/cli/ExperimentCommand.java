package org.imprint.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code imprint experiment}: the papers' experiments, each one command with the authors' protocol as defaults. */
@Command(
        name = "experiment",
        mixinStandardHelpOptions = true,
        description = "Reproduces the papers' experiments; each writes a folder with a table, PNG plots and JSON.",
        subcommands = {ProvableSphereCommand.class, ProvableGmmCommand.class, Provable1dCommand.class, ProvableMnistCommand.class,
            NoPriorCommand.class, SumoCommand.class})
public final class ExperimentCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return Main.OK;
    }
}
