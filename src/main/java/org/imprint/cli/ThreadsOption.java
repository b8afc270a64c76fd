package org.imprint.cli;

import org.imprint.io.BadInputException;
import org.imprint.kernels.Blas;
import picocli.CommandLine.Option;

/** The {@code --threads} option of long-running commands (a picocli mixin): BLAS and elementwise threads. */
public final class ThreadsOption {
    @Option(names = "--threads", description = "Threads for matrix products and elementwise kernels (default: all cores).")
    Integer threads;

    /** Applies the option, if given. */
    void apply() {
        if (threads == null) return;
        if (threads < 1) throw new BadInputException("--threads must be >= 1, got " + threads);
        Blas.setThreads(threads);
    }
}
