package org.imprint.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.imprint.io.AtomicFiles;
import org.imprint.io.Safetensors;
import org.imprint.kernels.Blas;
import org.imprint.models.llama.Llama;
import org.imprint.models.llama.LlamaBackprop;
import org.imprint.models.llama.LlamaConfig;
import org.imprint.models.llama.TextCorpus;
import org.imprint.optim.Optimizer;
import org.imprint.optim.Optimizers;
import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;

/**
 * LM training throughput: steps of the small LLaMA-style decoder (float32) with a chosen optimizer, timed in Imprint,
 * and with AdamW side by side with {@code scripts/bench_lm_torch.py} (same initial weights and batches handed over
 * in a temporary safetensors file; PyTorch under several thread settings, its fastest kept). Reports tokens/s,
 * the ratio, and the largest relative difference of the per-step losses (a check that both run the same model).
 */
public final class LmBench {
    static final String SCRIPT = "scripts/bench_lm_torch.py";

    /** One timed configuration. Null PyTorch fields when it was not run. */
    public record Row(String optimizer, double imprintMs, double imprintTokensPerSecond, int imprintThreads, Double torchMs,
                      Double torchTokensPerSecond, String torchSetting, Double ratio, Double maxLossRelDiff) {}

    private final PrintWriter out;
    private final LlamaConfig config;
    private final int batch, warmup, steps, threads;
    private final boolean runTorch;

    public LmBench(PrintWriter out, LlamaConfig config, int batch, int warmup, int steps, int threads, boolean runTorch) {
        this.out = out;
        this.config = config;
        this.batch = batch;
        this.warmup = warmup;
        this.steps = steps;
        this.threads = threads;
        this.runTorch = runTorch;
    }

    /** Times AdamW against PyTorch, then every other optimizer in {@code optimizers} in Imprint alone. */
    public List<Row> run(TextCorpus corpus, List<String> optimizers) throws IOException {
        Blas.setThreads(threads);
        out.printf(Locale.ROOT, "bench lm: %s (%d parameters), float32, batch %d x %d tokens; %d warm-up + %d timed steps; Imprint BLAS: %s, %d threads%n",
                config, config.parameterCount(), batch, config.context(), warmup, steps, Blas.backend(), threads);
        int total = warmup + steps;
        float[] inputs = new float[total * batch * config.context()], targets = new float[inputs.length];
        List<TextCorpus.Batch> batches = new ArrayList<>();
        for (int s = 0; s < total; s++) {
            TextCorpus.Batch b = corpus.trainBatch(0, s, batch, config.context());
            batches.add(b);
            for (int i = 0; i < b.inputs().length; i++) {
                inputs[s * b.inputs().length + i] = b.inputs()[i];
                targets[s * b.inputs().length + i] = b.targets()[i];
            }
        }
        List<Row> rows = new ArrayList<>();
        String torchProblem = runTorch ? null : "skipped (--no-torch)";
        for (String name : optimizers) {
            Map<String, Tensor> handover = new LinkedHashMap<>();
            Llama.initialise(config, DType.F32, new Rng(0)).namedParameters().forEach((k, v) -> handover.put(k, v.copy()));
            double[] losses = new double[total];
            Map<String, String> opts = new LinkedHashMap<>();
            if (Optimizers.isMatrixOptimizer(name)) opts.put("adam_lr", "3e-3");
            if (name.equals("galore") || name.startsWith("sumo")) {
                opts.put("rank", Integer.toString(Math.max(1, config.dim() / 4)));
                opts.put("update_gap", "15");
            }
            // Imprint under BLAS threads = --threads and = 1 (small GEMMs can lose to thread hand-offs), the faster kept; as many
            // rounds as PyTorch gets runs, interleaved with them for AdamW, each side keeping its best.
            double[] fastest = {Double.POSITIVE_INFINITY};
            int[] bestThreads = {threads};
            BestOfRounds round = new BestOfRounds(index -> {
                double roundBest = Double.POSITIVE_INFINITY;
                for (int th : threads > 1 ? new int[] {threads, 1} : new int[] {1}) {
                    Blas.setThreads(th);
                    Llama fresh = Llama.initialise(config, DType.F32, new Rng(0));
                    Optimizer opt = Optimizers.create(name, fresh.hiddenMatrices(), fresh.otherParameters(), name.equals("adamw") ? 3e-3 : 0.01, opts);
                    double t = timeImprint(fresh, opt, batches, losses);
                    out.printf(Locale.ROOT, "  Imprint %s, round %d, %d BLAS thread(s): %.1f ms/step%n", name, index + 1, th, t);
                    roundBest = Math.min(roundBest, t);
                    if (t < fastest[0]) {
                        fastest[0] = t;
                        bestThreads[0] = th;
                    }
                }
                Blas.setThreads(threads);
                return roundBest;
            });
            double tokens = (double) batch * config.context();
            Double torchMs = null, ratio = null, diff = null;
            String best = null;
            if (name.equals("adamw") && torchProblem == null) {
                Path file = Files.createTempFile("imprint-bench-lm-", ".safetensors");
                try {
                    handover.put("inputs", Tensor.of(inputs, total, batch * config.context()));
                    handover.put("targets", Tensor.of(targets, total, batch * config.context()));
                    handover.put("batch", Tensor.of(new float[] {batch}, 1));
                    Safetensors.write(file, handover);
                    Path script = PythonReference.findScript(SCRIPT);
                    PythonReference.Fastest f = PythonReference.fastestTorch(script, List.of(file.toString(), "--layers",
                            Integer.toString(config.layers()), "--heads", Integer.toString(config.heads()), "--lr", "3e-3", "--weight-decay",
                            "0.01", "--warmup", Integer.toString(warmup)), threads, "step_ms", false, round);
                    torchMs = f.ms();
                    best = f.setting();
                    diff = PythonReference.maxRelDiff(losses, f.result().get("losses"));
                } catch (PythonReference.Unavailable e) {
                    torchProblem = e.getMessage();
                } finally {
                    Files.deleteIfExists(file);
                }
            }
            double ms = round.best(PythonReference.rounds(threads));
            if (torchMs != null) ratio = torchMs / ms;
            rows.add(new Row(name, ms, tokens / ms * 1e3, bestThreads[0], torchMs, torchMs == null ? null : tokens / torchMs * 1e3, best, ratio, diff));
        }
        if (torchProblem != null) out.println("PyTorch: " + torchProblem + "; Imprint's own figures follow.");
        printTable(rows);
        return rows;
    }

    /** Median milliseconds of a training step (forward, backward, optimizer); {@code losses} gets every step's loss. */
    private double timeImprint(Llama model, Optimizer opt, List<TextCorpus.Batch> batches, double[] losses) {
        double[] times = new double[steps];
        LlamaBackprop step = new LlamaBackprop(model, batch); // what `imprint lm` runs in float32
        for (int s = 0; s < warmup + steps; s++) {
            TextCorpus.Batch b = batches.get(s);
            long t0 = System.nanoTime();
            double loss = step.lossAndGradients(b.inputs(), b.targets());
            opt.step();
            opt.zeroGrad();
            long dt = System.nanoTime() - t0;
            losses[s] = loss;
            if (s >= warmup) times[s - warmup] = dt / 1e6;
        }
        java.util.Arrays.sort(times);
        return times[times.length / 2];
    }

    private void printTable(List<Row> rows) {
        out.println();
        out.printf(Locale.ROOT, "%-9s %12s %12s %8s %12s %12s %8s %14s  %s%n", "optimizer", "Imprint", "tokens/s", "threads", "PyTorch", "tokens/s", "ratio", "loss rel. diff", "PyTorch's fastest setting");
        double adamw = rows.stream().filter(r -> r.optimizer().equals("adamw")).mapToDouble(Row::imprintMs).findFirst().orElse(Double.NaN);
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%-9s %9.1f ms %12.0f %8d %12s %12s %8s %14s  %s%n", r.optimizer(), r.imprintMs(), r.imprintTokensPerSecond(), r.imprintThreads(),
                    r.torchMs() == null ? "-" : String.format(Locale.ROOT, "%.1f ms", r.torchMs()),
                    r.torchTokensPerSecond() == null ? "-" : String.format(Locale.ROOT, "%.0f", r.torchTokensPerSecond()),
                    r.ratio() == null ? "-" : String.format(Locale.ROOT, "%.3f", r.ratio()),
                    r.maxLossRelDiff() == null ? "-" : String.format(Locale.ROOT, "%.1e", r.maxLossRelDiff()),
                    r.torchSetting() == null ? (Double.isNaN(adamw) ? "" : String.format(Locale.ROOT, "step %.2fx AdamW's", r.imprintMs() / adamw)) : r.torchSetting());
        }
        out.println("ratio = Imprint tokens/s / PyTorch tokens/s (>= 1: Imprint as fast or faster); medians after warm-up; each side's");
        out.println("fastest thread setting over " + PythonReference.rounds(threads) + " interleaved rounds is kept (Imprint: BLAS threads --threads or 1;");
        out.println("PyTorch: the settings of bench train); Imprint's float32 step is the written-out LlamaBackprop that `imprint lm` runs;");
        out.println("loss rel. diff = largest relative difference of the per-step losses (same weights and batches, AdamW lr 3e-3, wd 0.01).");
        out.flush();
    }

    /** Writes the rows and the setup as JSON, atomically. */
    public void writeJson(Path path, List<Row> rows) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", "LM training step, " + config + ", float32, batch " + batch);
        doc.put("imprintBackend", Blas.backend());
        doc.put("threads", threads);
        doc.put("warmupSteps", warmup);
        doc.put("timedSteps", steps);
        doc.put("rows", rows);
        AtomicFiles.writeString(path, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc) + "\n");
        out.println("wrote " + path.toAbsolutePath());
    }
}
