package org.imprint.linalg;

/**
 * Non-negative least squares: x = argmin_{x ≥ 0} ‖A x − b‖₂ by the Lawson–Hanson active-set method.
 *
 * <p><b>Tall problems.</b> When m &gt; n + 1 (e.g. A = J of 10⁶×200), A is first compressed once: the QR of the
 * augmented matrix [A | b] (R only, Q never formed) gives an (n+1)×(n+1) upper-triangular R with
 * ‖A x − b‖² = ‖R₁₁ x − r₁₂‖² + r₂₂² for all x, so the active-set iterations run on the n×n triangle R₁₁ and never
 * touch the m rows again. This costs one O(m n²) factorization and one m×(n+1) copy (column-major, in native memory
 * on the native backend), and keeps the conditioning of
 * A: the alternative of working on the Gram matrix AᵀA (cheaper in memory, one GEMM) squares the condition number,
 * so that columns whose singular values are below √ε·σ_max become indistinguishable from zero.
 *
 * <p><b>Iterations.</b> Each outer step moves the index with the largest positive gradient component
 * w = Aᵀ(b − A x) into the passive set P and solves the unconstrained least squares on the columns in P (Householder
 * QR; columns whose pivot is below 1e3·ε·‖A‖ are left at zero, which handles rank-deficient A); inner steps
 * interpolate back into the feasible set when a component becomes ≤ 0. The method stops when no w_j with j ∉ P
 * exceeds the tolerance, or after the maximum number of least-squares solves.
 *
 * <p>Defaults: tolerance = 10·ε·‖A‖₁·max(m, n) (the MATLAB {@code lsqnonneg} choice; ‖A‖₁ is the largest column
 * sum), maximum iterations = 3·n (as SciPy).
 */
public final class Nnls {
    private static final double EPS = Math.ulp(1.0);

    private Nnls() {}

    /**
     * @param x the solution (n), all ≥ 0
     * @param residualNorm ‖A x − b‖₂
     * @param iterations the number of least-squares subproblems solved
     * @param converged false when the iteration limit stopped the method before the optimality test passed
     */
    public record Result(double[] x, double residualNorm, int iterations, boolean converged) {}

    /** {@link #solve(double[], int, int, double[], double, int, Backend)} with the default tolerance and limit. */
    public static Result solve(double[] a, int m, int n, double[] b) {
        return solve(a, m, n, b, -1.0, -1, Backend.AUTO);
    }

    /**
     * Solves min_{x ≥ 0} ‖A x − b‖₂.
     * @param a m×n row-major, finite. Not modified.
     * @param b m values, finite. Not modified.
     * @param tolerance the optimality tolerance on the gradient; negative for the default
     * @param maxIterations the limit on least-squares solves; negative for the default 3·n
     * @param backend where the compression of a tall A runs
     */
    public static Result solve(double[] a, int m, int n, double[] b, double tolerance, int maxIterations,
                               Backend backend) {
        Checks.matrix("nnls", "A", a, m, n);
        Checks.matrix("nnls", "b", b, m, 1);
        if (Double.isNaN(tolerance) || Double.isInfinite(tolerance)) {
            throw new IllegalArgumentException("nnls: tolerance must be finite, got " + tolerance);
        }
        double columnSum = 0.0;
        for (int j = 0; j < n; j++) {
            double sum = 0.0;
            for (int i = 0; i < m; i++) sum += Math.abs(a[i * n + j]);
            columnSum = Math.max(columnSum, sum);
        }
        double tol = tolerance >= 0 ? tolerance : 10.0 * EPS * columnSum * Math.max(m, n);
        int limit = maxIterations >= 0 ? maxIterations : 3 * n;

        double[] matrix = a;
        double[] rhs = b;
        int rows = m;
        double discarded = 0.0;  // the part of ‖A x − b‖² that no x can change, after compression
        if (m > n + 1) {
            double[] r = Qr.rOfAugmented(a, m, n, b, backend);
            matrix = new double[n * n];
            rhs = new double[n];
            for (int i = 0; i < n; i++) {
                System.arraycopy(r, i * (n + 1), matrix, i * n, n);
                rhs[i] = r[i * (n + 1) + n];
            }
            discarded = r[n * (n + 1) + n] * r[n * (n + 1) + n];
            rows = n;
        }
        return activeSet(matrix, rows, n, rhs, tol, limit, discarded, JavaDense.maxAbs(a));
    }

    private static Result activeSet(double[] a, int m, int n, double[] b, double tol, int limit, double discarded,
                                    double scale) {
        double[] x = new double[n];
        boolean[] passive = new boolean[n];
        boolean[] excluded = new boolean[n];  // rejected since x last changed (dependent columns)
        double[] w = gradient(a, m, n, b, x);
        int iterations = 0;
        boolean converged = false;
        while (true) {
            int t = -1;
            for (int j = 0; j < n; j++) {
                if (!passive[j] && !excluded[j] && w[j] > tol && (t < 0 || w[j] > w[t])) t = j;
            }
            if (t < 0) {
                converged = true;
                break;
            }
            if (iterations >= limit) break;
            passive[t] = true;
            boolean first = true;
            while (true) {
                double[] z = solvePassive(a, m, n, b, passive, scale);
                iterations++;
                if (first && z[t] <= 0.0) {
                    passive[t] = false;   // the new column adds nothing independent: reject it for now
                    excluded[t] = true;
                    break;
                }
                first = false;
                double alpha = 2.0;
                for (int j = 0; j < n; j++) {
                    if (passive[j] && z[j] <= 0.0) alpha = Math.min(alpha, x[j] / (x[j] - z[j]));
                }
                if (alpha == 2.0) {
                    System.arraycopy(z, 0, x, 0, n);
                    java.util.Arrays.fill(excluded, false);
                    break;
                }
                for (int j = 0; j < n; j++) {
                    if (!passive[j]) continue;
                    x[j] += alpha * (z[j] - x[j]);
                    if (x[j] <= 0.0 || z[j] <= 0.0 && x[j] <= tol) {
                        x[j] = 0.0;
                        passive[j] = false;
                    }
                }
                java.util.Arrays.fill(excluded, false);
                if (iterations >= limit) break;
            }
            w = gradient(a, m, n, b, x);
        }
        double[] residual = residual(a, m, n, b, x);
        double norm = Math.sqrt(JavaDense.dot(residual, residual) + discarded);
        return new Result(x, norm, iterations, converged);
    }

    /** w = Aᵀ(b − A x). */
    private static double[] gradient(double[] a, int m, int n, double[] b, double[] x) {
        double[] residual = residual(a, m, n, b, x);
        double[] w = new double[n];
        for (int i = 0; i < m; i++) {
            double ri = residual[i];
            for (int j = 0; j < n; j++) w[j] += a[i * n + j] * ri;
        }
        return w;
    }

    private static double[] residual(double[] a, int m, int n, double[] b, double[] x) {
        double[] residual = b.clone();
        for (int i = 0; i < m; i++) {
            double sum = 0.0;
            for (int j = 0; j < n; j++) sum += a[i * n + j] * x[j];
            residual[i] -= sum;
        }
        return residual;
    }

    /**
     * Unconstrained least squares on the passive columns (Householder QR, back substitution); components outside P
     * are 0, and so are those whose R pivot is negligible (linearly dependent columns).
     */
    private static double[] solvePassive(double[] a, int m, int n, double[] b, boolean[] passive, double scale) {
        int p = 0;
        for (boolean in : passive) if (in) p++;
        int[] columns = new int[p];
        for (int j = 0, c = 0; j < n; j++) if (passive[j]) columns[c++] = j;
        double[][] cols = new double[p][m];   // cols[c] = column columns[c] of A
        for (int c = 0; c < p; c++) for (int i = 0; i < m; i++) cols[c][i] = a[i * n + columns[c]];
        double[] y = b.clone();
        int steps = Math.min(m, p);
        double[] diag = new double[p];
        for (int j = 0; j < steps; j++) {
            double[] col = cols[j];
            double norm = 0.0;
            for (int i = j; i < m; i++) norm += col[i] * col[i];
            norm = Math.sqrt(norm);
            if (norm == 0.0) continue;
            double alpha = col[j];
            double beta = -Math.copySign(norm, alpha);
            double tau = (beta - alpha) / beta;
            double inv = 1.0 / (alpha - beta);
            for (int i = j + 1; i < m; i++) col[i] *= inv;
            col[j] = beta;
            diag[j] = beta;
            for (int l = j + 1; l < p; l++) reflect(col, tau, j, cols[l], m);
            reflect(col, tau, j, y, m);
        }
        double negligible = 1e3 * EPS * scale * Math.max(1, Math.max(m, n));
        double[] zp = new double[p];
        for (int j = Math.min(steps, p) - 1; j >= 0; j--) {
            if (Math.abs(diag[j]) <= negligible) continue;
            double sum = y[j];
            for (int l = j + 1; l < p; l++) sum -= cols[l][j] * zp[l];
            zp[j] = sum / diag[j];
        }
        double[] z = new double[n];
        for (int c = 0; c < p; c++) z[columns[c]] = zp[c];
        return z;
    }

    private static void reflect(double[] v, double tau, int j, double[] x, int m) {
        double dot = x[j];
        for (int i = j + 1; i < m; i++) dot += v[i] * x[i];
        dot *= tau;
        x[j] -= dot;
        for (int i = j + 1; i < m; i++) x[i] -= dot * v[i];
    }
}
