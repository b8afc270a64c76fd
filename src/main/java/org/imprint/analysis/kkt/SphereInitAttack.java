package org.imprint.analysis.kkt;

import java.util.List;
import org.imprint.attacks.reconstruction.AttackConfig;
import org.imprint.attacks.reconstruction.KktAttack;
import org.imprint.attacks.reconstruction.AttackObjective;
import org.imprint.attacks.reconstruction.KktLoss;
import org.imprint.attacks.reconstruction.Variant;
import org.imprint.models.Mlp;
import org.imprint.optim.Sgd;
import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;

/**
 * The reconstruction attack (Haim et al. 2022, {@link KktLoss}) with the candidates initialised uniformly on the
 * sphere of radius r (x_j = r·g/‖g‖, g ~ N(0, I)) instead of N(0, σ_x²), as in the synthetic experiment of Refael
 * et al. (2025, §5): everything else as {@link KktAttack} (λ_j ~ U[0, 1], labels half/half, SGD with momentum 0.9
 * and separate learning rates for x and λ). A NaN loss ends the run early.
 */
public final class SphereInitAttack {
    private SphereInitAttack() {}

    /** The final candidates (m, d), multipliers, labels, and the last loss and its stationarity term. */
    public record Result(double[] candidates, int m, double[] lambda, int[] labels, double loss, double stationarity,
                         boolean diverged) {}

    public static Result run(Mlp victim, AttackConfig cfg, double radius) {
        if (cfg.variant() != Variant.BINARY) throw new IllegalArgumentException("the sphere-initialised attack is for binary victims");
        int m = cfg.candidates(), d = victim.inputs();
        Rng rng = new Rng(cfg.seed());
        double[] init = new double[m * d];
        for (int j = 0; j < m; j++) {
            double ss = 0;
            for (int p = 0; p < d; p++) {
                double g = rng.nextGaussian();
                init[j * d + p] = g;
                ss += g * g;
            }
            double s = radius / Math.sqrt(ss);
            for (int p = 0; p < d; p++) init[j * d + p] *= s;
        }
        DType dtype = victim.dtype();
        Tensor x = Tensor.of(init, m, d).to(dtype).requiresGrad(true);
        Tensor lambda = Tensor.uniform(dtype, rng, 0, 1, m).requiresGrad(true);
        int[] labels = KktAttack.candidateLabels(m, 2, Variant.BINARY);
        AttackObjective loss = AttackObjective.of(victim, labels, cfg);
        Sgd optX = new Sgd(List.of(x), cfg.lrX(), 0.9, 0, 0, false);
        Sgd optLambda = new Sgd(List.of(lambda), cfg.lrLambda(), 0.9, 0, 0, false);
        double value = Double.NaN, stat = Double.NaN;
        for (int it = 0; it <= cfg.iterations(); it++) {
            AttackObjective.Value terms = loss.evaluateWithGradients(x, lambda);
            double v = terms.total();
            if (!Double.isFinite(v)) return new Result(x.detach().toDoubleArray(), m, lambda.toDoubleArray(), labels, v, terms.stationarity(), true);
            value = v;
            stat = terms.stationarity();
            if (it == cfg.iterations()) break;
            optX.step();
            optLambda.step();
        }
        return new Result(x.detach().toDoubleArray(), m, lambda.toDoubleArray(), labels, value, stat, false);
    }

    /** Each candidate's distance to its nearest training point, sorted ascending. */
    public static double[] sortedNearestDistances(double[] candidates, int m, double[] train, int n, int d) {
        double[] dist = NonIdentifiability.nearestDistances(candidates, m, train, n, d);
        java.util.Arrays.sort(dist);
        return dist;
    }

    /** Mean of the k smallest of the sorted distances ("top-k reconstructions", the paper reports k = 5). */
    public static double meanOfSmallest(double[] sorted, int k) {
        int kk = Math.min(k, sorted.length);
        double s = 0;
        for (int i = 0; i < kk; i++) s += sorted[i];
        return s / Math.max(kk, 1);
    }
}
