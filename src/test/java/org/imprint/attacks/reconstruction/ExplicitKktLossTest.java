package org.imprint.attacks.reconstruction;

import static org.imprint.testing.Agreement.relativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.imprint.kernels.Blas;
import org.imprint.models.Mlp;
import org.imprint.tensor.Autograd;
import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The hand-written attack gradient against the graph one ({@link KktLoss}, itself checked against finite
 * differences and the closed form in {@link KktLossGradientTest}): same loss terms and same ∂L/∂x, ∂L/∂λ to
 * round-off, for every KKT variant, depth 1–4, every bias layout, with the box prior and the λ penalty active.
 */
class ExplicitKktLossTest {
    private static final double ALPHA = 7.0;

    private static AttackConfig config(Variant v, int m, boolean box) {
        return new AttackConfig(m, ALPHA, 0.1, 1e-4, 0.1, 0.3, 10, box, -0.5, 0.5, v, 1);
    }

    private static double[] random(long seed, int n, double lo, double hi) {
        return Tensor.uniform(DType.F64, new Rng(seed), lo, hi, n).toDoubleArray();
    }

    private static void compare(Mlp net, Variant v, int m, boolean box, String what) {
        compare(net, config(v, m, box), what);
    }

    /** Both residual forms (direct and Gram) and the per-layer choice, each against the graph. */
    private static void compare(Mlp net, AttackConfig cfg, String what) {
        for (Boolean forceGram : new Boolean[] {null, false, true}) compare(net, cfg, forceGram, what + " (Gram " + forceGram + ")");
    }

    private static void compare(Mlp net, AttackConfig cfg, Boolean forceGram, String what) {
        int d = net.inputs(), m = cfg.candidates();
        Variant v = cfg.variant();
        int classes = net.outputs() == 1 ? 2 : net.outputs();
        int[] labels = KktAttack.candidateLabels(m, classes, v);
        double[] x0 = random(3, m * d, -0.8, 0.8);  // pixels outside the ±0.5 box: the prior is active
        double[] l0 = v == Variant.REGRESSION ? random(4, m, -0.6, 0.6) : random(4, m, 0.05, 0.6); // some below λ_min

        KktLoss graph = new KktLoss(net, labels, cfg);
        Tensor x = Tensor.of(x0.clone(), m, d).requiresGrad(true), lam = Tensor.of(l0.clone(), m).requiresGrad(true);
        KktLoss.Terms terms = graph.evaluate(x, lam);
        List<Tensor> g = Autograd.grad(List.of(terms.total()), List.of(x, lam), null, false, false);

        ExplicitKktLoss explicit = new ExplicitKktLoss(net, labels, cfg, forceGram);
        double[] gx = new double[m * d], gl = new double[m];
        Arrays.fill(gx, Double.NaN); // overwritten, whatever was there
        AttackObjective.Value value = explicit.evaluate(x0, l0, gx, gl);

        assertEquals(terms.total().item(), value.total(), 1e-12 * Math.abs(terms.total().item()), what + ": total");
        assertEquals(terms.stationarity(), value.stationarity(), 1e-12 * terms.stationarity(), what + ": stationarity");
        assertEquals(terms.prior(), value.prior(), 1e-12 * Math.abs(terms.prior()) + 1e-300, what + ": prior");
        assertEquals(terms.lambdaPenalty(), value.lambdaPenalty(), 1e-12 * Math.abs(terms.lambdaPenalty()) + 1e-300, what + ": λ penalty");
        assertTrue(relativeError(g.get(0).toDoubleArray(), gx) < 1e-11, what + ": dL/dx rel. error " + relativeError(g.get(0).toDoubleArray(), gx));
        assertTrue(relativeError(g.get(1).toDoubleArray(), gl) < 1e-11, what + ": dL/dλ rel. error " + relativeError(g.get(1).toDoubleArray(), gl));
    }

    @Test void matchesTheGraphForEveryVariantDepthAndBiasLayout() {
        int d = 6, m = 8;
        for (int[] widths : new int[][] {{d, 1}, {d, 5, 1}, {d, 7, 4, 1}, {d, 5, 4, 3, 1}, {d, 5, 3}, {d, 4, 5, 4}}) {
            for (Mlp.BiasMode bias : Mlp.BiasMode.values()) {
                Mlp net = Mlp.initialise(widths, bias, Mlp.InitDistribution.PYTORCH_UNIFORM, new double[] {1.5}, new Rng(11), DType.F64);
                int classes = net.outputs() == 1 ? 2 : net.outputs();
                for (Variant v : Variant.values()) {
                    if (v == Variant.NAIVE || (v == Variant.MULTICLASS) != (classes > 2)) continue;
                    for (boolean box : new boolean[] {true, false}) {
                        compare(net, v, m, box, v + " " + Arrays.toString(widths) + " bias " + bias + " box " + box);
                    }
                }
            }
        }
    }

    /** The pixel box: bounds on x + s with a per-coordinate shift s (the training mean), against the graph. */
    @Test void shiftedBoxMatchesTheGraph() {
        int d = 6, m = 8;
        double[] mean = random(9, d, 0.0, 0.6);
        for (Mlp.BiasMode bias : Mlp.BiasMode.values()) {
            Mlp net = Mlp.initialise(new int[] {d, 7, 4, 1}, bias, Mlp.InitDistribution.PYTORCH_UNIFORM, new double[] {1.5}, new Rng(11), DType.F64);
            AttackConfig cfg = new AttackConfig(m, ALPHA, 0.1, 1e-4, 0.1, 0.3, 10, true, 0, 1, Variant.BINARY, 1).withBoxShift(mean);
            compare(net, cfg, "pixel box, bias " + bias);
        }
        // x = 0.5 − s puts every pixel mid-box: no penalty; x = 1.25 − s is 0.25 above everywhere: 0.0625 per pixel
        Mlp net = Mlp.initialise(new int[] {d, 3, 1}, Mlp.BiasMode.FIRST, Mlp.InitDistribution.PYTORCH_UNIFORM, new double[] {1}, new Rng(1), DType.F64);
        AttackConfig cfg = new AttackConfig(2, ALPHA, 0.1, 1e-4, 0.1, 0.3, 10, true, 0, 1, Variant.BINARY, 1).withBoxShift(mean);
        ExplicitKktLoss loss = new ExplicitKktLoss(net, new int[] {0, 1}, cfg);
        double[] mid = new double[2 * d], above = new double[2 * d];
        for (int i = 0; i < 2 * d; i++) {
            mid[i] = 0.5 - mean[i % d];
            above[i] = 1.25 - mean[i % d];
        }
        assertEquals(0.0, loss.evaluate(mid, new double[] {1, 1}, new double[2 * d], new double[2]).prior(), 0.0);
        assertEquals(2 * d * 0.0625, loss.evaluate(above, new double[] {1, 1}, new double[2 * d], new double[2]).prior(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new ExplicitKktLoss(net, new int[] {0, 1}, cfg.withBoxShift(new double[d + 1])));
    }

    /** Sizes where the elementwise passes split over threads and the GEMMs go native. */
    @Test void matchesTheGraphAtSizesThatRunInParallel() {
        int before = Blas.threads();
        try {
            Blas.setThreads(2);
            Mlp net = Mlp.initialise(new int[] {50, 300, 200, 1}, Mlp.BiasMode.FIRST, Mlp.InitDistribution.PYTORCH_UNIFORM,
                    new double[] {1.0}, new Rng(5), DType.F64);
            compare(net, Variant.BINARY, 240, true, "binary 50-300-200-1, m 240");
            Mlp multi = Mlp.initialise(new int[] {50, 300, 4}, Mlp.BiasMode.ALL, Mlp.InitDistribution.PYTORCH_UNIFORM,
                    new double[] {1.0}, new Rng(6), DType.F64);
            compare(multi, Variant.MULTICLASS, 240, true, "multiclass 50-300-4, m 240");
        } finally {
            Blas.setThreads(before);
        }
    }

    @Test void repeatedCallsGiveTheSameBitsAndThreadCountsAgree() {
        int before = Blas.threads();
        try {
            Mlp net = Mlp.initialise(new int[] {50, 300, 200, 1}, Mlp.BiasMode.FIRST, Mlp.InitDistribution.PYTORCH_UNIFORM,
                    new double[] {1.0}, new Rng(5), DType.F64);
            int m = 240;
            int[] labels = KktAttack.candidateLabels(m, 2, Variant.BINARY);
            ExplicitKktLoss loss = new ExplicitKktLoss(net, labels, config(Variant.BINARY, m, true));
            double[] x = random(3, m * 50, -0.8, 0.8), l = random(4, m, 0.05, 0.6);
            double[][] gx = new double[3][m * 50], gl = new double[3][m];
            double[] totals = new double[3];
            for (int run = 0; run < 3; run++) {
                Blas.setThreads(run == 0 ? 1 : 2);
                totals[run] = loss.evaluate(x, l, gx[run], gl[run]).total();
            }
            // repeated calls on the same buffers: the same bits
            assertEquals(totals[1], totals[2], 0.0);
            assertArrayEquals(gx[1], gx[2], 0.0);
            assertArrayEquals(gl[1], gl[2], 0.0);
            // one against two threads: OpenBLAS may split its sums differently, so to round-off
            assertEquals(totals[0], totals[1], 1e-13 * Math.abs(totals[0]));
            assertTrue(relativeError(gx[0], gx[1]) < 1e-12, "dL/dx, 1 vs 2 threads");
            assertTrue(relativeError(gl[0], gl[1]) < 1e-12, "dL/dλ, 1 vs 2 threads");
            assertFalse(Double.isNaN(totals[0]));
        } finally {
            Blas.setThreads(before);
        }
    }

    /** The per-layer choice: Gram form where it needs fewer multiply-adds (few candidates, wide layers). */
    @Test void picksTheGramFormOnlyWhereItIsCheaper() {
        assertTrue(ExplicitKktLoss.gramIsCheaper(200, 1000, 1000, false));   // 1.6e8 against 6.0e8
        assertTrue(ExplicitKktLoss.gramIsCheaper(200, 1000, 784, true));     // 3.0e8 against 4.7e8
        assertFalse(ExplicitKktLoss.gramIsCheaper(200, 1, 1000, false));     // the output layer: 8.0e7 against 6.0e5
        assertFalse(ExplicitKktLoss.gramIsCheaper(1000, 1000, 1000, false)); // the benchmark's m: 4.0e9 against 3.0e9
    }

    @Test void refusesWhatItDoesNotCompute() {
        Mlp f32 = Mlp.initialise(new int[] {4, 3, 1}, Mlp.BiasMode.FIRST, Mlp.InitDistribution.PYTORCH_UNIFORM, new double[] {1}, new Rng(1), DType.F32);
        Mlp f64 = Mlp.initialise(new int[] {4, 3, 1}, Mlp.BiasMode.FIRST, Mlp.InitDistribution.PYTORCH_UNIFORM, new double[] {1}, new Rng(1), DType.F64);
        assertFalse(ExplicitKktLoss.supports(f32, config(Variant.BINARY, 4, true)));
        assertFalse(ExplicitKktLoss.supports(f64, config(Variant.NAIVE, 4, true)));
        assertTrue(ExplicitKktLoss.supports(f64, config(Variant.BINARY, 4, true)));
        assertThrows(IllegalArgumentException.class, () -> new ExplicitKktLoss(f64, new int[4], config(Variant.NAIVE, 4, true)));
        ExplicitKktLoss loss = new ExplicitKktLoss(f64, new int[] {0, 0, 1, 1}, config(Variant.BINARY, 4, true));
        assertThrows(IllegalArgumentException.class, () -> loss.evaluate(new double[12], new double[4], new double[16], new double[4]));
    }
}
