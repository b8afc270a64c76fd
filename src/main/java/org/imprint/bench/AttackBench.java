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
import org.imprint.attacks.reconstruction.ExplicitKktLoss;
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
 * respect to every candidate and multiplier) on a 784-1000-1000-1 victim with m candidates in float64, by the
 * hand-written gradient ({@link ExplicitKktLoss}) and by Imprint's generic graph, side by side with {@code scripts/bench_attack_torch.py}, PyTorch's generic double backprop
 * ({@code create_graph=True}) from the same victim, candidates and multipliers. The loss and gradient norms
 * of both are compared as a correctness check.
 */
public final class AttackBench {
    static final String SCRIPT = "scripts/bench_attack_torch.py";

    /** Times in ms per iteration (medians). */
    public record Result(int candidates, double imprintMs, double imprintGraphMs, Double torchMs, String torchSetting, Double ratio,
                         Double graphRatio, double loss, Double torchLoss, double gradXNorm, double graphGradXNorm, Double torchGradXNorm) {}

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
        out.printf(Locale.ROOT, "bench attack: one iteration (loss + dL/dx + dL/dλ) on 784-1000-1000-1, m = %d candidates, float64; "
                + "%d warm-up + %d timed; Imprint BLAS %s, %d threads%n", m, warmup, iterations, Blas.backend(), threads);
        // What `imprint reconstruct` runs: the hand-written gradient.
        ExplicitKktLoss explicit = new ExplicitKktLoss(victim, labels, cfg);
        double[] xs = x.detach().toDoubleArray(), ls = lambda.detach().toDoubleArray();
        double[] gx = new double[xs.length], gl = new double[ls.length];
        double[] first = new double[2]; // loss and |dL/dx| of the first iteration
        // One round: warm-up + timed iterations at the same point (the attack's step is not taken: same work each time).
        BestOfRounds round = new BestOfRounds(index -> {
            double[] times = new double[iterations];
            for (int k = 0; k < warmup + iterations; k++) {
                long t0 = System.nanoTime();
                double value = explicit.evaluate(xs, ls, gx, gl).total();
                long dt = System.nanoTime() - t0;
                if (k == 0 && index == 0) {
                    first[0] = value;
                    first[1] = norm(gx);
                }
                if (k >= warmup) times[k - warmup] = dt / 1e6;
            }
            return median(times);
        });
        double[] times = new double[iterations];
        // The generic graph (double backprop through the autograd engine), for comparison.
        KktLoss loss = new KktLoss(victim, labels, cfg);
        double graphGx = 0;
        for (int k = 0; k < warmup + iterations; k++) {
            long t0 = System.nanoTime();
            KktLoss.Terms terms = loss.evaluate(x, lambda);
            List<Tensor> g = Autograd.grad(List.of(terms.total()), List.of(x, lambda), null, false, false);
            terms.total().item();
            long dt = System.nanoTime() - t0;
            if (k == 0) graphGx = norm(g.get(0).toDoubleArray());
            if (k >= warmup) times[k - warmup] = dt / 1e6;
        }
        double graphMs = median(times);

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
                        Integer.toString(warmup), "--iterations", Integer.toString(iterations)), threads, "times_ms", false, round);
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
        // Both sides timed in the same number of rounds (interleaved with PyTorch's runs); each keeps its best median.
        double mine = round.best(PythonReference.rounds(threads)), firstLoss = first[0], firstGx = first[1];
        Result res = new Result(m, mine, graphMs, torchMs, setting, torchMs == null ? null : mine / torchMs,
                torchMs == null ? null : graphMs / torchMs, firstLoss, torchLoss, firstGx, graphGx, torchGx);
        if (problem != null) out.println("PyTorch: " + problem + "; Imprint's own figures follow.");
        out.printf(Locale.ROOT, "%nImprint %.1f ms/iteration (hand-written gradient, what `imprint reconstruct` runs); PyTorch %s;"
                + " ratio %s (<= 1: Imprint as fast or faster; goal <= 0.6)%n", mine,
                torchMs == null ? "-" : String.format(Locale.ROOT, "%.1f ms/iteration with %s", torchMs, setting),
                res.ratio() == null ? "-" : String.format(Locale.ROOT, "%.3f", res.ratio()));
        out.printf(Locale.ROOT, "Imprint's generic graph (double backprop, float32 and --variant naive use it): %.1f ms/iteration, ratio %s%n",
                graphMs, res.graphRatio() == null ? "-" : String.format(Locale.ROOT, "%.3f", res.graphRatio()));
        out.printf(Locale.ROOT, "cross-check: |dL/dx| hand-written %.10e vs graph %.10e%n", firstGx, graphGx);
        if (torchLoss != null) {
            out.printf(Locale.ROOT, "cross-check: loss %.10e vs PyTorch %.10e, |dL/dx| %.10e vs %.10e%n", firstLoss, torchLoss, firstGx, torchGx);
        }
        out.flush();
        return res;
    }

    private static double median(double[] times) {
        double[] sorted = times.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double e : v) s += e * e;
        return Math.sqrt(s);
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
