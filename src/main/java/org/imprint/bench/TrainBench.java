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
import org.imprint.data.Dataset;
import org.imprint.data.ImageDatasets;
import org.imprint.data.Labeling;
import org.imprint.data.Preprocess;
import org.imprint.io.AtomicFiles;
import org.imprint.io.Safetensors;
import org.imprint.kernels.Blas;
import org.imprint.models.Mlp;
import org.imprint.models.MlpBackprop;
import org.imprint.optim.Sgd;
import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;
import org.imprint.train.Loss;

/**
 * {@code imprint bench train}: one full-batch epoch (forward, mean logistic loss, backward, SGD step) of the
 * papers' victim, 784-1000-1000-1 with a first-layer bias, on the first 250 MNIST images per odd/even class
 * (n = 500), in float64 and float32, side by side with PyTorch ({@code scripts/bench_train_torch.py})
 * started from the very same data and initial weights. PyTorch is run under several thread settings and its
 * fastest is kept (on 2 cores its OpenMP and OpenBLAS threads can otherwise fight). The losses of both are
 * compared epoch by epoch as a correctness check.
 */
public final class TrainBench {
    static final String SCRIPT = "scripts/bench_train_torch.py";

    /** One dtype's result. Times in milliseconds per epoch (medians). */
    public record Row(String dtype, double imprintMs, Double torchMs, String torchSetting, Double ratio, Double maxLossRelDiff) {}

    private final PrintWriter out;
    private final int perClass, warmup, epochs, threads;
    private final boolean runTorch;

    public TrainBench(PrintWriter out, int perClass, int warmup, int epochs, int threads, boolean runTorch) {
        this.out = out;
        this.perClass = perClass;
        this.warmup = warmup;
        this.epochs = epochs;
        this.threads = threads;
        this.runTorch = runTorch;
    }

    public List<Row> run() throws IOException {
        Blas.setThreads(threads);
        Dataset train = ImageDatasets.load(ImageDatasets.Source.MNIST, ImageDatasets.Split.TRAIN, Labeling.oddEven(), perClass);
        Dataset centered = Preprocess.subtractMean(train).train();
        out.printf(Locale.ROOT, "bench train: 784-1000-1000-1 (bias in the first layer), full batch n = %d MNIST odd/even, "
                + "logistic loss, SGD lr 0.01; %d warm-up + %d timed epochs; Imprint BLAS: %s, %d threads%n",
                centered.n(), warmup, epochs, Blas.backend(), threads);
        Path script = null;
        String torchProblem = runTorch ? null : "skipped (--no-torch)";
        if (runTorch) {
            try {
                script = PythonReference.findScript(SCRIPT); // a missing python3 or torch is reported by the run itself
            } catch (PythonReference.Unavailable e) {
                torchProblem = e.getMessage();
            }
        }
        List<Row> rows = new ArrayList<>();
        for (DType dtype : new DType[] {DType.F64, DType.F32}) {
            Mlp model = Mlp.initialise(new int[] {784, 1000, 1000, 1}, Mlp.BiasMode.FIRST,
                    new Mlp.InitDistribution[] {Mlp.InitDistribution.NORMAL, Mlp.InitDistribution.PYTORCH_UNIFORM, Mlp.InitDistribution.PYTORCH_UNIFORM},
                    new double[] {1e-4, 1, 1}, new Rng(0), dtype);
            Path file = Files.createTempFile("imprint-bench-train-", ".safetensors");
            try {
                Map<String, Tensor> tensors = new LinkedHashMap<>(model.namedParameters());
                tensors.put("x", centered.x().to(dtype));
                tensors.put("y", Loss.signs(centered.labels(), dtype));
                Safetensors.write(file, tensors);
                // Both sides are timed in the same number of rounds, interleaved; each keeps its best median.
                double[] imprintLosses = new double[warmup + epochs];
                BestOfRounds mine = new BestOfRounds(new ImprintEpochs(model, centered.x().to(dtype), centered.labels(), imprintLosses));
                Double torchMs = null, ratio = null, lossDiff = null;
                String best = null;
                if (torchProblem == null) {
                    try {
                        PythonReference.Fastest f = PythonReference.fastestTorch(script, List.of(file.toString(), "--dtype",
                                dtype == DType.F64 ? "f64" : "f32", "--lr", "0.01", "--warmup", Integer.toString(warmup), "--epochs",
                                Integer.toString(epochs)), threads, "times_ms", false, mine);
                        torchMs = f.ms();
                        best = f.setting();
                        lossDiff = PythonReference.maxRelDiff(imprintLosses, f.result().get("losses"));
                    } catch (PythonReference.Unavailable e) {
                        torchProblem = e.getMessage();
                    }
                }
                double imprintMs = mine.best(PythonReference.rounds(threads));
                if (torchMs != null) ratio = imprintMs / torchMs;
                rows.add(new Row(dtype.name().toLowerCase(Locale.ROOT), imprintMs, torchMs, best, ratio, lossDiff));
            } finally {
                Files.deleteIfExists(file);
            }
        }
        if (torchProblem != null) out.println("PyTorch: " + torchProblem + "; Imprint's own figures follow.");
        printTable(rows);
        return rows;
    }

    /**
     * Imprint's side: full-batch epochs of SGD through {@link MlpBackprop}, exactly what {@code imprint train}
     * runs. Each round is {@code warmup} + {@code epochs} epochs continuing the same run; the first round's losses
     * go to {@code losses} (compared with PyTorch's, which starts from the same weights).
     */
    private final class ImprintEpochs implements java.util.function.IntToDoubleFunction {
        private final Tensor x;
        private final int[] labels;
        private final double[] losses;
        private final Sgd sgd;
        private final MlpBackprop pass;

        ImprintEpochs(Mlp model, Tensor x, int[] labels, double[] losses) {
            this.x = x;
            this.labels = labels;
            this.losses = losses;
            this.sgd = new Sgd(model.parameters(), 0.01);
            this.pass = new MlpBackprop(model, x.dim(0));
        }

        /** One round; returns its median epoch time in ms. */
        @Override
        public double applyAsDouble(int round) {
            double[] times = new double[epochs];
            for (int e = 0; e < warmup + epochs; e++) {
                long t0 = System.nanoTime();
                Tensor outputs = pass.forward(x);
                Tensor loss = Loss.LOGISTIC.compute(outputs, labels);
                double value = loss.item();
                pass.backward(loss, outputs);
                sgd.step();
                sgd.zeroGrad();
                long dt = System.nanoTime() - t0;
                if (round == 0) losses[e] = value;
                if (e >= warmup) times[e - warmup] = dt / 1e6;
            }
            java.util.Arrays.sort(times);
            return times[times.length / 2];
        }
    }

    private void printTable(List<Row> rows) {
        out.println();
        out.printf(Locale.ROOT, "%-6s %14s %14s %10s %16s  %s%n", "dtype", "Imprint", "PyTorch", "ratio", "loss rel. diff", "PyTorch's fastest setting");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%-6s %11.1f ms %14s %10s %16s  %s%n", r.dtype(), r.imprintMs(),
                    r.torchMs() == null ? "-" : String.format(Locale.ROOT, "%.1f ms", r.torchMs()),
                    r.ratio() == null ? "-" : String.format(Locale.ROOT, "%.3f", r.ratio()),
                    r.maxLossRelDiff() == null ? "-" : String.format(Locale.ROOT, "%.1e", r.maxLossRelDiff()),
                    r.torchSetting() == null ? "" : r.torchSetting());
        }
        out.println("ratio = Imprint epoch time / PyTorch epoch time (<= 1: Imprint as fast or faster); each side: the best of "
                + PythonReference.rounds(threads) + " interleaved rounds' medians after warm-up;");
        out.println("loss rel. diff = largest relative difference of the per-epoch losses (same data and initial weights).");
        out.flush();
    }

    /** Writes the rows and the setup as JSON, atomically. */
    public void writeJson(Path path, List<Row> rows) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", "train epoch, 784-1000-1000-1, MNIST odd/even, n = " + 2 * perClass);
        doc.put("imprintBackend", Blas.backend());
        doc.put("threads", threads);
        doc.put("warmupEpochs", warmup);
        doc.put("timedEpochs", epochs);
        doc.put("rows", rows);
        AtomicFiles.writeString(path, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc) + "\n");
        out.println("wrote " + path.toAbsolutePath());
    }
}
