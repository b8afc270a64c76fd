package org.imprint.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.imprint.bench.KernelBench;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code imprint bench kernels}: GEMM, thin SVD and thin QR, Imprint against NumPy. */
@Command(
        name = "kernels",
        mixinStandardHelpOptions = true,
        description = {
            "Times GEMM (1024^3, 256^3, 4096x1024*1024x64), thin SVD and thin QR (4096x64) in f64 and f32,",
            "Imprint against NumPy (/usr/bin/python3, scripts/bench_kernels_numpy.py) at each thread count.",
            "Prints GFLOP/s (ms for SVD/QR) and the speed ratio Imprint/NumPy (> 1: Imprint faster)."
        })
public final class BenchKernelsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
    Path json;

    @Option(names = "--threads", split = ",", paramLabel = "N[,N...]", defaultValue = "1,2",
            description = "Thread counts to measure at (default: ${DEFAULT-VALUE}).")
    List<Integer> threads;

    @Option(names = "--min-time", paramLabel = "SECONDS", defaultValue = "1.0",
            description = "Seconds of timing per measurement, after a separate warm-up (default: ${DEFAULT-VALUE}).")
    double minTime;

    @Option(names = "--no-numpy", description = "Only time Imprint.")
    boolean noNumpy;

    @Override
    public Integer call() throws Exception {
        for (int t : threads) {
            if (t < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--threads: " + t + " is not >= 1");
        }
        if (!(minTime > 0) || Double.isInfinite(minTime)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--min-time: " + minTime + " is not a positive number of seconds");
        }
        new KernelBench(threads, minTime, !noNumpy, spec.commandLine().getOut()).run(json);
        return 0;
    }
}
