package org.imprint.attacks.provable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.imprint.models.Mlp;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;
import org.imprint.train.Loss;
import org.junit.jupiter.api.Test;

class UnivariateTrainingTest {
    @Test void gradientMatchesAutograd() {
        Rng rng = new Rng(5);
        UnivariateNetwork net = UnivariateTraining.initialise(30, rng);
        int n = 12;
        double[] x = new double[n], y = new double[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = -1 + 2 * rng.nextDouble();
            labels[i] = x[i] > 0.2 ? 1 : 0;
            y[i] = labels[i] == 1 ? 1 : -1;
        }
        Mlp m = net.toMlp();
        Tensor loss = Loss.LOGISTIC.compute(m.forward(Tensor.of(x.clone(), n, 1)), labels);
        loss.backward();
        List<Tensor> p = m.parameters();
        double[] gw = p.get(0).grad().toDoubleArray(), gb = p.get(1).grad().toDoubleArray(), gv = p.get(2).grad().toDoubleArray();
        double[][] mine = UnivariateTraining.gradient(net, x, y, false);
        double[][] normalized = UnivariateTraining.gradient(net, x, y, true);
        double l = loss.item();
        for (int j = 0; j < 30; j++) {
            assertEquals(gw[j], mine[0][j], 1e-14);
            assertEquals(gb[j], mine[1][j], 1e-14);
            assertEquals(gv[j], mine[2][j], 1e-14);
            assertEquals(gw[j] / l, normalized[0][j], 1e-12 * Math.max(1, Math.abs(gw[j] / l)));
            assertEquals(gv[j] / l, normalized[2][j], 1e-12 * Math.max(1, Math.abs(gv[j] / l)));
        }
    }

    @Test void normalizedGradientSurvivesUnderflowOfTheLoss() {
        // scale a fitted net so every margin is ~1000: L underflows, ∇L/L is still finite and points the same way
        UnivariateNetwork net = new UnivariateNetwork(new double[] {40, -40}, new double[] {0, 0}, new double[] {40, 40});
        double[] x = {0.5, 0.7, -0.6}, y = {1, 1, 1};
        double[][] g = UnivariateTraining.gradient(net, x, y, true);
        for (double[] row : g) for (double v : row) assertTrue(Double.isFinite(v));
        // only the point with the smallest margin (x = 0.5: q = 800) matters; its weight is ≈ 1 of the total
        assertEquals(-40 * 0.5, g[2][0], 1e-6);
        assertTrue(UnivariateTraining.logLoss(800) < -799);
    }

    @Test void shortTrainingFitsAndGrowsTheMargin() {
        Rng rng = new Rng(1);
        double[] x = new double[8], y = new double[8];
        for (int i = 0; i < 8; i++) {
            x[i] = -1 + 2 * (i + 0.5) / 8;
            y[i] = x[i] > 0 ? 1 : -1;
        }
        var c = new UnivariateTraining.Config(50, 0.05, 1e-2, 50_000, 0.03, 2000);
        var r = UnivariateTraining.train(UnivariateTraining.initialise(50, rng), x, y, c);
        assertTrue(r.fitted());
        assertEquals(2000, r.kktSteps());
        assertTrue(r.logLoss() < Math.log(1e-2), "log loss " + r.logLoss());
        assertTrue(r.minMargin() > 0);
    }
}
