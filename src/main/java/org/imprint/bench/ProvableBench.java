package org.imprint.bench;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.imprint.attacks.provable.HighDimensionalProtocol;
import org.imprint.data.Dataset;
import org.imprint.io.AtomicFiles;
import org.imprint.io.Safetensors;
import org.imprint.kernels.Blas;
import org.imprint.models.Mlp;
import org.imprint.tensor.DType;
import org.imprint.tensor.Tensor;
import org.imprint.train.Loss;
import org.imprint.train.Trainer;

/**
 * {@code imprint bench provable}: one run of the high-dimensional protocol of Smorodinsky, Vardi &amp; Safran
 * (2024) — a (d, 10 000, 1) ReLU net trained on n = 20 sphere points for 100 full-batch SGD steps (lr 1,
 * StepLR(30, 0.7), mean logistic loss), then 5000 test queries — timed end to end, in float64 and float32, side by
 * side with PyTorch ({@code scripts/bench_provable_torch.py}) started from the same data and initial weights.
 * PyTorch runs under several thread settings and its fastest is kept. The final training losses and the first
 * test outputs of both are compared as a correctness check.
 */
public final class ProvableBench {
    static final String SCRIPT = "scripts/bench_provable_torch.py";

    /** One dtype's result; times in milliseconds (the fastest repetition on each side). */
    public record Row(String dtype, double imprintMs, Double torchMs, String torchSetting, Double ratio,
                      double imprintLoss, Double torchLoss, Double maxOutputRelDiff) {}

    private final PrintWriter out;
    private final int d, width, n, testN, steps, repeats, threads;
    private final boolean runTorch;

    public ProvableBench(PrintWriter out, int d, int width, int n, int testN, int steps, int repeats, int threads, boolean runTorch) {
        this.out = out;
        this.d = d;
        this.width = width;
        this.n = n;
        this.testN = testN;
        this.steps = steps;
        this.repeats = repeats;
        this.threads = threads;
        this.runTorch = runTorch;
    }

    public List<Row> run() throws IOException {
        Blas.setThreads(threads);
        out.printf(Locale.ROOT, "bench provable: sphere d = %d, n = %d, width %d, %d full-batch SGD steps (lr 1, StepLR(30, 0.7)) + %d test queries;"
                + " best of %d; Imprint BLAS: %s, %d threads%n", d, n, width, steps, testN, repeats, Blas.backend(), threads);
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
            HighDimensionalProtocol.Config c = new HighDimensionalProtocol.Config(HighDimensionalProtocol.Distribution.SPHERE, n, width, testN,
                    1e-3, 1.0, steps, 30, 0.7, 0.33, 0.5, dtype);
            Dataset[] data = HighDimensionalProtocol.data(c, d, 0);
            Mlp init = HighDimensionalProtocol.initialModel(c, d, 0);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            init.namedParameters().forEach((k, v) -> tensors.put(k, v.detach().copy()));
            Path file = Files.createTempFile("imprint-bench-provable-", ".safetensors");
            try {
                Map<String, Tensor> file0 = new LinkedHashMap<>(tensors);
                file0.put("x", data[0].x().to(dtype));
                file0.put("y", Loss.signs(data[0].labels(), dtype));
                file0.put("test_x", data[1].x().to(dtype));
                Safetensors.write(file, file0);
                double best = Double.POSITIVE_INFINITY, loss = Double.NaN;
                double[] outputs = null;
                for (int r = 0; r < repeats; r++) {
                    Mlp model = Mlp.fromTensors(tensors, dtype, "bench init");
                    long t0 = System.nanoTime();
                    Trainer.Result res = HighDimensionalProtocol.train(c, model, data[0]);
                    double[] f = HighDimensionalProtocol.outputs(model, data[1].x());
                    best = Math.min(best, (System.nanoTime() - t0) / 1e6);
                    loss = res.last().loss();
                    outputs = f;
                }
                Double torchMs = null, ratio = null, torchLoss = null, diff = null;
                String setting = null;
                if (torchProblem == null) {
                    try {
                        PythonReference.Fastest fast = PythonReference.fastestTorch(script, List.of(file.toString(), "--dtype",
                                dtype == DType.F64 ? "f64" : "f32", "--steps", Integer.toString(steps), "--repeats", Integer.toString(repeats)),
                                threads, "times_ms", true);
                        JsonNode j = fast.result();
                        torchMs = fast.ms();
                        setting = fast.setting();
                        torchLoss = j.get("final_loss").asDouble();
                        double worst = 0, scale = 0;
                        JsonNode to = j.get("test_outputs");
                        for (int i = 0; i < to.size(); i++) scale = Math.max(scale, Math.abs(to.get(i).asDouble()));
                        for (int i = 0; i < to.size(); i++) worst = Math.max(worst, Math.abs(outputs[i] - to.get(i).asDouble()) / scale);
                        diff = worst;
                        ratio = best / torchMs;
                    } catch (PythonReference.Unavailable e) {
                        torchProblem = e.getMessage();
                    }
                }
                rows.add(new Row(dtype.name().toLowerCase(Locale.ROOT), best, torchMs, setting, ratio, loss, torchLoss, diff));
            } finally {
                Files.deleteIfExists(file);
            }
        }
        if (torchProblem != null) out.println("PyTorch: " + torchProblem + "; Imprint's own figures follow.");
        out.println();
        out.printf(Locale.ROOT, "%-6s %13s %13s %8s %12s %12s %10s  %s%n", "dtype", "Imprint", "PyTorch", "ratio", "loss (Impr.)", "loss (torch)", "out diff", "PyTorch's fastest setting");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%-6s %10.0f ms %13s %8s %12.4e %12s %10s  %s%n", r.dtype(), r.imprintMs(),
                    r.torchMs() == null ? "-" : String.format(Locale.ROOT, "%.0f ms", r.torchMs()),
                    r.ratio() == null ? "-" : String.format(Locale.ROOT, "%.3f", r.ratio()), r.imprintLoss(),
                    r.torchLoss() == null ? "-" : String.format(Locale.ROOT, "%.4e", r.torchLoss()),
                    r.maxOutputRelDiff() == null ? "-" : String.format(Locale.ROOT, "%.1e", r.maxOutputRelDiff()),
                    r.torchSetting() == null ? "" : r.torchSetting());
        }
        out.println("ratio = Imprint time / PyTorch time for training + test queries (<= 1: Imprint as fast or faster);");
        out.println("out diff = largest difference of the first 50 test outputs relative to their largest magnitude.");
        out.flush();
        return rows;
    }

    public void writeJson(Path path, List<Row> rows) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", "provable sphere protocol, d = " + d + ", n = " + n + ", width " + width + ", " + steps + " steps + " + testN + " test queries");
        doc.put("imprintBackend", Blas.backend());
        doc.put("threads", threads);
        doc.put("repeats", repeats);
        doc.put("rows", rows);
        AtomicFiles.writeString(path, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc) + "\n");
        out.println("wrote " + path.toAbsolutePath());
    }
}
