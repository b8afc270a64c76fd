package org.imprint.analysis.kkt;

import org.imprint.linalg.Eigh;
import org.imprint.linalg.Nnls;

/**
 * How close a model is to a KKT point of min ½‖θ‖² s.t. y_i f(θ; x_i) ≥ 1 on its own training data:
 * r* = min over λ ≥ 0 of ‖θ − Σ_i λ_i y_i ∇_θ f(θ; x_i)‖ (the "true-data KKT residual" that the reviews of
 * Refael et al. 2025 asked for; reconstruction.md §3).
 *
 * <p><b>Gram form.</b> With A = J·diag(y) (P×n, never formed), ‖θ − Aλ‖² = ‖θ‖² − 2λᵀAᵀθ + λᵀAᵀAλ. AᵀA = Y(JᵀJ)Y
 * and Aᵀθ = Y(Jᵀθ) come from {@link PerSampleGradients} in closed form. With the eigendecomposition AᵀA = VSVᵀ
 * (eigenvalues below n·ε·s_max dropped) set R = S^{1/2}Vᵀ and b = S^{−1/2}VᵀAᵀθ: then ‖θ − Aλ‖² = ‖Rλ − b‖² +
 * (‖θ‖² − ‖b‖²) for every λ, because Aᵀθ lies in the range of AᵀA. The n×n NNLS on (R, b) is solved by
 * {@link Nnls} (Lawson–Hanson). The Gram form squares the condition number of A, so λ* is accurate to about
 * √ε relative in ill-conditioned directions; the residual r* reported is therefore recomputed directly as
 * ‖θ − Aλ*‖ parameter by parameter ({@link PerSampleGradients#stationarityResidual}), which involves no
 * cancellation of squared norms.
 */
public final class TrueDataKkt {
    private TrueDataKkt() {}

    /**
     * @param lambda      λ* ≥ 0 (n)
     * @param residual    r* = ‖θ − Σ λ*_i y_i ∇_θ f(x_i)‖, recomputed directly
     * @param relative    r* / ‖θ‖
     * @param gramRank    eigenvalues of AᵀA kept
     * @param converged   whether the NNLS optimality test passed
     */
    public record Fit(double[] lambda, double residual, double relative, int gramRank, boolean converged) {}

    /** y_i ∈ {−1, +1} from labels 0/1. */
    public static double[] signs(int[] labels) {
        double[] y = new double[labels.length];
        for (int i = 0; i < y.length; i++) y[i] = labels[i] == 1 ? 1 : -1;
        return y;
    }

    public static Fit fit(PerSampleGradients g, double[] y) {
        int n = g.n();
        double[] gram = g.gram(), c = g.thetaDotGradients();
        double[] m = new double[n * n], b0 = new double[n];
        for (int i = 0; i < n; i++) {
            b0[i] = y[i] * c[i];
            for (int j = 0; j < n; j++) m[i * n + j] = y[i] * y[j] * gram[i * n + j];
        }
        Eigh.Result e = Eigh.decompose(m, n);
        double sMax = 0;
        for (double v : e.values()) sMax = Math.max(sMax, v);
        double tol = n * Math.ulp(1.0) * sMax;
        int rank = 0;
        for (double v : e.values()) if (v > tol) rank++;
        double[] r = new double[Math.max(rank, 1) * n], b = new double[Math.max(rank, 1)];
        int row = 0;
        for (int k = 0; k < n; k++) {
            double s = e.values()[k];
            if (!(s > tol)) continue;
            double root = Math.sqrt(s), proj = 0;
            for (int i = 0; i < n; i++) {
                double v = e.vectors()[i * n + k];   // column k is the k-th eigenvector
                r[row * n + i] = root * v;
                proj += v * b0[i];
            }
            b[row] = proj / root;
            row++;
        }
        double[] lambda;
        boolean converged;
        if (rank == 0) {
            lambda = new double[n];
            converged = true;
        } else {
            Nnls.Result res = Nnls.solve(r, rank, n, b);
            lambda = res.x();
            converged = res.converged();
        }
        double[] coeff = new double[n];
        for (int i = 0; i < n; i++) coeff[i] = lambda[i] * y[i];
        double residual = g.stationarityResidual(coeff);
        return new Fit(lambda, residual, residual / Math.sqrt(g.thetaSquaredNorm()), rank, converged);
    }
}
