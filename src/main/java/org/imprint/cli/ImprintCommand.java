package org.imprint.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The root command: lists the subcommands. */
@Command(
        name = "imprint",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Measures what a trained network's weights give away about its training data,",
            "and trains networks with the SUMO optimizer."},
        subcommands = {TrainCommand.class, LmCommand.class, ReconstructCommand.class, Reconstruct1dCommand.class, MembershipCommand.class,
            AnalyzeCommand.class, DemoCommand.class, ReportCommand.class, ExperimentCommand.class, BenchCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:internal error (a bug or an environment failure; --stacktrace shows where)",
            "2:bad input (options, missing or corrupt files, wrong shapes)"})
public final class ImprintCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--stacktrace", scope = ScopeType.INHERIT, description = "Print the stack trace of an error.")
    boolean stacktrace;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return Main.OK;
    }
}
