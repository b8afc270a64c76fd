package org.imprint.attacks.reconstruction;

import java.util.List;
import java.util.function.UnaryOperator;
import org.imprint.models.Mlp;
import org.imprint.tensor.Autograd;
import org.imprint.tensor.DType;
import org.imprint.tensor.Tensor;

/**
 * The attack's objective for candidates X (m, d) and multipliers λ (m), exactly as Haim et al.'s
 * extraction.py (reconstruction.md §2):
 * <pre>
 *   L_stat  = Σ_{p ∈ all parameters} ‖θ_p − ∇_{θ_p} Σ_j out_j‖²,  out_j = λ_j·q_j(x_j)/m
 *   L_prior = Σ_{j, pixels} relu(x + s − hi)² + relu(lo − x − s)²    (box prior, optional; s = 0 or the mean)
 *   L_λ     = 5·Σ_j relu(λ_min − λ_j)²                                (not for regression)
 *   L       = L_stat + L_prior + L_λ
 * </pre>
 * where q_j is y_j·f(x_j) (binary, weight decay), f_{y_j}(x_j) − max_{k≠y_j} f_k(x_j) (multiclass) or f(x_j)
 * (regression). Inside the attack every ReLU derivative is σ(αz) (the forward stays exactly ReLU), also in
 * the second-order pass. θ is the victim's parameters, held fixed.
 */
public final class KktLoss implements AttackObjective {
    /** The value of each term (for logging) and the total, still differentiable w.r.t. X and λ. */
    public record Terms(Tensor total, double stationarity, double prior, double lambdaPenalty) {}

    private final Mlp victim;
    private final List<Tensor> theta;
    private final double thetaSquaredNorm;
    private final int[] labels;
    private final Tensor signs;      // y_j ∈ {−1, +1} for the binary variants
    private final Tensor runnerUpMask; // multiclass: 1 at the candidate's own class
    private final AttackConfig config;
    private final UnaryOperator<Tensor> activation;

    /**
     * @param victim the attacked model (its parameters must require grad; they are not changed)
     * @param labels the candidates' labels (class ids; 0/1 for binary)
     */
    public KktLoss(Mlp victim, int[] labels, AttackConfig config) {
        this(victim, labels, config, z -> z.smoothRelu(config.alpha()));
    }

    /** With another activation: tests use softplus_α, whose true derivatives are the smoothed rule's. */
    KktLoss(Mlp victim, int[] labels, AttackConfig config, UnaryOperator<Tensor> activation) {
        this.activation = activation;
        this.victim = victim;
        this.theta = victim.parameters();
        for (Tensor p : theta) if (!p.requiresGrad()) p.requiresGrad(true);
        double sq = 0;
        for (Tensor p : theta) for (int i = 0; i < p.size(); i++) sq += p.getFlat(i) * p.getFlat(i);
        this.thetaSquaredNorm = sq;
        this.labels = labels.clone();
        this.config = config;
        DType dtype = victim.dtype();
        double[] y = new double[labels.length];
        for (int j = 0; j < y.length; j++) y[j] = labels[j] == 1 ? 1 : -1;
        this.signs = Tensor.of(y, y.length).to(dtype);
        int c = victim.outputs();
        if (c > 1) {
            double[] mask = new double[labels.length * c];
            for (int j = 0; j < labels.length; j++) mask[j * c + labels[j]] = 1;
            this.runnerUpMask = Tensor.of(mask, labels.length, c).to(dtype);
        } else {
            this.runnerUpMask = null;
        }
    }

    @Override
    public double thetaSquaredNorm() {
        return thetaSquaredNorm;
    }

    /** q_j for every candidate (see the class comment), from outputs (m, C). */
    private Tensor margins(Tensor outputs) {
        return switch (config.variant()) {
            case BINARY, WEIGHT_DECAY, NAIVE -> outputs.reshape(-1).mul(signs);
            case REGRESSION -> outputs.reshape(-1);
            case MULTICLASS -> {
                Tensor own = outputs.takeAlongLastAxis(labels);
                Tensor others = Tensor.where(runnerUpMask, Tensor.full(outputs.dtype(), Double.NEGATIVE_INFINITY), outputs);
                yield own.sub(others.max(1, false));
            }
        };
    }

    @Override
    public Value evaluateWithGradients(Tensor x, Tensor lambda) {
        Terms terms = evaluate(x, lambda);
        List<Tensor> g = Autograd.grad(List.of(terms.total()), List.of(x, lambda), null, false, false);
        x.setGrad(g.get(0));
        lambda.setGrad(g.get(1));
        return new Value(terms.total().item(), terms.stationarity(), terms.prior(), terms.lambdaPenalty());
    }

    /** The loss and its terms at (X, λ). */
    public Terms evaluate(Tensor x, Tensor lambda) {
        int m = x.dim(0);
        Tensor outputs = victim.forward(x, activation);
        Tensor stat;
        Tensor total;
        if (config.variant() == Variant.NAIVE) {
            // −(mean_{y=+1} f − mean_{y=−1} f) = −mean over classes of y·f with per-class weights.
            int pos = 0;
            for (int l : labels) if (l == 1) pos++;
            double[] w = new double[m];
            for (int j = 0; j < m; j++) w[j] = labels[j] == 1 ? -1.0 / Math.max(pos, 1) : 1.0 / Math.max(m - pos, 1);
            stat = outputs.reshape(-1).mul(Tensor.of(w, m).to(outputs.dtype())).sum();
            total = stat;
        } else {
            Tensor out = lambda.mul(margins(outputs)).sum().mul(1.0 / m);
            List<Tensor> g = Autograd.grad(List.of(out), theta, null, true, true);
            Tensor acc = null;
            for (int k = 0; k < theta.size(); k++) {
                Tensor r = theta.get(k).detach().squaredDistance(g.get(k));
                acc = acc == null ? r : acc.add(r);
            }
            stat = acc;
            total = stat;
        }
        double priorValue = 0, lambdaValue = 0;
        if (config.boxPrior()) {
            Tensor boxed = config.boxShift() == null ? x : x.add(Tensor.of(config.boxShift().clone(), x.dim(1)).to(x.dtype()));
            Tensor prior = boxed.boxPenalty(config.boxLo(), config.boxHi());
            priorValue = prior.item();
            total = total.add(prior);
        }
        if (config.variant() != Variant.REGRESSION && config.variant() != Variant.NAIVE) {
            Tensor pen = lambda.neg().add(config.lambdaMin()).relu().square().sum().mul(5.0);
            lambdaValue = pen.item();
            total = total.add(pen);
        }
        return new Terms(total, stat.item(), priorValue, lambdaValue);
    }
}
