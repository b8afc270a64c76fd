package org.imprint.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.imprint.bench.TrainBench;
import org.imprint.io.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code imprint bench train}: a training epoch of the papers' victim, Imprint against PyTorch. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Times one full-batch training epoch (forward, backward, SGD step) of 784-1000-1000-1 on 500 MNIST images,",
            "float64 and float32, side by side with PyTorch (Debian's python3-torch) from the same data and weights."})
public final class BenchTrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Also write the results as JSON to this file.")
    Path json;

    @Option(names = "--per-class", defaultValue = "250", description = "Images per class (n = 2x). Default: ${DEFAULT-VALUE}.")
    int perClass;

    @Option(names = "--warmup", defaultValue = "5", description = "Untimed epochs first. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--epochs", defaultValue = "30", description = "Timed epochs (the median is reported). Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--threads", defaultValue = "2", description = "Threads for both sides. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--no-torch", description = "Only time Imprint.")
    boolean noTorch;

    @Override
    public Integer call() throws Exception {
        if (perClass < 1 || warmup < 0 || epochs < 1 || threads < 1) {
            throw new BadInputException("--per-class, --epochs and --threads must be >= 1 and --warmup >= 0");
        }
        TrainBench bench = new TrainBench(spec.commandLine().getOut(), perClass, warmup, epochs, threads, !noTorch);
        List<TrainBench.Row> rows = bench.run();
        if (json != null) bench.writeJson(json, rows);
        return Main.OK;
    }
}
