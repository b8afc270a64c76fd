package org.imprint.optim;

import java.util.Locale;
import org.imprint.linalg.Qr;
import org.imprint.linalg.Svd;
import org.imprint.tensor.Rng;

/**
 * The top-r left singular basis Q (p×r, orthonormal columns) of a gradient G (p×q): the subspace of GaLore's
 * and SUMO's projections.
 * <ul>
 *   <li>{@link Method#EXACT}: the first r left singular vectors of a thin SVD of G, O(pq·min(p,q)).</li>
 *   <li>{@link Method#RANDOMIZED}: the randomized range finder of Halko, Martinsson &amp; Tropp (2011, Alg. 4.4
 *       and 5.1), O(pqr): Ω ~ N(0,1)^{q×(r+o)}, Y = orth(G·Ω), then {@code powerIterations} times
 *       Y = orth(G·orth(Gᵀ·Y)); B = Yᵀ·G; B = Û·S·Vᵀ; Q = Y·Û[:, :r].</li>
 * </ul>
 */
public final class Subspace {
    /** How the basis is computed. */
    public enum Method {
        EXACT, RANDOMIZED;

        public static Method parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "exact", "svd" -> EXACT;
                case "randomized", "randomised", "rsvd" -> RANDOMIZED;
                default -> throw new IllegalArgumentException("subspace method should be exact or randomized but is: " + s);
            };
        }
    }

    private Subspace() {}

    /** Q (p×r) by the exact truncated SVD. @param g p×q row-major, finite; not modified. */
    public static double[] exact(double[] g, int p, int q, int r) {
        Svd.Result svd = Svd.factor(g, p, q);
        return Matrices.leadingColumns(svd.u(), p, svd.k(), r);
    }

    /**
     * Q (p×r) by the randomized range finder with {@code oversampling} extra columns and {@code powerIterations}
     * subspace iterations; Ω is drawn from {@code rng}. @param g p×q row-major, finite; not modified.
     */
    public static double[] randomized(double[] g, int p, int q, int r, int oversampling, int powerIterations, Rng rng) {
        int l = Math.min(r + oversampling, Math.min(p, q));
        double[] omega = new double[q * l];
        for (int i = 0; i < omega.length; i++) omega[i] = rng.nextGaussian();
        double[] y = orthonormalColumns(Matrices.multiply(g, false, omega, false, p, l, q), p, l);      // p×l
        for (int it = 0; it < powerIterations; it++) {
            double[] z = orthonormalColumns(Matrices.multiply(g, true, y, false, q, l, p), q, l);       // q×l
            y = orthonormalColumns(Matrices.multiply(g, false, z, false, p, l, q), p, l);
        }
        double[] b = Matrices.multiply(y, true, g, false, l, q, p);                                    // l×q
        Svd.Result svd = Svd.factor(b, l, q);
        double[] ub = Matrices.leadingColumns(svd.u(), l, svd.k(), r);                                 // l×r
        return Matrices.multiply(y, false, ub, false, p, r, l);
    }

    /** Q of a thin QR: an orthonormal basis of the columns of the rows×cols {@code a}. */
    private static double[] orthonormalColumns(double[] a, int rows, int cols) {
        return Qr.factor(a, rows, cols).q();
    }
}
