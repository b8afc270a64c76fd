package org.imprint.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.imprint.attacks.reconstruction.AttackConfig;
import org.imprint.attacks.reconstruction.KktAttack;
import org.imprint.attacks.reconstruction.KktLoss;
import org.imprint.attacks.reconstruction.Variant;
import org.imprint.io.AtomicFiles;
import org.imprint.io.Safetensors;
import org.imprint.kernels.Blas;
import org.imprint.models.Mlp;
import org.imprint.tensor.Autograd;
import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;
import org.imprint.train.Loss;

/**
 * {@code imprint bench attack}: one iteration of the reconstruction attack (the loss and its gradients with
 * respect to every candidate and multiplier) on a 784-1000-1000-1 victim with m candidates in float64,
 * side by side with {@code scripts/bench_attack_torch.py}, PyTorch's generic double backprop
 * ({@code create_graph=True}) from the same victim, candidates and multipliers. The loss and gradient norms
 * of both are compared as a correctness check.
 */
public final class AttackBench {
    static final String SCRIPT = "scripts/bench_attack_torch.py";

    /** Times in ms per iteration (medians). */
    public record Result(int candidates, double imprintMs, Double torchMs, String torchSetting, Double ratio,
                         double loss, Double torchLoss, double gradXNorm, Double torchGradXNorm) {}

    private final PrintWriter out;
    private final int m, warmup, iterations, threads;
    private final boolean runTorch;

    public AttackBench(PrintWriter out, int m, int warmup, int iterations, int threads, boolean runTorch) {
        this.out = out;
        this.m = m;
        this.warmup = warmup;
        this.iterations = iterations;
        this.threads = threads;
        this.runTorch = runTorch;
    }

    public Result run() throws IOException {
        Blas.setThreads(threads);
        Mlp victim = Mlp.initialise(new int[] {784, 1000, 1000, 1}, Mlp.BiasMode.FIRST,
                new Mlp.InitDistribution[] {Mlp.InitDistribution.NORMAL, Mlp.InitDistribution.PYTORCH_UNIFORM, Mlp.InitDistribution.PYTORCH_UNIFORM},
                new double[] {1e-4, 1, 1}, new Rng(0), DType.F64);
        AttackConfig cfg = new AttackConfig(m, 100, 0.1, 1e-4, 0.05, 0.3, iterations, true, -1, 1, Variant.BINARY, 1);
        Rng rng = new Rng(1);
        Tensor x = Tensor.normal(DType.F64, rng, 0, cfg.sigmaX(), m, 784).requiresGrad(true);
        Tensor lambda = Tensor.uniform(DType.F64, rng, 0, 1, m).requiresGrad(true);
        int[] labels = KktAttack.candidateLabels(m, 2, Variant.BINARY);
        KktLoss loss = new KktLoss(victim, labels, cfg);
        out.printf(Locale.ROOT, "bench attack: one iteration (loss + dL/dx + dL/dλ) on 784-1000-1000-1, m = %d candidates, float64; "
                + "%d warm-up + %d timed; Imprint BLAS %s, %d threads%n", m, warmup, iterations, Blas.backend(), threads);
        double[] times = new double[iterations];
        double firstLoss = 0, firstGx = 0;
        for (int k = 0; k < warmup + iterations; k++) {
            long t0 = System.nanoTime();
            KktLoss.Terms terms = loss.evaluate(x, lambda);
            List<Tensor> g = Autograd.grad(List.of(terms.total()), List.of(x, lambda), null, false, false);
            double value = terms.total().item();
            long dt = System.nanoTime() - t0;
            if (k == 0) {
                firstLoss = value;
                firstGx = Math.sqrt(g.get(0).square().sum().item());
            }
            if (k >= warmup) times[k - warmup] = dt / 1e6;
        }
        Arrays.sort(times);
        double mine = times[times.length / 2];

        Double torchMs = null, torchLoss = null, torchGx = null;
        String setting = null;
        String problem = runTorch ? null : "skipped (--no-torch)";
        if (runTorch) {
            Path file = Files.createTempFile("imprint-bench-attack-", ".safetensors");
            try {
                Map<String, Tensor> t = new LinkedHashMap<>(victim.namedParameters());
                t.put("x", x.detach());
                t.put("lambda", lambda.detach());
                t.put("y", Loss.signs(labels, DType.F64));
                Safetensors.write(file, t, Map.of("alpha", Double.toString(cfg.alpha()), "lambda_min", Double.toString(cfg.lambdaMin()),
                        "box_lo", Double.toString(cfg.boxLo()), "box_hi", Double.toString(cfg.boxHi())));
                Path script = PythonReference.findScript(SCRIPT);
                PythonReference.Fastest f = PythonReference.fastestTorch(script, List.of(file.toString(), "--warmup",
                        Integer.toString(warmup), "--iterations", Integer.toString(iterations)), threads, "times_ms", false);
                torchMs = f.ms();
                setting = f.setting();
                torchLoss = f.result().get("loss").asDouble();
                torchGx = f.result().get("grad_x_norm").asDouble();
            } catch (PythonReference.Unavailable e) {
                problem = e.getMessage();
            } finally {
                Files.deleteIfExists(file);
            }
        }
        Result res = new Result(m, mine, torchMs, setting, torchMs == null ? null : mine / torchMs, firstLoss, torchLoss, firstGx, torchGx);
        if (problem != null) out.println("PyTorch: " + problem + "; Imprint's own figures follow.");
        out.printf(Locale.ROOT, "%nImprint %.1f ms/iteration; PyTorch %s; ratio %s (<= 1: Imprint as fast or faster; goal <= 0.6)%n", mine,
                torchMs == null ? "-" : String.format(Locale.ROOT, "%.1f ms/iteration with %s", torchMs, setting),
                res.ratio() == null ? "-" : String.format(Locale.ROOT, "%.3f", res.ratio()));
        if (torchLoss != null) {
            out.printf(Locale.ROOT, "cross-check: loss %.10e vs %.10e, |dL/dx| %.10e vs %.10e%n", firstLoss, torchLoss, firstGx, torchGx);
        }
        out.flush();
        return res;
    }

    public void writeJson(Path path, Result r) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", "reconstruction attack iteration, 784-1000-1000-1, float64");
        doc.put("imprintBackend", Blas.backend());
        doc.put("threads", threads);
        doc.put("result", r);
        AtomicFiles.writeString(path, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc) + "\n");
        out.println("wrote " + path.toAbsolutePath());
    }
}
