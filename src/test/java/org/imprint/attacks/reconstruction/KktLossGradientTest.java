package org.imprint.attacks.reconstruction;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.UnaryOperator;
import org.imprint.models.Mlp;
import org.imprint.tensor.Autograd;
import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Gradients of the attack loss with respect to the candidates x and the multipliers λ, float64.
 *
 * <p>The attack's smoothed ReLU (exact forward, derivative σ(αz)) is on purpose not the derivative of its own
 * forward, so finite differences of the loss cannot check it in x. Two checks cover it: (1) for every variant,
 * depth and bias layout, the loss built with softplus_α — same backward rule, exact derivatives — against
 * central differences in x and λ; (2) the actual smoothed-ReLU loss against the independent closed form of
 * reconstruction.md §2 for a 2-layer net, and against differences in λ (which does not touch the forward).
 */
class KktLossGradientTest {
    private static final double ALPHA = 4.0, EPS = 1e-6;

    private static Mlp victim(int[] widths, Mlp.BiasMode bias) {
        return Mlp.initialise(widths, bias, Mlp.InitDistribution.PYTORCH_UNIFORM, new double[] {1.5}, new Rng(11), DType.F64);
    }

    private static AttackConfig config(Variant v, int m) {
        return new AttackConfig(m, ALPHA, 0.1, 1e-4, 0.1, 0.3, 10, true, -0.5, 0.5, v, 1);
    }

    private static double lossAt(KktLoss loss, double[] x, double[] lam, int m, int d) {
        return loss.evaluate(Tensor.of(x.clone(), m, d).requiresGrad(true), Tensor.of(lam.clone(), m).requiresGrad(true)).total().item();
    }

    /** Compares autograd with central differences for every coordinate of x and λ. */
    private static void checkAgainstDifferences(KktLoss loss, double[] x0, double[] l0, int m, int d, boolean checkX, String what) {
        Tensor x = Tensor.of(x0.clone(), m, d).requiresGrad(true), lam = Tensor.of(l0.clone(), m).requiresGrad(true);
        List<Tensor> g = Autograd.grad(List.of(loss.evaluate(x, lam).total()), List.of(x, lam), null, false, false);
        if (checkX) {
            double[] gx = g.get(0).toDoubleArray();
            for (int i = 0; i < x0.length; i++) {
                double[] p = x0.clone(), q = x0.clone();
                p[i] += EPS;
                q[i] -= EPS;
                double fd = (lossAt(loss, p, l0, m, d) - lossAt(loss, q, l0, m, d)) / (2 * EPS);
                assertEquals(fd, gx[i], 1e-5 + 1e-3 * Math.abs(fd), what + ": dL/dx[" + i + "]");
            }
        }
        double[] gl = g.get(1).toDoubleArray();
        for (int j = 0; j < l0.length; j++) {
            double[] p = l0.clone(), q = l0.clone();
            p[j] += EPS;
            q[j] -= EPS;
            double fd = (lossAt(loss, x0, p, m, d) - lossAt(loss, x0, q, m, d)) / (2 * EPS);
            assertEquals(fd, gl[j], 1e-5 + 1e-3 * Math.abs(fd), what + ": dL/dλ[" + j + "]");
        }
    }

    private static double[] random(long seed, int n, double lo, double hi) {
        return Tensor.uniform(DType.F64, new Rng(seed), lo, hi, n).toDoubleArray();
    }

    @Test void everyVariantDepthAndBiasLayoutWithSoftplusActivation() {
        int d = 4, m = 6;
        UnaryOperator<Tensor> softplus = z -> z.softplus(ALPHA);
        for (int[] widths : new int[][] {{d, 5, 1}, {d, 5, 3, 1}, {d, 5, 3}, {d, 4, 3, 3}}) {
            for (Mlp.BiasMode bias : Mlp.BiasMode.values()) {
                Mlp net = victim(widths, bias);
                int classes = net.outputs() == 1 ? 2 : net.outputs();
                for (Variant v : Variant.values()) {
                    if ((v == Variant.MULTICLASS) != (classes > 2)) continue;
                    int[] labels = KktAttack.candidateLabels(m, classes, v);
                    KktLoss loss = new KktLoss(net, labels, config(v, m), softplus);
                    double[] x = random(3, m * d, -0.8, 0.8);   // some pixels outside the ±0.5 box: the prior is active
                    double[] l = random(4, m, 0.05, 0.6);        // some below λ_min = 0.3: the penalty is active
                    checkAgainstDifferences(loss, x, l, m, d, true, v + " " + java.util.Arrays.toString(widths) + " bias " + bias);
                }
            }
        }
    }

    @Test void smoothedReluAttackInLambdaAgainstDifferences() {
        int d = 4, m = 6;
        for (int[] widths : new int[][] {{d, 5, 1}, {d, 5, 3, 1}, {d, 5, 3}}) {
            Mlp net = victim(widths, Mlp.BiasMode.FIRST);
            int classes = net.outputs() == 1 ? 2 : net.outputs();
            Variant v = classes > 2 ? Variant.MULTICLASS : Variant.BINARY;
            KktLoss loss = new KktLoss(net, KktAttack.candidateLabels(m, classes, v), config(v, m));
            checkAgainstDifferences(loss, random(5, m * d, -1, 1), random(6, m, 0.05, 0.6), m, d, false, "smoothed " + v);
        }
    }

    /** reconstruction.md §2, "Closed-form gradients": Φ(x) = Σ_k v_k relu(w_k·x + b_k), relu' := s = σ(αz). */
    @Test void smoothedReluAttackMatchesTheClosedFormForTwoLayers() {
        int d = 5, h = 7, m = 6;
        Mlp net = victim(new int[] {d, h, 1}, Mlp.BiasMode.FIRST);
        AttackConfig cfg = new AttackConfig(m, ALPHA, 0.1, 1e-4, 0.1, 0.3, 10, false, -1, 1, Variant.BINARY, 1);
        int[] labels = KktAttack.candidateLabels(m, 2, Variant.BINARY);
        double[] x0 = random(7, m * d, -1, 1), l0 = random(8, m, 0.1, 1);
        Tensor x = Tensor.of(x0.clone(), m, d).requiresGrad(true), lam = Tensor.of(l0.clone(), m).requiresGrad(true);
        KktLoss loss = new KktLoss(net, labels, cfg);
        KktLoss.Terms terms = loss.evaluate(x, lam);
        List<Tensor> g = Autograd.grad(List.of(terms.total()), List.of(x, lam), null, false, false);

        double[] W = net.weight(0).toDoubleArray(), b = net.bias(0).toDoubleArray(), v = net.weight(1).toDoubleArray();
        double[][] z = new double[m][h], s = new double[m][h], sp = new double[m][h];
        double[] c = new double[m], y = new double[m];
        for (int j = 0; j < m; j++) {
            y[j] = labels[j] == 1 ? 1 : -1;
            c[j] = l0[j] * y[j] / m;
            for (int k = 0; k < h; k++) {
                double zz = b[k];
                for (int i = 0; i < d; i++) zz += W[k * d + i] * x0[j * d + i];
                z[j][k] = zz;
                s[j][k] = 1 / (1 + Math.exp(-ALPHA * zz));
                sp[j][k] = ALPHA * s[j][k] * (1 - s[j][k]);
            }
        }
        double[][] rW = new double[h][d];
        double[] rb = new double[h], rv = new double[h];
        double lstat = 0;
        for (int k = 0; k < h; k++) {
            rb[k] = b[k];
            rv[k] = v[k];
            for (int i = 0; i < d; i++) rW[k][i] = W[k * d + i];
            for (int j = 0; j < m; j++) {
                for (int i = 0; i < d; i++) rW[k][i] -= c[j] * v[k] * s[j][k] * x0[j * d + i];
                rb[k] -= c[j] * v[k] * s[j][k];
                rv[k] -= c[j] * Math.max(z[j][k], 0);
            }
            for (int i = 0; i < d; i++) lstat += rW[k][i] * rW[k][i];
            lstat += rb[k] * rb[k] + rv[k] * rv[k];
        }
        assertEquals(lstat, terms.stationarity(), 1e-12 * lstat);
        double[] gx = g.get(0).toDoubleArray(), gl = g.get(1).toDoubleArray();
        for (int j = 0; j < m; j++) {
            double[] want = new double[d];
            double wantLambda = 0;
            for (int k = 0; k < h; k++) {
                double rwx = 0;
                for (int i = 0; i < d; i++) rwx += rW[k][i] * x0[j * d + i];
                for (int i = 0; i < d; i++) {
                    want[i] += -2 * c[j] * (v[k] * s[j][k] * rW[k][i] + v[k] * sp[j][k] * rwx * W[k * d + i]
                            + v[k] * sp[j][k] * rb[k] * W[k * d + i] + s[j][k] * rv[k] * W[k * d + i]);
                }
                wantLambda += -(2 * y[j] / m) * (v[k] * s[j][k] * rwx + v[k] * s[j][k] * rb[k] + Math.max(z[j][k], 0) * rv[k]);
            }
            wantLambda += -10 * Math.max(0.3 - l0[j], 0); // d/dλ of 5·relu(λ_min − λ)²
            for (int i = 0; i < d; i++) assertEquals(want[i], gx[j * d + i], 1e-12 * (1 + Math.abs(want[i])), "dL/dx");
            assertEquals(wantLambda, gl[j], 1e-12 * (1 + Math.abs(wantLambda)), "dL/dλ");
        }
    }
}
