package org.imprint.linalg;

/**
 * The pure-Java factorizations behind {@link Backend#JAVA}, all in float64 on row-major arrays. Every routine first
 * scales its input by 1/max|a| (and scales the result back), so values near the underflow or overflow limits
 * (1e-300, 1e300) factor as accurately as values near 1.
 */
final class JavaDense {
    private static final double EPS = Math.ulp(1.0);
    private static final int MAX_SWEEPS = 80;

    private JavaDense() {}

    /** Thin Householder QR: {@code {q (m×k) or null, r (k×n)}}, k = min(m, n). */
    static double[][] qr(double[] a, int m, int n, boolean wantQ) {
        int k = Math.min(m, n);
        double scale = maxAbs(a);
        double[] r = new double[k * n];
        double[] q = wantQ ? new double[m * k] : null;
        if (scale == 0.0) {
            if (wantQ) for (int i = 0; i < k; i++) q[i * k + i] = 1.0;
            return new double[][] {q, r};
        }
        // w[j][i] = A[i][j] / scale: column j of A is the contiguous row j of w.
        double[][] w = transposeScaled(a, m, n, 1.0 / scale);
        double[] tau = new double[k];
        for (int j = 0; j < k; j++) {
            double[] col = w[j];
            double norm = 0.0;
            for (int i = j; i < m; i++) norm += col[i] * col[i];
            norm = Math.sqrt(norm);
            if (norm == 0.0) continue;
            double alpha = col[j];
            double beta = -Math.copySign(norm, alpha);
            tau[j] = (beta - alpha) / beta;
            double inv = 1.0 / (alpha - beta);
            for (int i = j + 1; i < m; i++) col[i] *= inv;
            col[j] = beta;
            for (int l = j + 1; l < n; l++) applyReflector(col, tau[j], j, w[l], m);
        }
        for (int i = 0; i < k; i++) for (int l = i; l < n; l++) r[i * n + l] = w[l][i] * scale;
        if (wantQ) {
            double[][] qt = new double[k][m];  // qt[c] = column c of Q
            for (int c = 0; c < k; c++) {
                qt[c][c] = 1.0;
                for (int j = Math.min(c, k - 1); j >= 0; j--) applyReflector(w[j], tau[j], j, qt[c], m);
            }
            for (int i = 0; i < m; i++) for (int c = 0; c < k; c++) q[i * k + c] = qt[c][i];
        }
        return new double[][] {q, r};
    }

    /** x := (I − tau·v·vᵀ)·x with v = (1, reflector[j+1..m-1]) placed at rows j..m-1. */
    private static void applyReflector(double[] reflector, double tau, int j, double[] x, int m) {
        if (tau == 0.0) return;
        double dot = x[j];
        for (int i = j + 1; i < m; i++) dot += reflector[i] * x[i];
        dot *= tau;
        x[j] -= dot;
        for (int i = j + 1; i < m; i++) x[i] -= dot * reflector[i];
    }

    /** Thin SVD by one-sided Jacobi (after a QR when m > n): {@code {u (m×k), s (k), vt (k×n)}}. */
    static double[][] svd(double[] a, int m, int n) {
        if (m < n) {
            double[][] t = svd(transpose(a, m, n), n, m);
            return new double[][] {transpose(t[2], m, m), t[1], transpose(t[0], n, m)};
        }
        int k = n;
        double scale = maxAbs(a);
        if (scale == 0.0) {
            double[] u = new double[m * k];
            double[] vt = new double[k * n];
            for (int i = 0; i < k; i++) {
                u[i * k + i] = 1.0;
                vt[i * n + i] = 1.0;
            }
            return new double[][] {u, new double[k], vt};
        }
        double[] q = null;
        double[] b = a;
        int rows = m;
        if (m > n) {
            double[][] qr = qr(a, m, n, true);
            q = qr[0];
            b = qr[1];
            rows = n;
        }
        double[][] w = transposeScaled(b, rows, n, 1.0 / scale);  // w[j] = column j of B
        double[][] v = new double[n][n];                           // v[j] = column j of V
        for (int j = 0; j < n; j++) v[j][j] = 1.0;
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            boolean rotated = false;
            for (int i = 0; i < n - 1; i++) {
                for (int j = i + 1; j < n; j++) {
                    double alpha = dot(w[i], w[i]);
                    double beta = dot(w[j], w[j]);
                    double gamma = dot(w[i], w[j]);
                    if (gamma == 0.0 || Math.abs(gamma) <= EPS * Math.sqrt(alpha * beta)) continue;
                    rotated = true;
                    double zeta = (beta - alpha) / (2.0 * gamma);
                    double t = Math.signum(zeta) / (Math.abs(zeta) + Math.sqrt(1.0 + zeta * zeta));
                    if (zeta == 0.0) t = 1.0;
                    double c = 1.0 / Math.sqrt(1.0 + t * t);
                    double s = c * t;
                    rotate(w[i], w[j], c, s);
                    rotate(v[i], v[j], c, s);
                }
            }
            if (!rotated) break;
        }
        double[] sigma = new double[n];
        for (int j = 0; j < n; j++) sigma[j] = Math.sqrt(dot(w[j], w[j]));
        Integer[] order = new Integer[n];
        for (int j = 0; j < n; j++) order[j] = j;
        java.util.Arrays.sort(order, (x, y) -> Double.compare(sigma[y], sigma[x]));
        double[][] ub = new double[k][];   // columns of U of B, orthonormal
        double[] s = new double[k];
        double[] vt = new double[k * n];
        for (int c = 0; c < k; c++) {
            int j = order[c];
            s[c] = sigma[j] * scale;
            System.arraycopy(v[j], 0, vt, c * n, n);
            if (sigma[j] > 1e-280) {
                ub[c] = new double[rows];
                for (int i = 0; i < rows; i++) ub[c][i] = w[j][i] / sigma[j];
            }
        }
        completeOrthonormal(ub, rows);
        double[] u = new double[m * k];
        if (q == null) {
            for (int i = 0; i < m; i++) for (int c = 0; c < k; c++) u[i * k + c] = ub[c][i];
        } else {
            for (int i = 0; i < m; i++) {
                for (int c = 0; c < k; c++) {
                    double sum = 0.0;
                    for (int p = 0; p < n; p++) sum += q[i * k + p] * ub[c][p];
                    u[i * k + c] = sum;
                }
            }
        }
        return new double[][] {u, s, vt};
    }

    /** Symmetric eigendecomposition by cyclic Jacobi on the lower triangle: {@code {values ascending, vectors (columns)}}. */
    static double[][] eigh(double[] a, int n) {
        double scale = maxAbs(a);
        double[][] s = new double[n][n];
        double inv = scale == 0.0 ? 1.0 : 1.0 / scale;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                s[i][j] = a[i * n + j] * inv;
                s[j][i] = s[i][j];
            }
        }
        double[][] v = new double[n][n];  // v[r][c]: row r of the eigenvector matrix
        for (int i = 0; i < n; i++) v[i][i] = 1.0;
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            boolean rotated = false;
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = s[p][q];
                    if (Math.abs(apq) <= 1e-300 || Math.abs(apq) <= EPS * Math.sqrt(Math.abs(s[p][p] * s[q][q]))) {
                        continue;
                    }
                    rotated = true;
                    double theta = (s[q][q] - s[p][p]) / (2.0 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1.0));
                    if (theta == 0.0) t = 1.0;
                    double c = 1.0 / Math.sqrt(t * t + 1.0);
                    double sn = t * c;
                    for (int r = 0; r < n; r++) {
                        double g = s[r][p];
                        double h = s[r][q];
                        s[r][p] = c * g - sn * h;
                        s[r][q] = sn * g + c * h;
                    }
                    rotate(s[p], s[q], c, sn);
                    s[p][q] = 0.0;
                    s[q][p] = 0.0;
                    for (int r = 0; r < n; r++) {
                        double g = v[r][p];
                        double h = v[r][q];
                        v[r][p] = c * g - sn * h;
                        v[r][q] = sn * g + c * h;
                    }
                }
            }
            if (!rotated) break;
        }
        Integer[] order = new Integer[n];
        for (int j = 0; j < n; j++) order[j] = j;
        java.util.Arrays.sort(order, (x, y) -> Double.compare(s[x][x], s[y][y]));
        double[] values = new double[n];
        double[] vectors = new double[n * n];
        for (int c = 0; c < n; c++) {
            int j = order[c];
            values[c] = s[j][j] * scale;
            for (int r = 0; r < n; r++) vectors[r * n + c] = v[r][j];
        }
        return new double[][] {values, vectors};
    }

    /**
     * Solves A X = B (A n×n, B n×r) by LU with partial pivoting; throws {@link ArithmeticException} when a pivot is
     * exactly zero (A singular).
     */
    static double[] solve(double[] a, int n, double[] b, int r) {
        double[] lu = a.clone();
        double[] x = b.clone();
        for (int j = 0; j < n; j++) {
            int pivot = j;
            for (int i = j + 1; i < n; i++) if (Math.abs(lu[i * n + j]) > Math.abs(lu[pivot * n + j])) pivot = i;
            if (lu[pivot * n + j] == 0.0) {
                throw new ArithmeticException("matrix is singular: pivot " + (j + 1) + " of " + n + " is exactly zero");
            }
            if (pivot != j) {
                swapRows(lu, n, pivot, j);
                swapRows(x, r, pivot, j);
            }
            double d = lu[j * n + j];
            for (int i = j + 1; i < n; i++) {
                double f = lu[i * n + j] / d;
                if (f == 0.0) continue;
                for (int l = j + 1; l < n; l++) lu[i * n + l] -= f * lu[j * n + l];
                for (int l = 0; l < r; l++) x[i * r + l] -= f * x[j * r + l];
            }
        }
        for (int j = n - 1; j >= 0; j--) {
            double d = lu[j * n + j];
            for (int l = 0; l < r; l++) {
                double sum = x[j * r + l];
                for (int p = j + 1; p < n; p++) sum -= lu[j * n + p] * x[p * r + l];
                x[j * r + l] = sum / d;
            }
        }
        return x;
    }

    /** Minimum-norm least squares through the SVD: {@code {x (n×r), {rank}, s}}; σ ≤ rcond·σmax count as zero. */
    static double[][] leastSquares(double[] a, int m, int n, double[] b, int r, double rcond) {
        int k = Math.min(m, n);
        double[][] svd = svd(a, m, n);
        double[] u = svd[0], s = svd[1], vt = svd[2];
        double cutoff = k == 0 ? 0.0 : rcond * s[0];
        int rank = 0;
        double[] x = new double[n * r];
        for (int c = 0; c < k; c++) {
            if (!(s[c] > cutoff)) continue;
            rank++;
            for (int l = 0; l < r; l++) {
                double coefficient = 0.0;
                for (int i = 0; i < m; i++) coefficient += u[i * k + c] * b[i * r + l];
                coefficient /= s[c];
                for (int j = 0; j < n; j++) x[j * r + l] += coefficient * vt[c * n + j];
            }
        }
        return new double[][] {x, {rank}, s};
    }

    /** Fills the null entries of {@code columns} with unit vectors orthogonal to all others (Gram–Schmidt, twice). */
    private static void completeOrthonormal(double[][] columns, int length) {
        int candidate = 0;
        for (int c = 0; c < columns.length; c++) {
            if (columns[c] != null) continue;
            while (true) {
                double[] e = new double[length];
                e[candidate++ % length] = 1.0;
                for (int pass = 0; pass < 2; pass++) {
                    for (double[] other : columns) {
                        if (other == null || other == e) continue;
                        double d = dot(other, e);
                        for (int i = 0; i < length; i++) e[i] -= d * other[i];
                    }
                }
                double norm = Math.sqrt(dot(e, e));
                if (norm > 0.5) {
                    for (int i = 0; i < length; i++) e[i] /= norm;
                    columns[c] = e;
                    break;
                }
            }
        }
    }

    private static void rotate(double[] x, double[] y, double c, double s) {
        for (int i = 0; i < x.length; i++) {
            double xi = x[i];
            double yi = y[i];
            x[i] = c * xi - s * yi;
            y[i] = s * xi + c * yi;
        }
    }

    static double dot(double[] x, double[] y) {
        double sum = 0.0;
        for (int i = 0; i < x.length; i++) sum += x[i] * y[i];
        return sum;
    }

    private static void swapRows(double[] x, int cols, int i, int j) {
        for (int l = 0; l < cols; l++) {
            double t = x[i * cols + l];
            x[i * cols + l] = x[j * cols + l];
            x[j * cols + l] = t;
        }
    }

    static double maxAbs(double[] a) {
        double max = 0.0;
        for (double v : a) max = Math.max(max, Math.abs(v));
        return max;
    }

    private static double[][] transposeScaled(double[] a, int m, int n, double factor) {
        double[][] t = new double[n][m];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) t[j][i] = a[i * n + j] * factor;
        return t;
    }

    static double[] transpose(double[] a, int m, int n) {
        double[] t = new double[m * n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) t[j * m + i] = a[i * n + j];
        return t;
    }
}
