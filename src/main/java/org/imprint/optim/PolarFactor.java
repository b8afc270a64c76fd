package org.imprint.optim;

import org.imprint.linalg.Qr;
import org.imprint.linalg.Svd;

/**
 * The exact orthogonal polar factor of a wide r×n matrix M (r ≤ n): O = U·Vᵀ where M = U·S·Vᵀ is a thin SVD,
 * equivalently O = (MMᵀ)^(−1/2)·M = argmin over semi-orthogonal O of ‖O − M‖_F — SUMO's Orth_SVD
 * (Refael et al. 2025, arXiv:2505.24749, Algorithm 1, Block 2).
 *
 * <p>Computed as sumo.md §5 prescribes, without forming MMᵀ (which would square the condition number):
 * <pre>
 *   Mᵀ = Q₁·R₁          thin QR of the n×r transpose, ≈ 2nr² flops
 *   R₁ = A·S·Bᵀ         SVD of the small r×r factor
 *   M  = B·S·(Q₁A)ᵀ  ⇒  O = B·(Q₁A)ᵀ
 * </pre>
 * Directions with sᵢ &lt; 1e-12·s₁ are dropped (O then has the rank of M, and O(0) = 0). A tall M (r &gt; n) is
 * handled through its transpose.
 */
public final class PolarFactor {
    /** Singular values below this fraction of the largest are treated as zero. */
    public static final double RELATIVE_CUTOFF = 1e-12;

    private PolarFactor() {}

    /** O = U·Vᵀ of the r×n row-major {@code m}. Not modified. */
    public static double[] of(double[] m, int r, int n) {
        if (r > n) return Matrices.transpose(of(Matrices.transpose(m, r, n), n, r), n, r);
        Qr.Result qr = Qr.factor(Matrices.transpose(m, r, n), n, r);          // Mᵀ = Q₁ (n×r) · R₁ (r×r)
        Svd.Result svd = Svd.factor(qr.r(), r, r);                           // R₁ = A·S·Bᵀ
        double[] a = svd.u().clone();
        double cutoff = RELATIVE_CUTOFF * (svd.s().length == 0 ? 0 : svd.s()[0]);
        for (int i = 0; i < r; i++) {
            if (!(svd.s()[i] > cutoff)) for (int row = 0; row < r; row++) a[row * r + i] = 0;
        }
        double[] q1a = Matrices.multiply(qr.q(), false, a, false, n, r, r);   // n×r
        return Matrices.multiply(svd.vt(), true, q1a, true, r, n, r);         // B·(Q₁A)ᵀ, r×n
    }

    /** Float32 version: the QR, SVD and products in single precision, cut-off 1e-7·s₁ (for the precision study E1). */
    public static float[] of(float[] m, int r, int n) {
        if (r > n) return Matrices.transpose(of(Matrices.transpose(m, r, n), n, r), n, r);
        Qr.FloatResult qr = Qr.factor(Matrices.transpose(m, r, n), n, r);
        Svd.FloatResult svd = Svd.factor(qr.r(), r, r);
        float[] a = svd.u().clone();
        double cutoff = 1e-7 * (svd.s().length == 0 ? 0 : svd.s()[0]);
        for (int i = 0; i < r; i++) {
            if (!(svd.s()[i] > cutoff)) for (int row = 0; row < r; row++) a[row * r + i] = 0;
        }
        float[] q1a = Matrices.multiply(qr.q(), false, a, false, n, r, r);
        return Matrices.multiply(svd.vt(), true, q1a, true, r, n, r);
    }
}
