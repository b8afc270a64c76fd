package org.imprint.cli;

import org.imprint.io.BadInputException;
import org.imprint.models.llama.LlamaConfig;
import picocli.CommandLine.Option;

/** The model-size options shared by {@code imprint lm}, {@code bench lm} and the SUMO experiments (a picocli mixin). */
public final class LlamaSizeOptions {
    @Option(names = "--dim", defaultValue = "64", description = "Width. Default: ${DEFAULT-VALUE}.")
    int dim;

    @Option(names = "--layers", defaultValue = "2", description = "Blocks. Default: ${DEFAULT-VALUE}.")
    int layers;

    @Option(names = "--heads", defaultValue = "4", description = "Heads. Default: ${DEFAULT-VALUE}.")
    int heads;

    @Option(names = "--ffn", defaultValue = "172", description = "MLP width. Default: ${DEFAULT-VALUE}.")
    int ffn;

    /** The byte-vocabulary model of these sizes with the given context; invalid sizes are bad input. */
    LlamaConfig config(int context) {
        try {
            return new LlamaConfig(256, dim, layers, heads, ffn, context, 1e-5, 10000);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage());
        }
    }
}
