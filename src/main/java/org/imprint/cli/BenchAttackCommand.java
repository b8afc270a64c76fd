package org.imprint.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.imprint.bench.AttackBench;
import org.imprint.io.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code imprint bench attack}: one reconstruction-attack iteration, Imprint against PyTorch's double backprop. */
@Command(
        name = "attack",
        mixinStandardHelpOptions = true,
        description = {
            "Times one iteration of the reconstruction attack (loss, dL/dx, dL/dλ) on 784-1000-1000-1 with m candidates",
            "in float64, side by side with PyTorch's generic double backprop (create_graph) on the same inputs."})
public final class BenchAttackCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--candidates", defaultValue = "1000", description = "Candidates m. Default: ${DEFAULT-VALUE}.")
    int candidates;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed iterations first. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--iterations", defaultValue = "8", description = "Timed iterations (median reported). Default: ${DEFAULT-VALUE}.")
    int iterations;

    @Option(names = "--threads", defaultValue = "2", description = "Threads for both sides. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--json", description = "Also write the result as JSON to this file.")
    Path json;

    @Option(names = "--no-torch", description = "Only time Imprint.")
    boolean noTorch;

    @Override
    public Integer call() throws Exception {
        if (candidates < 1 || iterations < 1 || warmup < 0 || threads < 1) {
            throw new BadInputException("--candidates, --iterations and --threads must be >= 1 and --warmup >= 0");
        }
        AttackBench bench = new AttackBench(spec.commandLine().getOut(), candidates, warmup, iterations, threads, !noTorch);
        AttackBench.Result r = bench.run();
        if (json != null) bench.writeJson(json, r);
        return Main.OK;
    }
}
