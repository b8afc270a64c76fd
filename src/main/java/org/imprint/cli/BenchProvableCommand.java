package org.imprint.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.imprint.bench.ProvableBench;
import org.imprint.io.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code imprint bench provable}: the width-10000 sphere protocol (training + test queries), Imprint against PyTorch. */
@Command(
        name = "provable",
        mixinStandardHelpOptions = true,
        description = {
            "Times the high-dimensional protocol of Smorodinsky, Vardi & Safran 2024 (sphere, d = 1000, n = 20, width 10000,",
            "100 full-batch SGD steps, then 5000 test queries), float64 and float32, side by side with PyTorch",
            "(Debian's python3-torch) from the same data and initial weights."})
public final class BenchProvableCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--d", defaultValue = "1000", description = "Input dimension. Default: ${DEFAULT-VALUE}.")
    int d;

    @Option(names = "--width", defaultValue = "10000", description = "Hidden neurons. Default: ${DEFAULT-VALUE}.")
    int width;

    @Option(names = "--n", defaultValue = "20", description = "Training points. Default: ${DEFAULT-VALUE}.")
    int n;

    @Option(names = "--test-n", defaultValue = "5000", description = "Test queries. Default: ${DEFAULT-VALUE}.")
    int testN;

    @Option(names = "--steps", defaultValue = "100", description = "Training steps. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--repeats", defaultValue = "3", description = "Repetitions per side (the fastest is kept). Default: ${DEFAULT-VALUE}.")
    int repeats;

    @Option(names = "--threads", defaultValue = "2", description = "Threads for both sides. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--no-torch", description = "Only time Imprint.")
    boolean noTorch;

    @Option(names = "--json", description = "Also write the results as JSON to this file.")
    Path json;

    @Override
    public Integer call() throws Exception {
        if (d < 1 || width < 1 || n < 2 || testN < 1 || steps < 0 || repeats < 1 || threads < 1) {
            throw new BadInputException("--d, --width, --test-n, --repeats and --threads must be >= 1, --n >= 2, --steps >= 0");
        }
        ProvableBench bench = new ProvableBench(spec.commandLine().getOut(), d, width, n, testN, steps, repeats, threads, !noTorch);
        List<ProvableBench.Row> rows = bench.run();
        if (json != null) bench.writeJson(json, rows);
        return Main.OK;
    }
}
