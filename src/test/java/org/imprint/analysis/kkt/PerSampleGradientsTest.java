package org.imprint.analysis.kkt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.imprint.linalg.Nnls;
import org.imprint.models.Mlp;
import org.imprint.tensor.Autograd;
import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The factored per-sample gradients against the autograd engine, and the Gram-form NNLS against the explicit-J NNLS. */
class PerSampleGradientsTest {
    static Mlp net(long seed, int... widths) {
        return Mlp.initialise(widths, Mlp.BiasMode.FIRST, Mlp.InitDistribution.PYTORCH_UNIFORM, new double[] {1.0}, new Rng(seed), DType.F64);
    }

    static double[] gaussian(long seed, int count) {
        Rng rng = new Rng(seed);
        double[] v = new double[count];
        for (int i = 0; i < count; i++) v[i] = rng.nextGaussian();
        return v;
    }

    /** ∇_θ f(x_i) by autograd, flattened in parameter order: the columns of J. */
    static double[][] autogradColumns(Mlp model, double[] x, int n) {
        int d = model.inputs();
        double[][] cols = new double[n][];
        for (int i = 0; i < n; i++) {
            double[] row = java.util.Arrays.copyOfRange(x, i * d, (i + 1) * d);
            Tensor out = model.forward(Tensor.of(row, 1, d)).sum();
            List<Tensor> g = Autograd.grad(out, model.parameters(), false);
            List<Double> flat = new ArrayList<>();
            for (Tensor t : g) for (double v : t.toDoubleArray()) flat.add(v);
            cols[i] = flat.stream().mapToDouble(Double::doubleValue).toArray();
        }
        return cols;
    }

    @Test void gramThetaDotCombinationAndInputGradientsMatchAutograd() {
        Mlp model = net(3, 6, 9, 7, 1);
        int n = 5, d = 6;
        double[] x = gaussian(4, n * d);
        PerSampleGradients g = new PerSampleGradients(model, x, n);
        double[][] cols = autogradColumns(model, x, n);
        double[] theta = new double[cols[0].length];
        int at = 0;
        for (Tensor p : model.parameters()) for (double v : p.toDoubleArray()) theta[at++] = v;
        double[] gram = g.gram(), td = g.thetaDotGradients();
        for (int i = 0; i < n; i++) {
            double dot = 0;
            for (int k = 0; k < theta.length; k++) dot += theta[k] * cols[i][k];
            assertEquals(dot, td[i], 1e-12 * (1 + Math.abs(dot)));
            for (int j = 0; j < n; j++) {
                double gij = 0;
                for (int k = 0; k < theta.length; k++) gij += cols[i][k] * cols[j][k];
                assertEquals(gij, gram[i * n + j], 1e-12 * (1 + Math.abs(gij)), "gram " + i + "," + j);
            }
        }
        double[] c = {0.3, -1.2, 0.7, 2.0, -0.1};
        List<double[]> comb = g.combination(c);
        at = 0;
        for (double[] part : comb) {
            for (double v : part) {
                double ref = 0;
                for (int i = 0; i < n; i++) ref += c[i] * cols[i][at];
                assertEquals(ref, v, 1e-12 * (1 + Math.abs(ref)));
                at++;
            }
        }
        assertEquals(theta.length, at);
        Tensor xt = Tensor.of(x.clone(), n, d).requiresGrad(true);
        Tensor gx = Autograd.grad(model.forward(xt).sum(), List.of(xt), false).get(0);
        double[] mine = g.inputGradients(), ref = gx.toDoubleArray();
        for (int k = 0; k < ref.length; k++) assertEquals(ref[k], mine[k], 1e-12);
    }

    @Test void gramFormNnlsAgreesWithExplicitJacobianNnls() {
        Mlp model = net(7, 5, 6, 1);
        int n = 8, d = 5;
        double[] x = gaussian(8, n * d);
        int[] labels = {0, 1, 0, 1, 1, 0, 1, 0};
        double[] y = TrueDataKkt.signs(labels);
        TrueDataKkt.Fit fit = TrueDataKkt.fit(new PerSampleGradients(model, x, n), y);
        double[][] cols = autogradColumns(model, x, n);
        int p = cols[0].length;
        double[] a = new double[p * n], theta = new double[p];
        for (int k = 0; k < p; k++) for (int i = 0; i < n; i++) a[k * n + i] = y[i] * cols[i][k];
        int at = 0;
        for (Tensor t : model.parameters()) for (double v : t.toDoubleArray()) theta[at++] = v;
        Nnls.Result ref = Nnls.solve(a, p, n, theta);
        assertTrue(fit.converged());
        assertEquals(ref.residualNorm(), fit.residual(), 1e-9 * ref.residualNorm());
        for (int i = 0; i < n; i++) assertEquals(ref.x()[i], fit.lambda()[i], 1e-6 * (1 + Math.abs(ref.x()[i])), "λ_" + i);
    }
}
