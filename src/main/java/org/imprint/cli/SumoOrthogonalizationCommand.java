package org.imprint.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.imprint.io.BadInputException;
import org.imprint.kernels.Blas;
import org.imprint.linalg.Qr;
import org.imprint.linalg.Svd;
import org.imprint.optim.Matrices;
import org.imprint.optim.NewtonSchulz;
import org.imprint.optim.PolarFactor;
import org.imprint.report.Plot;
import org.imprint.tensor.Rng;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * E1: how far Newton–Schulz lands from the polar factor U·Vᵀ as the condition number grows, against the exact
 * SVD route (SUMO's Orth_SVD), with the bound of the paper's Lemma 3.2 overlaid; and the cost of both.
 */
@Command(
        name = "e1",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "E1: orthogonalisation error against the condition number. M = U·diag(s)·Vᵀ (r×n, random orthonormal U, V),",
            "s geometric from 1 to 1/κ. Error of X against the exact U·Vᵀ: ‖X − UVᵀ‖_F/√r and the spectral ‖X − UVᵀ‖₂,",
            "for the quintic (Muon NS5) and cubic Newton–Schulz after k = 1..K steps in float64, float32 and emulated",
            "bfloat16, and for the SVD route (QR + small SVD) in float64 and float32. Overlays Lemma 3.2's",
            "(1 − 1/κ²)^(2^k) for the cubic iteration, which starts, as in the lemma, from M/‖M‖₂ (NS5 from M/‖M‖_F, as Muon).",
            "Also times the SVD route against five NS5 steps at n = 1024."})
public final class SumoOrthogonalizationCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--ranks", split = ",", defaultValue = "4,8,16,32", description = "Rows r. Default: ${DEFAULT-VALUE}.")
    int[] ranks;

    @Option(names = "--widths", split = ",", defaultValue = "256,1024", description = "Columns n. Default: ${DEFAULT-VALUE}.")
    int[] widths;

    @Option(names = "--kappas", split = ",", defaultValue = "1,10,100,1000,10000,1000000", description = "Condition numbers κ. Default: ${DEFAULT-VALUE}.")
    double[] kappas;

    @Option(names = "--max-steps", defaultValue = "10", description = "Newton–Schulz steps k = 1..this. Default: ${DEFAULT-VALUE}.")
    int maxSteps;

    @Option(names = "--timing-ranks", split = ",", defaultValue = "8,16,32,64", description = "r of the timing at n = 1024 (empty: skip). Default: ${DEFAULT-VALUE}.")
    int[] timingRanks;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of U and V. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--threads", defaultValue = "2", description = "BLAS threads. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--out", defaultValue = "runs/sumo-e1", description = "Output folder. Default: ${DEFAULT-VALUE}.")
    Path out;

    /** One test matrix with its exact polar factor. */
    record Case(double[] m, double[] polar, int r, int n, double kappa) {}

    static Case build(int r, int n, double kappa, long seed) {
        Rng rng = new Rng(seed);
        double[] gu = new double[r * r], gv = new double[n * r];
        for (int i = 0; i < gu.length; i++) gu[i] = rng.nextGaussian();
        for (int i = 0; i < gv.length; i++) gv[i] = rng.nextGaussian();
        double[] u = Qr.factor(gu, r, r).q(), v = Qr.factor(gv, n, r).q();
        double[] us = u.clone();
        for (int j = 0; j < r; j++) {
            double s = r == 1 ? 1 : Math.pow(kappa, -(double) j / (r - 1));
            for (int i = 0; i < r; i++) us[i * r + j] *= s;
        }
        return new Case(Matrices.multiply(us, false, v, true, r, n, r), Matrices.multiply(u, false, v, true, r, n, r), r, n, kappa);
    }

    /** {‖X − P‖_F/√r, ‖X − P‖₂}. */
    static double[] errors(double[] x, Case c) {
        double[] d = new double[x.length];
        for (int i = 0; i < d.length; i++) d[i] = x[i] - c.polar()[i];
        double spectral = Svd.factor(d, c.r(), c.n()).s()[0];
        return new double[] {Matrices.frobenius(d) / Math.sqrt(c.r()), spectral};
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return f;
    }

    @Override
    public Integer call() {
        if (maxSteps < 1) throw new BadInputException("--max-steps must be >= 1, got " + maxSteps);
        for (int r : ranks) for (int n : widths) if (r < 1 || n < r) throw new BadInputException("--ranks/--widths need 1 <= r <= n, got r=" + r + ", n=" + n);
        for (double k : kappas) if (!(k >= 1)) throw new BadInputException("--kappas must be >= 1, got " + k);
        if (threads < 1) throw new BadInputException("--threads must be >= 1, got " + threads);
        Blas.setThreads(threads);
        ExperimentOutput o = new ExperimentOutput(out, "E1: orthogonalisation error vs condition number",
                "Sizes: r in " + java.util.Arrays.toString(ranks) + ", n in " + java.util.Arrays.toString(widths) + ", kappa in "
                        + java.util.Arrays.toString(kappas) + "; singular values geometric from 1 to 1/kappa; errors against the exact U V^T.",
                spec.commandLine().getOut());
        ArrayNode rows = o.results.putArray("errors");
        NewtonSchulz.Precision[] precisions = NewtonSchulz.Precision.values();
        List<List<String>> table = new ArrayList<>();
        // [precision][method 0 quintic 1 cubic][kappa][k] at the plotted size
        int plotR = ranks[Math.min(1, ranks.length - 1)], plotN = widths[widths.length - 1];
        double[][][][] curve = new double[precisions.length][2][kappas.length][maxSteps + 1];
        double[][] svdCurve = new double[2][kappas.length];
        for (int r : ranks) {
            for (int n : widths) {
                for (int ki = 0; ki < kappas.length; ki++) {
                    Case c = build(r, n, kappas[ki], seed);
                    double[] svd64 = errors(PolarFactor.of(c.m(), r, n), c);
                    double[] svd32 = errors(toDouble(PolarFactor.of(toFloat(c.m()), r, n)), c);
                    ObjectNode row = rows.addObject();
                    row.put("r", r).put("n", n).put("kappa", kappas[ki]);
                    row.put("svd_f64_fro", svd64[0]).put("svd_f64_spec", svd64[1]).put("svd_f32_fro", svd32[0]).put("svd_f32_spec", svd32[1]);
                    double[][] at5 = new double[precisions.length * 2][];
                    for (int pi = 0; pi < precisions.length; pi++) {
                        for (int method = 0; method < 2; method++) {
                            ArrayNode fro = row.putArray((method == 0 ? "ns5_" : "cubic_") + precisions[pi].name().toLowerCase(Locale.ROOT) + "_fro");
                            ArrayNode spec2 = row.putArray((method == 0 ? "ns5_" : "cubic_") + precisions[pi].name().toLowerCase(Locale.ROOT) + "_spec");
                            for (int k = 1; k <= maxSteps; k++) {
                                // NS5 starts from M/‖M‖_F as Muon does; the cubic from M/‖M‖₂ = M (s₁ = 1), Lemma 3.2's start
                                double[] x = method == 0 ? NewtonSchulz.iterate(c.m(), r, n, k, true, precisions[pi])
                                        : NewtonSchulz.iterate(c.m(), r, n, k, false, precisions[pi], 1.0);
                                double[] e = errors(x, c);
                                fro.add(e[0]);
                                spec2.add(e[1]);
                                if (k == Math.min(5, maxSteps)) at5[pi * 2 + method] = e;
                                if (r == plotR && n == plotN) curve[pi][method][ki][k] = e[0];
                            }
                        }
                    }
                    if (r == plotR && n == plotN) {
                        svdCurve[0][ki] = svd64[0];
                        svdCurve[1][ki] = svd32[0];
                    }
                    table.add(ExperimentOutput.row(r, n, kappas[ki], svd64[0], svd32[0], at5[0][0], at5[0][1], at5[2][0], at5[4][0],
                            at5[1][0], at5[3][0], Math.pow(1 - 1 / (kappas[ki] * kappas[ki]), Math.pow(2, Math.min(5, maxSteps)))));
                }
            }
        }
        int kShown = Math.min(5, maxSteps);
        o.table("Error ‖X − UVᵀ‖_F/√r (NS columns after k = " + kShown + " steps; spectral error for NS5 f64)",
                List.of("r", "n", "κ", "SVD f64", "SVD f32", "NS5 f64", "NS5 f64 ‖·‖₂", "NS5 f32", "NS5 bf16", "cubic f64", "cubic f32", "Lemma 3.2 (1−1/κ²)^(2^k)"),
                table);
        stepsTable(o, rows);

        Plot vsKappa = new Plot("E1: error after " + kShown + " steps, r = " + plotR + ", n = " + plotN, "condition number κ", "‖X − UVᵀ‖_F/√r")
                .xScale(Plot.Scale.LOG).yScale(Plot.Scale.LOG);
        for (int pi = 0; pi < precisions.length; pi++) {
            double[] ns = new double[kappas.length], cubic = new double[kappas.length];
            for (int ki = 0; ki < kappas.length; ki++) {
                ns[ki] = Math.max(1e-17, curve[pi][0][ki][kShown]);
                cubic[ki] = Math.max(1e-17, curve[pi][1][ki][kShown]);
            }
            String p = precisions[pi].name().toLowerCase(Locale.ROOT);
            vsKappa.line("NS5 " + p, kappas, ns).line("cubic " + p, kappas, cubic);
        }
        double[] s64 = svdCurve[0].clone(), s32 = svdCurve[1].clone(), bound = new double[kappas.length];
        for (int ki = 0; ki < kappas.length; ki++) {
            s64[ki] = Math.max(1e-17, s64[ki]);
            s32[ki] = Math.max(1e-17, s32[ki]);
            bound[ki] = Math.max(1e-17, Math.pow(1 - 1 / (kappas[ki] * kappas[ki]), Math.pow(2, kShown)));
        }
        vsKappa.line("SVD f64", kappas, s64).line("SVD f32", kappas, s32).dashed("Lemma 3.2 bound (cubic)", kappas, bound);
        o.plot(vsKappa, "error_vs_kappa.png");

        Plot vsSteps = new Plot("E1: cubic NS (f64) vs steps, r = " + plotR + ", n = " + plotN + "; dashed: Lemma 3.2", "steps k", "‖X − UVᵀ‖_F/√r")
                .yScale(Plot.Scale.LOG);
        double[] ks = new double[maxSteps];
        for (int k = 1; k <= maxSteps; k++) ks[k - 1] = k;
        for (int ki = 0; ki < kappas.length; ki++) {
            double[] e = new double[maxSteps], b = new double[maxSteps], q = new double[maxSteps];
            for (int k = 1; k <= maxSteps; k++) {
                e[k - 1] = Math.max(1e-17, curve[0][1][ki][k]);
                q[k - 1] = Math.max(1e-17, curve[0][0][ki][k]);
                b[k - 1] = Math.max(1e-17, Math.pow(1 - 1 / (kappas[ki] * kappas[ki]), Math.pow(2, k)));
            }
            vsSteps.line("cubic κ=" + ExperimentOutput.fmt(kappas[ki]), ks, e).line("NS5 κ=" + ExperimentOutput.fmt(kappas[ki]), ks, q)
                   .dashed("bound κ=" + ExperimentOutput.fmt(kappas[ki]), ks, b);
        }
        o.plot(vsSteps, "error_vs_steps.png");

        if (timingRanks.length > 0) timing(o);
        o.finish();
        return Main.OK;
    }

    /** For each κ at the largest r and n: the first k at which the cubic iteration (f64) gets below 1e-6. */
    private void stepsTable(ExperimentOutput o, ArrayNode rows) {
        List<List<String>> t = new ArrayList<>();
        for (var row : rows) {
            if (row.get("r").asInt() != ranks[ranks.length - 1] || row.get("n").asInt() != widths[widths.length - 1]) continue;
            var cubic = row.get("cubic_float64_fro");
            int first = -1;
            for (int k = 0; k < cubic.size(); k++) if (cubic.get(k).asDouble() < 1e-6) { first = k + 1; break; }
            double kappa = row.get("kappa").asDouble();
            var ns5 = row.get("ns5_float64_fro");
            t.add(ExperimentOutput.row(kappa, first < 0 ? "> " + maxSteps : Integer.toString(first),
                    Math.log(kappa * kappa) / Math.log(2), ns5.get(ns5.size() - 1).asDouble()));
        }
        o.table("Cubic NS steps to reach 1e-6 (r = " + ranks[ranks.length - 1] + ", n = " + widths[widths.length - 1] + ") and NS5's floor after "
                + maxSteps + " steps", List.of("κ", "cubic steps to 1e-6", "log₂(κ²)", "NS5 error after " + maxSteps), t);
    }

    /** Median wall time of the SVD route vs five NS5 steps at n = 1024 (float64, the optimizer's precision). */
    private void timing(ExperimentOutput o) {
        int n = 1024;
        List<List<String>> t = new ArrayList<>();
        ArrayNode times = o.results.putArray("timing_n1024");
        for (int r : timingRanks) {
            if (r < 1 || r > n) throw new BadInputException("--timing-ranks must be in 1..1024, got " + r);
            Case c = build(r, n, 100, seed);
            double svd = medianMicros(() -> PolarFactor.of(c.m(), r, n));
            double ns5 = medianMicros(() -> NewtonSchulz.quintic(c.m(), r, n, 5));
            times.addObject().put("r", r).put("svd_us", svd).put("ns5_us", ns5).put("ratio", svd / ns5);
            t.add(ExperimentOutput.row(r, n, svd, ns5, svd / ns5));
        }
        o.table("Polar factor cost, float64, " + Blas.threads() + " BLAS threads (median of repeated calls)",
                List.of("r", "n", "SVD route µs", "NS5 (5 steps) µs", "ratio SVD/NS5"), t);
    }

    static double medianMicros(Runnable f) {
        for (int i = 0; i < 20; i++) f.run();
        int reps = 41;
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long a = System.nanoTime();
            f.run();
            t[i] = (System.nanoTime() - a) * 1e-3;
        }
        java.util.Arrays.sort(t);
        return t[reps / 2];
    }
}
