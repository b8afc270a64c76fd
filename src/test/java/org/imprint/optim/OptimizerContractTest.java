package org.imprint.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.imprint.io.Safetensors;
import org.imprint.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every optimizer keeps (lesson 6 of anchors.md: one contract, every implementation): its first
 * step equals a hand computation from an independent reference (EJML's SVD, plain Newton–Schulz), a reset
 * restarts it from scratch, it is deterministic, and its state survives a save/load through safetensors with
 * bit-identical continuation (including a subspace refresh after the resume).
 */
class OptimizerContractTest {
    static final double LR = 0.03;
    static final int[][] SHAPES = {{6, 4}, {3, 5}, {5}};

    /** Expected parameter values after one step from w with gradients g (same order as {@link #SHAPES}). */
    interface HandStep {
        double[][] apply(double[][] w, double[][] g);
    }

    record Case(String name, Map<String, String> options, HandStep hand) {
        Optimizer make(List<Tensor> params) {
            String optimizer = name.contains(":") ? name.substring(0, name.indexOf(':')) : name;
            return Optimizers.create(optimizer, params.subList(0, 2), params.subList(2, 3), LR, options);
        }

        @Override
        public String toString() { return name; }
    }

    static Stream<Case> cases() {
        return Stream.of(
            new Case("sgd", Map.of("momentum", "0.9", "nesterov", "true", "weight_decay", "0.01"),
                (w, g) -> each(w, g, (wi, gi, s) -> wi - LR * 1.9 * (gi + 0.01 * wi))),
            new Case("adam", Map.of("weight_decay", "0.1"),
                (w, g) -> each(w, g, (wi, gi, s) -> { double h = gi + 0.1 * wi; return wi - LR * h / (Math.abs(h) + 1e-8); })),
            new Case("adamw", Map.of("weight_decay", "0.1"),
                (w, g) -> each(w, g, (wi, gi, s) -> wi * (1 - LR * 0.1) - LR * gi / (Math.abs(gi) + 1e-8))),
            new Case("muon", Map.of("adam_lr", "0.01"), (w, g) -> matrices(w, g, (m, n, gm) -> {
                double[] o = Reference.ns5(scaled(gm, 1.95), m, n);
                return scaled(o, Math.sqrt(Math.max(1.0, (double) m / n)));
            }, 0.01)),
            new Case("galore", Map.of("rank", "2", "update_gap", "3", "scale", "0.5", "adam_lr", "0.01"),
                (w, g) -> matrices(w, g, OptimizerContractTest::galoreStep, 0.01)),
            new Case("sumo", Map.of("rank", "2", "update_gap", "3", "adam_lr", "0.01"),
                (w, g) -> matrices(w, g, (m, n, gm) -> sumoStep(m, n, gm, false), 0.01)),
            new Case("sumo:left-randomized-nesterov", Map.of("rank", "2", "update_gap", "3", "side", "left", "subspace", "randomized",
                    "nesterov", "true", "adam_lr", "0.01"),
                (w, g) -> matrices(w, g, (m, n, gm) -> sumoStep(m, n, gm, false), 0.01)),
            new Case("sumo-ns5", Map.of("rank", "2", "update_gap", "3", "adam_lr", "0.01"),
                (w, g) -> matrices(w, g, (m, n, gm) -> sumoStep(m, n, gm, true), 0.01)));
    }

    // ------------------------------------------------------------------ the hand computations

    interface Elementwise { double apply(double w, double g, int shape); }

    interface MatrixStep { double[] apply(int m, int n, double[] g); }

    static double[][] each(double[][] w, double[][] g, Elementwise f) {
        double[][] out = new double[w.length][];
        for (int k = 0; k < w.length; k++) {
            out[k] = new double[w[k].length];
            for (int i = 0; i < w[k].length; i++) out[k][i] = f.apply(w[k][i], g[k][i], k);
        }
        return out;
    }

    /** The two matrices take W − η·U(G); the bias takes AdamW's first step at {@code adamLr} without decay. */
    static double[][] matrices(double[][] w, double[][] g, MatrixStep update, double adamLr) {
        double[][] out = new double[3][];
        for (int k = 0; k < 2; k++) {
            double[] u = update.apply(SHAPES[k][0], SHAPES[k][1], g[k]);
            out[k] = new double[w[k].length];
            for (int i = 0; i < u.length; i++) out[k][i] = w[k][i] - LR * u[i];
        }
        out[2] = new double[w[2].length];
        for (int i = 0; i < w[2].length; i++) out[2][i] = w[2][i] - adamLr * g[2][i] / (Math.abs(g[2][i]) + 1e-8);
        return out;
    }

    /**
     * SUMO's first step in terms of G = Σ sᵢuᵢvᵢᵀ (independent of the projection side): Q spans u₁..u_r, Ĝ = QᵀG,
     * M = Ĝ, Q·Orth(M) = Σ_{i≤r} uᵢvᵢᵀ (SVD) or Σ f(sᵢ/‖s_{1..r}‖)·uᵢvᵢᵀ (NS5 acts on singular values), so the
     * update is G − Σ_{i≤r} sᵢuᵢvᵢᵀ + ρ·Q·O with ρ = 0.2·√max(m, n).
     */
    static double[] sumoStep(int m, int n, double[] g, boolean ns5) {
        Reference.Usv usv = Reference.svd(g, m, n);
        int r = 2;
        double norm = Math.sqrt(usv.s()[0] * usv.s()[0] + usv.s()[1] * usv.s()[1]) + 1e-7;
        double[] top = Reference.reconstruct(usv, r, s -> s, m, n);
        double[] qo = Reference.reconstruct(usv, r, s -> ns5 ? Reference.ns5Scalar(s / norm) : 1, m, n);
        double rho = 0.2 * Math.sqrt(Math.max(m, n));
        double[] u = new double[g.length];
        for (int i = 0; i < u.length; i++) u[i] = g[i] - top[i] + rho * qo[i];
        return u;
    }

    /**
     * GaLore's first step: R = projection of G onto its top-2 singular directions on the shorter side, Adam's
     * first normalised step R/(|R| + ε) elementwise (m̂ = R, √v̂ = |R|), projected back and scaled by α = 0.5.
     */
    static double[] galoreStep(int m, int n, double[] g) {
        Reference.Usv usv = Reference.svd(g, m, n);
        double[] out = new double[m * n];
        if (m >= n) { // right: R = G·V_r (m×r), update = α·N·V_rᵀ
            for (int a = 0; a < m; a++) {
                for (int i = 0; i < 2; i++) {
                    double rij = 0;
                    for (int b = 0; b < n; b++) rij += g[a * n + b] * usv.v().get(b, i);
                    double nij = rij / (Math.abs(rij) + 1e-6);
                    for (int b = 0; b < n; b++) out[a * n + b] += 0.5 * nij * usv.v().get(b, i);
                }
            }
        } else {      // left: R = U_rᵀ·G (r×n), update = α·U_r·N
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < 2; i++) {
                    double rij = 0;
                    for (int a = 0; a < m; a++) rij += usv.u().get(a, i) * g[a * n + b];
                    double nij = rij / (Math.abs(rij) + 1e-6);
                    for (int a = 0; a < m; a++) out[a * n + b] += 0.5 * usv.u().get(a, i) * nij;
                }
            }
        }
        return out;
    }

    static double[] scaled(double[] a, double s) {
        double[] out = a.clone();
        for (int i = 0; i < out.length; i++) out[i] *= s;
        return out;
    }

    // ------------------------------------------------------------------ parameters and gradients

    static List<Tensor> freshParams() {
        List<Tensor> ps = new ArrayList<>();
        int offset = 0;
        for (int[] shape : SHAPES) {
            int size = 1;
            for (int d : shape) size *= d;
            double[] v = new double[size];
            for (int i = 0; i < size; i++) v[i] = Math.sin(1.3 * (offset + i) + 0.4) * (1 + 0.1 * i);
            offset += size;
            ps.add(Tensor.of(v, shape).requiresGrad(true));
        }
        return ps;
    }

    /** g = w³ − c + 0.1·t: a gradient that depends on the parameters and the step, so state matters. */
    static void setGradients(List<Tensor> params, int t) {
        for (Tensor p : params) {
            double[] w = p.toDoubleArray(), g = new double[w.length];
            for (int i = 0; i < w.length; i++) g[i] = w[i] * w[i] * w[i] - Math.cos(2 * i) / 2 + 0.1 * t * Math.sin(i + t);
            p.zeroGrad();
            setGrad(p, Tensor.of(g, p.shape()));
        }
    }

    /** Sets p.grad by differentiating ⟨g, p⟩, the public way to place a gradient. */
    static void setGrad(Tensor p, Tensor g) {
        p.mul(g).sum().backward();
    }

    static void run(Optimizer o, List<Tensor> params, int fromStep, int toStep) {
        for (int t = fromStep; t < toStep; t++) {
            setGradients(params, t + 1);
            o.step();
            o.zeroGrad();
        }
    }

    static double[][] values(List<Tensor> params) {
        double[][] out = new double[params.size()][];
        for (int k = 0; k < params.size(); k++) out[k] = params.get(k).toDoubleArray();
        return out;
    }

    // ------------------------------------------------------------------ the contract

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void firstStepMatchesHandComputation(Case c) {
        List<Tensor> params = freshParams();
        Optimizer o = c.make(params);
        double[][] w0 = values(params);
        setGradients(params, 1);
        double[][] g = new double[params.size()][];
        for (int k = 0; k < params.size(); k++) g[k] = params.get(k).grad().toDoubleArray();
        o.step();
        double[][] expected = c.hand().apply(w0, g), actual = values(params);
        for (int k = 0; k < expected.length; k++) {
            double change = 0;
            for (int i = 0; i < expected[k].length; i++) change = Math.max(change, Math.abs(expected[k][i] - w0[k][i]));
            assertTrue(change > 1e-4, c + ": the step did not move parameter " + k);
            assertArrayEquals(expected[k], actual[k], 1e-10, c + ": parameter " + k);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void deterministic(Case c) {
        List<Tensor> a = freshParams(), b = freshParams();
        run(c.make(a), a, 0, 7);
        run(c.make(b), b, 0, 7);
        for (int k = 0; k < a.size(); k++) assertArrayEquals(a.get(k).toDoubleArray(), b.get(k).toDoubleArray(), 0.0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void resetStartsAfresh(Case c) {
        List<Tensor> fresh = freshParams(), reused = freshParams();
        run(c.make(fresh), fresh, 0, 5);
        Optimizer o = c.make(reused);
        run(o, reused, 0, 4);
        o.reset();
        List<Tensor> initial = freshParams();
        for (int k = 0; k < reused.size(); k++) reused.get(k).copy_(initial.get(k));
        run(o, reused, 0, 5);
        for (int k = 0; k < fresh.size(); k++) assertArrayEquals(fresh.get(k).toDoubleArray(), reused.get(k).toDoubleArray(), 0.0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void stateRoundTripThroughSafetensorsContinuesIdentically(Case c, @TempDir Path dir) {
        List<Tensor> straight = freshParams();
        run(c.make(straight), straight, 0, 8);

        List<Tensor> first = freshParams();
        Optimizer before = c.make(first);
        run(before, first, 0, 4);
        Path file = dir.resolve("state.safetensors");
        Safetensors.write(file, before.stateDict(), Map.of());
        List<Tensor> resumed = new ArrayList<>();
        for (Tensor p : first) resumed.add(p.detach().copy().requiresGrad(true));
        Optimizer after = c.make(resumed);
        after.loadStateDict(Safetensors.read(file).tensors());
        assertEquals(before.stateDict().keySet(), after.stateDict().keySet());
        run(after, resumed, 4, 8); // steps 6 is a subspace refresh (period 3) for the low-rank optimizers
        for (int k = 0; k < straight.size(); k++) {
            assertArrayEquals(straight.get(k).toDoubleArray(), resumed.get(k).toDoubleArray(), 0.0, c + ": parameter " + k);
        }
    }

    @Test void scheduleScalesEveryPartByTheSameFactor() {
        List<Tensor> params = freshParams();
        Optimizer o = Optimizers.create("sumo", params.subList(0, 2), params.subList(2, 3), 0.02, Map.of("adam_lr", "0.004"));
        o.setLearningRate(0.01);
        assertEquals(0.01, o.paramGroups().get(0).lr(), 1e-15);
        assertEquals(0.002, o.paramGroups().get(1).lr(), 1e-15);
    }

    @Test void badHyperparametersAreRejectedByName() {
        List<Tensor> ps = freshParams();
        assertMessage(() -> Optimizers.create("sumo", ps, 0.01, Map.of("rank", "0")), "rank", "0");
        assertMessage(() -> Optimizers.create("sumo", ps, 0.01, Map.of("momentum", "1.5")), "momentum", "1.5");
        assertMessage(() -> Optimizers.create("sumo", ps, 0.01, Map.of("growth_limit", "0.5")), "growth limit", "0.5");
        assertMessage(() -> Optimizers.create("sumo", ps, 0.01, Map.of("update_gap", "-2")), "update gap", "-2");
        assertMessage(() -> Optimizers.create("galore", ps, 0.01, Map.of("scale", "0")), "scale", "0");
        assertMessage(() -> Optimizers.create("galore", ps, 0.01, Map.of("side", "top")), "side", "top");
        assertMessage(() -> Optimizers.create("muon", ps, 0.01, Map.of("ns_steps", "0")), "Newton-Schulz steps", "0");
        assertMessage(() -> Optimizers.create("adamw", ps, 0.01, Map.of("beta2", "1")), "beta2", "1");
        assertMessage(() -> Optimizers.create("adam", ps, 0.01, Map.of("eps", "0")), "epsilon", "0");
        assertMessage(() -> Optimizers.create("adam", ps, -1, Map.of()), "learning rate", "-1");
        assertMessage(() -> Optimizers.create("sgd", ps, 0.1, Map.of("momentum", "x")), "momentum=x", "not a number");
        assertMessage(() -> Optimizers.create("sumo", ps, 0.1, Map.of("rnak", "4")), "unknown option 'rnak'", "rank");
        assertMessage(() -> Optimizers.create("lion", ps, 0.1, Map.of()), "unknown optimizer 'lion'", "sumo-ns5");
        assertMessage(() -> new Muon(ps, 0.1, 0.9, true, 0, 5, UpdateScale.MUON), "2-D", "[5]");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable e, String... parts) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        for (String p : parts) assertTrue(ex.getMessage().contains(p), ex.getMessage());
    }
}
