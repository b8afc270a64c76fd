package org.imprint.attacks.reconstruction;

import java.util.ArrayList;
import java.util.List;
import org.imprint.models.Mlp;
import org.imprint.optim.Sgd;
import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;

/**
 * One run of the reconstruction attack: candidates x_j ~ N(0, σ_x²), multipliers λ_j ~ U[0, 1] (N(0, 1) for
 * regression), labels fixed in advance (binary: first half class 0, second half class 1; multiclass: blocks
 * of m/C), then {@code iterations} steps of SGD with momentum 0.9 on the attack loss ({@link AttackObjective}),
 * with separate learning
 * rates for x and λ. A NaN or infinite loss stops the run cleanly ({@link Outcome#DIVERGED}); a run whose
 * relative stationarity residual L_stat/‖θ‖² is still above {@code abortResidual} at {@code abortAt}
 * iterations is abandoned as hopeless ({@link Outcome#ABORTED}).
 */
public final class KktAttack {
    public enum Outcome { COMPLETED, ABORTED, DIVERGED }

    /** A progress sample. */
    public record Step(int iteration, double loss, double stationarity, double prior, double lambdaPenalty) {}

    /** What a run leaves: its candidates (m, d), multipliers, labels, and how it went. */
    public record Result(AttackConfig config, Tensor candidates, double[] lambda, int[] labels, Outcome outcome,
                         int iterationsRun, Step last, List<Step> history) {
        /** Final stationarity residual relative to ‖θ‖² (lower is better); +∞ for a diverged run. */
        public double relativeResidual(double thetaSquaredNorm) {
            return outcome == Outcome.DIVERGED || last == null ? Double.POSITIVE_INFINITY : last.stationarity() / thetaSquaredNorm;
        }
    }

    /** Receives a sample every {@code every} iterations. */
    public interface Listener {
        void onStep(Step step);
    }

    private final Mlp victim;
    private final int numClasses;
    private final int abortAt;
    private final double abortResidual;

    /**
     * @param numClasses    classes of the victim (2 for one output)
     * @param abortAt       iteration at which hopeless runs are abandoned (0: never)
     * @param abortResidual the relative stationarity residual a run must be below at {@code abortAt}
     */
    public KktAttack(Mlp victim, int numClasses, int abortAt, double abortResidual) {
        this.victim = victim;
        this.numClasses = numClasses;
        this.abortAt = abortAt;
        this.abortResidual = abortResidual;
    }

    /** Candidate labels: binary half/half (class 0 first), multiclass in blocks of m/C, regression all 0. */
    public static int[] candidateLabels(int m, int numClasses, Variant variant) {
        int[] labels = new int[m];
        if (variant == Variant.REGRESSION) return labels;
        for (int j = 0; j < m; j++) labels[j] = Math.min(numClasses - 1, (int) ((long) j * numClasses / m));
        return labels;
    }

    public Result run(AttackConfig cfg, int logEvery, Listener listener) {
        DType dtype = victim.dtype();
        int m = cfg.candidates(), d = victim.inputs();
        Rng rng = new Rng(cfg.seed());
        Tensor x = Tensor.normal(dtype, rng, 0, cfg.sigmaX(), m, d).requiresGrad(true);
        Tensor lambda = (cfg.variant() == Variant.REGRESSION ? Tensor.normal(dtype, rng, 0, 1, m)
                                                              : Tensor.uniform(dtype, rng, 0, 1, m)).requiresGrad(true);
        int[] labels = candidateLabels(m, numClasses, cfg.variant());
        AttackObjective loss = AttackObjective.of(victim, labels, cfg); // by hand in float64, the graph otherwise
        Sgd optX = new Sgd(List.of(x), cfg.lrX(), 0.9, 0, 0, false);
        Sgd optLambda = new Sgd(List.of(lambda), cfg.lrLambda(), 0.9, 0, 0, false);
        List<Step> history = new ArrayList<>();
        Step last = null;
        Outcome outcome = Outcome.COMPLETED;
        int it = 0;
        for (; it <= cfg.iterations(); it++) {
            AttackObjective.Value v = loss.evaluateWithGradients(x, lambda);
            double value = v.total();
            Step step = new Step(it, value, v.stationarity(), v.prior(), v.lambdaPenalty());
            if (!Double.isFinite(value)) {
                outcome = Outcome.DIVERGED;
                history.add(step);
                break;
            }
            last = step;
            if (it % logEvery == 0 || it == cfg.iterations()) {
                history.add(step);
                if (listener != null) listener.onStep(step);
            }
            if (abortAt > 0 && it == abortAt && v.stationarity() / loss.thetaSquaredNorm() > abortResidual) {
                outcome = Outcome.ABORTED;
                break;
            }
            if (it == cfg.iterations()) break;
            optX.step();
            if (cfg.variant() != Variant.NAIVE) optLambda.step();
            if (cfg.variant() == Variant.WEIGHT_DECAY) { // every sample has μ_i > 0: project λ onto λ ≥ 0
                double[] l = lambda.toDoubleArray();
                for (int j = 0; j < l.length; j++) if (l[j] < 0) l[j] = 0;
                lambda.copy_(Tensor.of(l, l.length));
            }
        }
        return new Result(cfg, x.detach().copy(), lambda.toDoubleArray(), labels, outcome, Math.min(it, cfg.iterations()), last, history);
    }
}
