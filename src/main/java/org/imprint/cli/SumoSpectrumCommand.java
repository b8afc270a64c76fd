package org.imprint.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.imprint.io.BadInputException;
import org.imprint.kernels.Blas;
import org.imprint.linalg.Svd;
import org.imprint.models.llama.Llama;
import org.imprint.models.llama.LlamaConfig;
import org.imprint.models.llama.LmTrainer;
import org.imprint.models.llama.TextCorpus;
import org.imprint.optim.CompositeOptimizer;
import org.imprint.optim.Optimizer;
import org.imprint.optim.Sumo;
import org.imprint.report.Plot;
import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;
import org.imprint.train.Schedule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * E2: how ill-conditioned the projected moment M̂ (r×q) is during LM training with SUMO (the paper's Fig. 1
 * analogue), and how close to rank one the full Muon momentum gets (Lemma 3.1: σ₁²/‖M‖²_F → 1).
 */
@Command(
        name = "e2",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "E2: condition number and spectrum of SUMO's projected moment M̂ during LM training (every --every steps,",
            "every hidden matrix: κ(M̂) = s₁/s_r, σ₁²/‖M̂‖²_F), and σ₁²/‖M‖²_F of the full momentum buffer of a Muon run",
            "on the same model and batches (Lemma 3.1: the moment becomes nearly rank one)."})
public final class SumoSpectrumCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    LlamaSizeOptions size = new LlamaSizeOptions();

    @Option(names = "--steps", defaultValue = "300", description = "Training steps. Default: ${DEFAULT-VALUE}.")
    long steps;

    @Option(names = "--every", defaultValue = "10", description = "Measure every this many steps. Default: ${DEFAULT-VALUE}.")
    int every;

    @Option(names = "--rank", defaultValue = "16", description = "SUMO rank. Default: ${DEFAULT-VALUE}.")
    int rank;

    @Option(names = "--update-gap", defaultValue = "15", description = "SUMO subspace period K. Default: ${DEFAULT-VALUE}.")
    int updateGap;

    @Option(names = "--lr", defaultValue = "0.01", description = "SUMO rate (Muon uses 0.02). Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--batch", defaultValue = "16", description = "Sequences per step. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--seed", defaultValue = "0", description = "Seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--text", description = "Text corpus (default: data/tinyshakespeare/input.txt).")
    Path text;

    @Option(names = "--threads", defaultValue = "1", description = "BLAS threads. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--out", defaultValue = "runs/sumo-e2", description = "Output folder. Default: ${DEFAULT-VALUE}.")
    Path out;

    /** Singular values of a rows×cols matrix, descending. */
    static double[] singularValues(double[] a, int rows, int cols) {
        return Svd.factor(a, rows, cols).s();
    }

    @Override
    public Integer call() {
        if (steps < 1 || every < 1 || rank < 1 || updateGap < 1 || batch < 1 || threads < 1 || !(lr > 0)) {
            throw new BadInputException("--steps, --every, --rank, --update-gap, --batch, --threads must be >= 1 and --lr > 0");
        }
        Blas.setThreads(threads);
        LlamaConfig mc = size.config(64);
        TextCorpus corpus = TextCorpus.read(text != null ? text : org.imprint.data.ImageDatasets.defaultDataRoot().resolve("tinyshakespeare").resolve("input.txt"));
        ExperimentOutput o = new ExperimentOutput(out, "E2: spectrum of the moment during training",
                String.format(Locale.ROOT, "Model %s; %d steps of %d x %d bytes; SUMO rank %d, K %d, lr %.3g; Muon lr 0.02; AdamW 3e-3 for embedding/head/norms; cosine, 10%% warm-up.",
                        mc, steps, batch, mc.context(), rank, updateGap, lr), spec.commandLine().getOut());

        // SUMO run with a probe on every hidden matrix
        Llama model = Llama.initialise(mc, DType.F32, new Rng(seed));
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("rank", Integer.toString(rank));
        opts.put("update_gap", Integer.toString(updateGap));
        Optimizer opt = LmCommand.buildOptimizer("sumo", model, lr, 3e-3, opts);
        Sumo sumo = (Sumo) ((CompositeOptimizer) opt).parts().get(0);
        Map<Tensor, String> names = new IdentityHashMap<>();
        model.namedParameters().forEach((k, v) -> names.put(v, k));
        Map<Tensor, long[]> counts = new IdentityHashMap<>();
        List<double[]> condRows = new ArrayList<>(); // step, median κ, max κ, median σ₁²/‖M̂‖²
        Map<Long, List<double[]>> conds = new LinkedHashMap<>();
        Map<Long, List<Double>> energies = new LinkedHashMap<>();
        Map<Long, double[]> spectra = new LinkedHashMap<>();
        String tracked = "layers.0.attention.wq.weight";
        sumo.setProbe((param, moment, r, q, a, b, c, d) -> {
            long t = ++counts.computeIfAbsent(param, k -> new long[1])[0];
            if (t % every != 0) return;
            double[] s = singularValues(moment, r, q);
            double total = 0;
            for (double v : s) total += v * v;
            conds.computeIfAbsent(t, k -> new ArrayList<>()).add(new double[] {s[0] / s[s.length - 1]});
            energies.computeIfAbsent(t, k -> new ArrayList<>()).add(s[0] * s[0] / total);
            if (names.get(param).equals(tracked)) {
                double[] norm = new double[s.length];
                for (int i = 0; i < s.length; i++) norm[i] = s[i] / s[0];
                spectra.put(t, norm);
            }
        });
        new LmTrainer(model, opt, corpus, new Schedule.Cosine(Math.max(1, steps / 10)), batch, steps, seed, steps, 16, 0).run(0, 0, e -> {});

        // Muon run: the full momentum buffer's rank-one energy
        Llama muonModel = Llama.initialise(mc, DType.F32, new Rng(seed));
        Optimizer muon = LmCommand.buildOptimizer("muon", muonModel, 0.02, 3e-3, Map.of());
        Map<Long, List<Double>> muonEnergy = new LinkedHashMap<>();
        new LmTrainer(muonModel, muon, corpus, new Schedule.Cosine(Math.max(1, steps / 10)), batch, steps, seed, steps, 16, 0).run(0, 0, new LmTrainer.Listener() {
            @Override public void onEval(LmTrainer.Eval e) {}

            @Override public void onStep(long step, double loss, double wall) {
                if (step % every != 0) return;
                for (Tensor p : muonModel.hiddenMatrices()) {
                    double[] s = singularValues(muon.state(p).get("momentum_buffer").doubleData(), p.dim(0), p.dim(1));
                    double total = 0;
                    for (double v : s) total += v * v;
                    muonEnergy.computeIfAbsent(step, k -> new ArrayList<>()).add(s[0] * s[0] / total);
                }
            }
        });

        List<List<String>> rows = new ArrayList<>();
        ArrayNode series = o.results.putArray("series");
        List<Double> xs = new ArrayList<>(), med = new ArrayList<>(), max = new ArrayList<>(), en = new ArrayList<>(), muonEn = new ArrayList<>();
        for (var e : conds.entrySet()) {
            double[] k = e.getValue().stream().mapToDouble(v -> v[0]).sorted().toArray();
            double[] f = energies.get(e.getKey()).stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double[] m = muonEnergy.getOrDefault(e.getKey(), List.of()).stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double medK = k[k.length / 2], maxK = k[k.length - 1], medF = f[f.length / 2], medM = m.length == 0 ? Double.NaN : m[m.length / 2];
            xs.add((double) e.getKey());
            med.add(medK);
            max.add(maxK);
            en.add(medF);
            muonEn.add(medM);
            series.addObject().put("step", e.getKey()).put("median_cond", medK).put("max_cond", maxK).put("min_cond", k[0])
                  .put("median_sumo_rank1_energy", medF).put("median_muon_rank1_energy", medM);
            if (e.getKey() % (every * 5L) == 0 || e.getKey() == every) rows.add(ExperimentOutput.row(e.getKey(), k[0], medK, maxK, medF, medM));
        }
        o.table("κ(M̂) over the " + model.hiddenMatrices().size() + " hidden matrices, and rank-one energy σ₁²/‖·‖²_F (medians)",
                List.of("step", "min κ(M̂)", "median κ(M̂)", "max κ(M̂)", "SUMO σ₁²/‖M̂‖²", "Muon σ₁²/‖M‖² (full moment)"), rows);
        double[] x = xs.stream().mapToDouble(Double::doubleValue).toArray();
        o.plot(new Plot("E2: condition number of SUMO's projected moment (rank " + rank + ")", "step", "κ(M̂) = s₁/s_r").yScale(Plot.Scale.LOG)
                .line("median over matrices", x, med.stream().mapToDouble(Double::doubleValue).toArray())
                .line("max over matrices", x, max.stream().mapToDouble(Double::doubleValue).toArray()), "cond_vs_step.png");
        o.plot(new Plot("E2: rank-one energy of the moment (median over matrices)", "step", "σ₁² / ‖M‖²_F").yRange(0, 1)
                .line("SUMO projected M̂", x, en.stream().mapToDouble(Double::doubleValue).toArray())
                .line("Muon full moment", x, muonEn.stream().mapToDouble(Double::doubleValue).toArray()), "rank1_energy.png");
        Plot spectrum = new Plot("E2: normalised spectrum s_i/s_1 of M̂, " + tracked, "index i", "s_i / s_1").yScale(Plot.Scale.LOG);
        List<Long> keys = new ArrayList<>(spectra.keySet());
        for (int idx : new int[] {0, keys.size() / 3, keys.size() - 1}) {
            if (keys.isEmpty()) break;
            double[] s = spectra.get(keys.get(idx)), ix = new double[s.length];
            for (int i = 0; i < s.length; i++) ix[i] = i + 1;
            spectrum.line("step " + keys.get(idx), ix, s);
        }
        o.plot(spectrum, "spectrum.png");
        o.finish();
        return Main.OK;
    }
}
