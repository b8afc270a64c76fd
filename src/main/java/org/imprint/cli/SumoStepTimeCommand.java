package org.imprint.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.imprint.io.BadInputException;
import org.imprint.kernels.Blas;
import org.imprint.models.llama.Llama;
import org.imprint.models.llama.LlamaConfig;
import org.imprint.models.llama.LmTrainer;
import org.imprint.models.llama.TextCorpus;
import org.imprint.optim.CompositeOptimizer;
import org.imprint.optim.Optimizer;
import org.imprint.optim.Sumo;
import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.imprint.train.Schedule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * E6: where a training step's time goes: forward/backward, and the optimizer step; for SUMO and SUMO-NS5 split into
 * the subspace refresh (amortised over K), projection Ĝ = QᵀG, orthogonalisation (with moment update and limiter)
 * and back-projection with the weight update.
 */
@Command(
        name = "e6",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "E6: step-time breakdown on the LM: forward+backward, optimizer, and for SUMO/SUMO-NS5 the subspace refresh",
            "(amortised over K), projection, orthogonalisation and back-projection, in ms per step (after warm-up steps)."})
public final class SumoStepTimeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    LlamaSizeOptions size = new LlamaSizeOptions();

    @Option(names = "--optimizers", split = ",", defaultValue = "adamw,muon,galore,sumo,sumo-ns5", description = "Default: ${DEFAULT-VALUE}.")
    List<String> optimizers;

    @Option(names = "--steps", defaultValue = "60", description = "Timed steps per optimizer. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--warmup", defaultValue = "20", description = "Untimed steps first (JIT). Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--rank", defaultValue = "16", description = "Rank of GaLore and SUMO. Default: ${DEFAULT-VALUE}.")
    int rank;

    @Option(names = "--update-gap", defaultValue = "15", description = "Subspace period K. Default: ${DEFAULT-VALUE}.")
    int updateGap;

    @Option(names = "--batch", defaultValue = "16", description = "Sequences per step. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--text", description = "Text corpus (default: data/tinyshakespeare/input.txt).")
    Path text;

    @Option(names = "--threads", defaultValue = "1", description = "BLAS threads. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--out", defaultValue = "runs/sumo-e6", description = "Output folder. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Override
    public Integer call() {
        if (steps < 1 || warmup < 0 || rank < 1 || updateGap < 1 || batch < 1 || threads < 1) {
            throw new BadInputException("--steps, --rank, --update-gap, --batch, --threads must be >= 1 and --warmup >= 0");
        }
        Blas.setThreads(threads);
        LlamaConfig mc = size.config(64);
        TextCorpus corpus = TextCorpus.read(text != null ? text : org.imprint.data.ImageDatasets.defaultDataRoot().resolve("tinyshakespeare").resolve("input.txt"));
        ExperimentOutput o = new ExperimentOutput(out, "E6: step-time breakdown",
                String.format(Locale.ROOT, "Model %s (%d parameters), float32, batch %d x %d; rank %d, K %d; %d timed steps after %d warm-up; %d BLAS thread(s). "
                        + "Wall-clock on a shared 2-core machine: compare within one run.", mc, mc.parameterCount(), batch, mc.context(), rank, updateGap, steps, warmup, threads),
                spec.commandLine().getOut());
        List<List<String>> rows = new ArrayList<>();
        var json = o.results.putArray("timings");
        double adamwStep = Double.NaN, adamwOpt = Double.NaN;
        List<double[]> measured = new ArrayList<>();
        for (String name : optimizers) {
            Llama model = Llama.initialise(mc, DType.F32, new Rng(0));
            Map<String, String> opts = new LinkedHashMap<>();
            if (name.equals("galore") || name.startsWith("sumo")) {
                opts.put("rank", Integer.toString(rank));
                opts.put("update_gap", Integer.toString(updateGap));
            }
            Optimizer opt = LmCommand.buildOptimizer(name, model, 0.01, 3e-3, opts);
            long[] parts = new long[4];
            boolean[] timing = {false};
            if (opt instanceof CompositeOptimizer c && c.parts().get(0) instanceof Sumo s) {
                s.setProbe((p, m, r, q, refresh, project, orth, back) -> {
                    if (!timing[0]) return;
                    parts[0] += refresh;
                    parts[1] += project;
                    parts[2] += orth;
                    parts[3] += back;
                });
            }
            new LmTrainer(model, opt, corpus, new Schedule.Constant(), batch, warmup == 0 ? 1 : warmup, 1, 1_000_000, 1, 0).run(0, 0, e -> {});
            timing[0] = true;
            LmTrainer t = new LmTrainer(model, opt, corpus, new Schedule.Constant(), batch, warmup + steps, 1, 1_000_000, 1, 0);
            t.run(warmup == 0 ? 1 : warmup, 0, e -> {});
            LmTrainer.Timing tm = t.timing();
            double n = tm.steps, fb = tm.forwardBackwardNanos * 1e-6 / n, op = tm.optimizerNanos * 1e-6 / n;
            double[] ms = new double[4];
            for (int i = 0; i < 4; i++) ms[i] = parts[i] * 1e-6 / n;
            boolean sumo = name.startsWith("sumo");
            if (name.equals("adamw")) {
                adamwStep = fb + op;
                adamwOpt = op;
            }
            measured.add(new double[] {fb, op, sumo ? ms[0] : Double.NaN, sumo ? ms[1] : Double.NaN, sumo ? ms[2] : Double.NaN,
                    sumo ? ms[3] : Double.NaN, sumo ? op - ms[0] - ms[1] - ms[2] - ms[3] : Double.NaN});
        }
        // Forward+backward is the same computation whatever the optimizer; between optimizers it differs only by the
        // machine's drift. The last column compares steps at the mean forward+backward, the optimizers' own cost alone.
        double fbMean = measured.stream().mapToDouble(v -> v[0]).average().orElse(Double.NaN);
        for (int i = 0; i < optimizers.size(); i++) {
            double[] v = measured.get(i);
            double fb = v[0], op = v[1];
            json.addObject().put("optimizer", optimizers.get(i)).put("forward_backward_ms", fb).put("optimizer_ms", op).put("step_ms", fb + op)
                .put("refresh_amortised_ms", v[2]).put("projection_ms", v[3]).put("orthogonalisation_ms", v[4]).put("back_projection_ms", v[5])
                .put("step_ratio_at_mean_forward_backward", (fbMean + op) / (fbMean + adamwOpt));
            rows.add(ExperimentOutput.row(optimizers.get(i), fb, op, fb + op, v[2], v[3], v[4], v[5], v[6],
                    (fb + op) / adamwStep, op / adamwOpt, (fbMean + op) / (fbMean + adamwOpt)));
        }
        o.table("Milliseconds per step (SUMO parts summed over the " + (7 * size.layers) + " hidden matrices; 'rest' is AdamW on embedding/head/norms and bookkeeping)",
                List.of("optimizer", "forward+backward", "optimizer", "step", "refresh (amortised)", "projection", "orthogonalisation", "back-projection + update",
                        "rest of optimizer", "step / AdamW step", "optimizer / AdamW optimizer", "step / AdamW step at mean fwd+bwd"),
                rows);
        o.finish();
        return Main.OK;
    }
}
