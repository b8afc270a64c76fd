package org.imprint.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.imprint.bench.LmBench;
import org.imprint.io.BadInputException;
import org.imprint.models.llama.LlamaConfig;
import org.imprint.models.llama.TextCorpus;
import org.imprint.optim.Optimizers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code imprint bench lm}: LM training throughput, Imprint against PyTorch (AdamW), and each optimizer's step time. */
@Command(
        name = "lm",
        mixinStandardHelpOptions = true,
        description = {
            "Times training steps (forward, backward, optimizer) of the small LLaMA-style decoder in float32: AdamW side by",
            "side with PyTorch (scripts/bench_lm_torch.py, same weights and batches), the other optimizers in Imprint only."})
public final class BenchLmCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    LlamaSizeOptions size = new LlamaSizeOptions();

    @Option(names = "--optimizers", split = ",", defaultValue = "adamw,sumo,sumo-ns5,muon,galore", description = "Default: ${DEFAULT-VALUE}.")
    List<String> optimizers;

    @Option(names = "--context", defaultValue = "64", description = "Sequence length. Default: ${DEFAULT-VALUE}.")
    int context;

    @Option(names = "--batch", defaultValue = "16", description = "Sequences per step. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--warmup", defaultValue = "10", description = "Untimed steps first. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--steps", defaultValue = "40", description = "Timed steps (the median is reported). Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--threads", defaultValue = "2", description = "Threads for both sides. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--text", description = "Text corpus (default: data/tinyshakespeare/input.txt).")
    Path text;

    @Option(names = "--no-torch", description = "Only time Imprint.")
    boolean noTorch;

    @Option(names = "--json", description = "Also write the results as JSON to this file.")
    Path json;

    @Override
    public Integer call() throws Exception {
        if (warmup < 0 || steps < 1 || threads < 1 || batch < 1) throw new BadInputException("--steps, --threads and --batch must be >= 1 and --warmup >= 0");
        for (String o : optimizers) if (!Optimizers.NAMES.contains(o)) throw new BadInputException("--optimizers: unknown '" + o + "' (" + String.join(", ", Optimizers.NAMES) + ")");
        LlamaConfig config = size.config(context);
        TextCorpus corpus = TextCorpus.read(text != null ? text : org.imprint.data.ImageDatasets.defaultDataRoot().resolve("tinyshakespeare").resolve("input.txt"));
        LmBench bench = new LmBench(spec.commandLine().getOut(), config, batch, warmup, steps, threads, !noTorch);
        List<LmBench.Row> rows = bench.run(corpus, optimizers);
        if (json != null) bench.writeJson(json, rows);
        return Main.OK;
    }
}
