package org.imprint.attacks.provable;

import org.imprint.io.BadInputException;
import org.imprint.tensor.Rng;

/**
 * Long full-batch training of a univariate 2-layer net Φ(x) = Σ_j v_j σ(w_j x + b_j) on the logistic loss
 * L = (1/n) Σ_i log(1 + e^{−q_i}), q_i = y_i Φ(x_i), into the KKT regime (the research digest's protocol for the
 * 1-D attack, provable.md §6 item 6): plain gradient descent with step η₁ until L &lt; {@code fitLoss}, then
 * normalised gradient descent θ ← θ − η₂·∇L/L (Lyu &amp; Li 2020) for a fixed number of steps, whose margin keeps
 * growing like log t.
 *
 * <p>Written on plain arrays (the autograd engine's per-step overhead dominates at this size). ∇L/L is computed in
 * log space, −ℓ'(q_i)/Σ_k ℓ(q_k) = exp(−softplus(q_i) − logΣ_k exp(log ℓ(q_k))), so it stays exact after L itself
 * has underflowed (q ≈ 745 and beyond).
 */
public final class UnivariateTraining {
    private UnivariateTraining() {}

    /**
     * @param width        neurons k
     * @param fitLr        η₁ of the plain phase
     * @param fitLoss      the plain phase ends when L drops below this
     * @param maxFitSteps  budget of the plain phase
     * @param normalizedLr η₂ of the normalised phase
     * @param kktSteps     steps of the normalised phase
     */
    public record Config(int width, double fitLr, double fitLoss, long maxFitSteps, double normalizedLr, long kktSteps) {
        public static final Config DEFAULTS = new Config(1000, 0.05, 1e-2, 200_000, 0.03, 150_000);

        public Config {
            if (width < 1) throw new BadInputException("width must be >= 1, got " + width);
            if (!(fitLr > 0) || !(normalizedLr > 0) || !(fitLoss > 0)) throw new BadInputException("learning rates and the fit loss must be > 0");
            if (maxFitSteps < 0 || kktSteps < 0) throw new BadInputException("step budgets must be >= 0");
        }
    }

    /** How a run ended. {@code logLoss} = ln L (finite after L underflows). */
    public record Result(UnivariateNetwork network, long fitSteps, boolean fitted, long kktSteps, double logLoss,
                         double minMargin, double normalizedMargin) {}

    /** Initialisation of the digest: w, b ~ N(0, 1), v ~ N(0, 1/k), drawn in that order from {@code rng}. */
    public static UnivariateNetwork initialise(int width, Rng rng) {
        double[] w = new double[width], b = new double[width], v = new double[width];
        for (int j = 0; j < width; j++) w[j] = rng.nextGaussian();
        for (int j = 0; j < width; j++) b[j] = rng.nextGaussian();
        double s = 1 / Math.sqrt(width);
        for (int j = 0; j < width; j++) v[j] = s * rng.nextGaussian();
        return new UnivariateNetwork(w, b, v);
    }

    /** Trains a copy of {@code init} on (x_i, y_i ∈ {±1}). */
    public static Result train(UnivariateNetwork init, double[] x, double[] y, Config c) {
        double[] w = init.w().clone(), b = init.b().clone(), v = init.v().clone();
        Workspace ws = new Workspace(x.length, w.length);
        long fit = 0;
        boolean fitted = false;
        while (true) {
            double logL = step(w, b, v, x, y, ws, false, true);
            if (logL < Math.log(c.fitLoss())) {
                fitted = true;
                break;
            }
            if (fit >= c.maxFitSteps()) break;
            apply(w, b, v, ws, c.fitLr());
            fit++;
        }
        long kkt = 0;
        if (fitted) {
            double norm0 = squaredNorm(w, b, v);
            for (; kkt < c.kktSteps(); kkt++) {
                step(w, b, v, x, y, ws, true, true);
                apply(w, b, v, ws, c.normalizedLr() / Math.max(1, squaredNorm(w, b, v) / norm0));
            }
        }
        double logL = step(w, b, v, x, y, ws, false, false);
        double qMin = Double.POSITIVE_INFINITY, norm2 = 0;
        for (double q : ws.q) qMin = Math.min(qMin, q);
        for (int j = 0; j < w.length; j++) norm2 += w[j] * w[j] + b[j] * b[j] + v[j] * v[j];
        return new Result(new UnivariateNetwork(w, b, v), fit, fitted, kkt, logL, qMin, qMin / norm2);
    }

    private static final class Workspace {
        final double[] q, g, z, gw, gb, gv;

        Workspace(int n, int k) {
            q = new double[n];
            g = new double[n];
            z = new double[n * k];
            gw = new double[k];
            gb = new double[k];
            gv = new double[k];
        }
    }

    /** softplus(z) = log(1 + e^z), stably. */
    static double softplus(double z) {
        return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    }

    /** log ℓ(q) = log softplus(−q), stable for large q (where it is −q to within e^{−q}). */
    static double logLoss(double q) {
        return q > 30 ? -q + Math.log1p(-0.5 * Math.exp(-q)) : Math.log(softplus(-q));
    }

    /**
     * Forward pass, then (if {@code gradient}) the gradient of L (or of L/L-normalised) into the workspace.
     * Returns ln L.
     */
    static double step(double[] w, double[] b, double[] v, double[] x, double[] y, Workspace ws, boolean normalized, boolean gradient) {
        int n = x.length, k = w.length;
        double maxLog = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double f = 0, xi = x[i];
            int row = i * k;
            for (int j = 0; j < k; j++) {
                double zz = w[j] * xi + b[j];
                ws.z[row + j] = zz;
                if (zz > 0) f += v[j] * zz;
            }
            ws.q[i] = y[i] * f;
            maxLog = Math.max(maxLog, logLoss(ws.q[i]));
        }
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp(logLoss(ws.q[i]) - maxLog);
        double logSumLoss = maxLog + Math.log(sum); // ln Σ ℓ(q_i)
        double logL = logSumLoss - Math.log(n);
        if (!gradient) return logL;
        // coefficient of y_i ∂Φ(x_i)/∂θ in ∇L (or ∇L / L): ℓ'(q_i)/n = −σ(−q_i)/n, or −σ(−q_i)/Σ_k ℓ(q_k)
        for (int i = 0; i < n; i++) {
            double logSig = -softplus(ws.q[i]);
            ws.g[i] = normalized ? -Math.exp(logSig - logSumLoss) * y[i] : -Math.exp(logSig) / n * y[i];
        }
        for (int j = 0; j < k; j++) {
            double sv = 0, sw = 0, sb = 0;
            for (int i = 0; i < n; i++) {
                double zz = ws.z[i * k + j];
                if (zz > 0) {
                    double gi = ws.g[i];
                    sv += gi * zz;
                    sw += gi * x[i];
                    sb += gi;
                }
            }
            ws.gv[j] = sv;
            ws.gw[j] = v[j] * sw;
            ws.gb[j] = v[j] * sb;
        }
        return logL;
    }

    private static double squaredNorm(double[] w, double[] b, double[] v) {
        double s = 0;
        for (int j = 0; j < w.length; j++) s += w[j] * w[j] + b[j] * b[j] + v[j] * v[j];
        return s;
    }

    private static void apply(double[] w, double[] b, double[] v, Workspace ws, double lr) {
        for (int j = 0; j < w.length; j++) {
            w[j] -= lr * ws.gw[j];
            b[j] -= lr * ws.gb[j];
            v[j] -= lr * ws.gv[j];
        }
    }

    /** The gradient of L (or ∇L/L) at the given parameters, as {gw, gb, gv}; for tests. */
    static double[][] gradient(UnivariateNetwork net, double[] x, double[] y, boolean normalized) {
        Workspace ws = new Workspace(x.length, net.width());
        step(net.w(), net.b(), net.v(), x, y, ws, normalized, true);
        return new double[][] {ws.gw.clone(), ws.gb.clone(), ws.gv.clone()};
    }
}
