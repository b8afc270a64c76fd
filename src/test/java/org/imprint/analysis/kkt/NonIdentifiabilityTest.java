package org.imprint.analysis.kkt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.imprint.models.Mlp;
import org.imprint.tensor.DType;
import org.imprint.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Target T3 of reconstruction.md §6: the exact constructions of "No Prior, No Leakage", verified numerically. */
class NonIdentifiabilityTest {
    static final int N = 4, D = 6;

    /** The 4 vertices of a regular simplex (unit norm, x_i·x_j = −1/3), in the first 3 of 6 coordinates. */
    static double[] simplex() {
        double[][] v = {{1, 1, 1}, {1, -1, -1}, {-1, 1, -1}, {-1, -1, 1}};
        double[] x = new double[N * D];
        for (int i = 0; i < N; i++) for (int p = 0; p < 3; p++) x[i * D + p] = v[i][p] / Math.sqrt(3);
        return x;
    }

    static final int[] LABELS = {1, 0, 1, 0};
    static final double[] ALPHA = {0.6, 0.8};

    /**
     * A bias-free 6-8-1 network that is exactly a KKT point on the simplex data with λ_i = 1: two neurons per
     * point, w_k = α_k x_i and v_k = y_i α_k with Σα_k² = 1. Neuron k is active on its own point only (z = α_k) and
     * strictly inactive elsewhere (z = −α_k/3), so w_k = Σ_j λ_j y_j v_k 1[z_jk &gt; 0] x_j and v_k = Σ_j λ_j y_j relu(z_jk)
     * hold exactly, and every margin is Σα_k² = 1.
     */
    static Mlp exactKktNet() {
        double[] x = simplex();
        int h = 2 * N;
        double[] w = new double[h * D], v = new double[h];
        for (int i = 0; i < N; i++) {
            double y = LABELS[i] == 1 ? 1 : -1;
            for (int a = 0; a < 2; a++) {
                int k = 2 * i + a;
                for (int p = 0; p < D; p++) w[k * D + p] = ALPHA[a] * x[i * D + p];
                v[k] = y * ALPHA[a];
            }
        }
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("0.weight", Tensor.of(w, h, D));
        t.put("2.weight", Tensor.of(v, 1, h));
        return Mlp.fromTensors(t, DType.F64, "exact KKT net");
    }

    @Test void exactKktNetworkHasZeroTrueDataResidualAndUnitMultipliers() {
        PerSampleGradients g = new PerSampleGradients(exactKktNet(), simplex(), N);
        TrueDataKkt.Fit fit = TrueDataKkt.fit(g, TrueDataKkt.signs(LABELS));
        assertTrue(fit.relative() < 1e-12, "r*/|θ| = " + fit.relative());
        for (double l : fit.lambda()) assertEquals(1.0, l, 1e-9);
        double[] f = g.outputs();
        for (int i = 0; i < N; i++) assertEquals(1.0, TrueDataKkt.signs(LABELS)[i] * f[i], 1e-14);
    }

    @Test void offSpanSplitIsExactAtEveryLengthAndAsFarAsClaimed() {
        for (double t : new double[] {0.1, 1, 10}) {
            NonIdentifiability.Report r = NonIdentifiability.analyze(exactKktNet(), simplex(), N, LABELS,
                    new NonIdentifiability.Options(0.5, t, false, -1, 1, 0.01, 1));
            assertTrue(r.offSpan().exists());
            assertTrue(r.offSpan().firstLayerImageNorm() < 1e-15, "W1ν = " + r.offSpan().firstLayerImageNorm());
            assertEquals(N, r.kkt().support());
            assertEquals(N, r.kkt().onMarginAndSupport());
            assertEquals(0, r.kkt().delta(), 1e-9);
            NonIdentifiability.Alternative a = find(r, "split-off-span");
            assertEquals(2 * N, a.points());
            assertEquals(t, a.step().min(), 0, "nothing limits the step but the cap");
            NonIdentifiability.Verification v = a.verification();
            assertTrue(v.combinationChange() < 1e-9, "stationarity combination changed by " + v.combinationChange());
            assertTrue(v.residualAfter() / r.kkt().thetaNorm() < 1e-9, "the alternative is exactly KKT too");
            assertTrue(v.patternsPreserved());
            assertTrue(v.maxMarginChange() < 1e-9, "margins kept: " + v.maxMarginChange());
            // ‖x_i ± tν − x_j‖² = ‖x_i − x_j‖² + t² ≥ t², with equality for j = i
            assertEquals(t, v.distanceToTrueSet().min(), 1e-9 * t);
            assertEquals(t, v.distanceToTrueSet().max(), 1e-9 * t);
            assertEquals(2 * N, v.fartherThanStep());
        }
    }

    @Test void singularSplitIsExactAndKeepsMarginsAndTheBoundHolds() {
        NonIdentifiability.Report r = NonIdentifiability.analyze(exactKktNet(), simplex(), N, LABELS,
                new NonIdentifiability.Options(0.5, 100, true, -1, 1, 0.01, 1));
        assertEquals(3, r.smallestSingular().dataRank());
        assertEquals(Math.sqrt(4.0 / 3), r.smallestSingular().singularValue(), 1e-12);
        NonIdentifiability.Alternative a = find(r, "split-singular");
        assertTrue(a.step().min() > 0 && Double.isFinite(a.patternLimit().max()));
        assertEquals(0.5 * a.patternLimit().min(), a.step().min(), 1e-12);
        assertTrue(a.verification().combinationChange() < 1e-9);
        assertTrue(a.verification().patternsPreserved());
        assertTrue(a.verification().maxMarginChange() < 1e-9, "ν_i ⟂ ∇_x f(x_i) keeps the margin");
        assertTrue(r.singularBound().maxViolation() < 1e-12, "exact KKT rows obey |w_k·v| ≤ |a_k|σ_min");
        NonIdentifiability.Alternative boxed = find(r, "split-singular-box");
        assertTrue(boxed.step().max() <= a.step().max());
        for (int j = 0; j < boxed.points(); j++) {
            for (int p = 0; p < D; p++) {
                double v = boxed.x()[j * D + p];
                assertTrue(v >= -1 - 1e-12 && v <= 1 + 1e-12, "box-capped split stays in the box");
            }
        }
    }

    @Test void patternFlipsExactlyWhereComputedAndSplitsBelowItAreExact() {
        Mlp model = PerSampleGradientsTest.net(11, 5, 8, 6, 1);
        int n = 6, d = 5;
        double[] x = PerSampleGradientsTest.gaussian(12, n * d), dirs = PerSampleGradientsTest.gaussian(13, n * d);
        PerSampleGradients g = new PerSampleGradients(model, x, n);
        PerSampleGradients.StepLimits lim = g.patternPreservingSteps(dirs);
        int deeper = 0;
        for (int i = 0; i < n; i++) {
            double t = lim.tMax()[i];
            assertTrue(t > 0 && Double.isFinite(t));
            if (lim.layer()[i] > 0) deeper++;
            boolean[] p0 = g.pattern(i);
            for (double sign : new double[] {1, -1}) {
                assertArrayEquals(p0, patternAt(model, x, dirs, i, sign * t * (1 - 1e-7)), "just below t_max keeps the pattern");
            }
            boolean flipped = !Arrays.equals(p0, patternAt(model, x, dirs, i, t * (1 + 1e-7)))
                    || !Arrays.equals(p0, patternAt(model, x, dirs, i, -t * (1 + 1e-7)));
            assertTrue(flipped, "just beyond t_max a pattern flips (sample " + i + ")");
        }
        // Lemma 3 on a generic (not KKT) deep net: the split combination equals the original one while the pattern holds.
        double[] lambda = {0.5, 1.5, 0.2, 0.9, 1.1, 0.3};
        int[] labels = {1, 0, 1, 1, 0, 0};
        NonIdentifiability.Context c = NonIdentifiability.context(model, x, n, labels, lambda);
        double[] steps = new double[n];
        for (int i = 0; i < n; i++) steps[i] = 0.99 * lim.tMax()[i];
        NonIdentifiability.Alternative a = NonIdentifiability.split(c, "test", "test", dirs, steps);
        assertTrue(a.verification().patternsPreserved());
        assertTrue(a.verification().combinationChange() < 1e-12, "relative change " + a.verification().combinationChange());
        assertTrue(deeper > 0, "some first flips are in the second hidden layer, so the all-layer computation is exercised");
        for (int i = 0; i < n; i++) steps[i] = 1.01 * lim.tMax()[i];
        assertFalse(NonIdentifiability.split(c, "test", "test", dirs, steps).verification().patternsPreserved());
    }

    @Test void mergingSameLabelSamePatternPointsKeepsStationarityAndInterpolatesTheMargin() {
        Mlp model = PerSampleGradientsTest.net(21, 5, 8, 6, 1);
        int n = 4, d = 5;
        double[] x = PerSampleGradientsTest.gaussian(22, n * d), noise = PerSampleGradientsTest.gaussian(23, d);
        for (int p = 0; p < d; p++) x[d + p] = x[p] + 1e-3 * noise[p];   // x_1 next to x_0: same pattern
        int[] labels = {1, 1, 0, 1};
        double[] lambda = {0.7, 0.2, 1.0, 0.4};
        NonIdentifiability.Context c = NonIdentifiability.context(model, x, n, labels, lambda);
        assertArrayEquals(c.gradients().pattern(0), c.gradients().pattern(1), "precondition: same pattern");
        NonIdentifiability.Alternative m = NonIdentifiability.merge(c);
        assertEquals(3, m.points(), "x_0 and x_1 merged, x_2 and x_3 kept");
        assertTrue(m.verification().combinationChange() < 1e-12);
        assertTrue(m.verification().patternsPreserved());
        assertEquals(0.9, m.lambda()[0], 1e-15);
        double alpha = 0.7 / 0.9;
        for (int p = 0; p < d; p++) assertEquals(alpha * x[p] + (1 - alpha) * x[d + p], m.x()[p], 1e-15);
        double merged = new PerSampleGradients(model, Arrays.copyOf(m.x(), d), 1).outputs()[0];
        assertEquals(alpha * c.q()[0] + (1 - alpha) * c.q()[1], merged, 1e-12, "f is affine on the pattern region");
    }

    @Test void boxLimitIsTheLargestStepInsideTheBox() {
        double[] x = {0.5, -0.2, 0.9}, nu = {0.6, 0.0, -0.8};
        double t = NonIdentifiability.boxLimit(x, 0, nu, 0, 3, -1, 1);
        assertEquals(Math.min(0.5 / 0.6, 0.1 / 0.8), t, 1e-15);
    }

    static boolean[] patternAt(Mlp model, double[] x, double[] dirs, int i, double t) {
        int d = model.inputs();
        double[] row = new double[d];
        for (int p = 0; p < d; p++) row[p] = x[i * d + p] + t * dirs[i * d + p];
        return new PerSampleGradients(model, row, 1).pattern(0);
    }

    static NonIdentifiability.Alternative find(NonIdentifiability.Report r, String kind) {
        return r.alternatives().stream().filter(a -> a.kind().equals(kind)).findFirst().orElseThrow(() -> new AssertionError("no " + kind));
    }
}
