package org.imprint.optim;

import java.util.function.DoubleUnaryOperator;

/**
 * Newton–Schulz iterations that approximate the polar factor U·Vᵀ of a matrix M without a decomposition.
 *
 * <p>Both start from X₀ = M / (‖M‖_F + 1e-7), transposed so that rows ≤ columns, as Muon does
 * (Keller Jordan, github.com/KellerJordan/Muon, muon.py {@code zeropower_via_newtonschulz5}):
 * <pre>
 *   quintic (Muon's NS5):  A = X·Xᵀ;  X ← a·X + (b·A + c·A²)·X,   (a, b, c) = (3.4445, −4.7750, 2.0315)
 *   cubic (classical):     X ← 1.5·X − 0.5·X·Xᵀ·X
 * </pre>
 * The tuned quintic does not converge to U·Vᵀ: it drives singular values into roughly [0.7, 1.2] fast and stops
 * there. The cubic converges quadratically once all singular values are in (0, √3), but needs about log₂(κ²)
 * steps for a condition number κ (Refael et al. 2025, Lemma 3.2). Each entry can be rounded after every
 * product and sum ({@code rounding}) to emulate float32 or bfloat16 arithmetic.
 */
public final class NewtonSchulz {
    /** Muon's quintic coefficients (Keller Jordan, muon.py). */
    public static final double A = 3.4445, B = -4.7750, C = 2.0315;

    /** The normalisation guard of Muon's implementation. */
    public static final double EPS = 1e-7;

    /** Rounding to emulate lower precision arithmetic. */
    public enum Precision implements DoubleUnaryOperator {
        FLOAT64 { public double applyAsDouble(double v) { return v; } },
        FLOAT32 { public double applyAsDouble(double v) { return (float) v; } },
        /** bfloat16 by truncating the float32 mantissa to 7 bits (round toward zero). */
        BFLOAT16 { public double applyAsDouble(double v) { return Float.intBitsToFloat(Float.floatToRawIntBits((float) v) & 0xFFFF0000); } }
    }

    private NewtonSchulz() {}

    /** Muon's NS5: {@code steps} quintic iterations on the r×n {@code m}, in float64. Not modified. */
    public static double[] quintic(double[] m, int r, int n, int steps) {
        return iterate(m, r, n, steps, true, Precision.FLOAT64);
    }

    /** {@code steps} classical cubic iterations, in float64. Not modified. */
    public static double[] cubic(double[] m, int r, int n, int steps) {
        return iterate(m, r, n, steps, false, Precision.FLOAT64);
    }

    /** Either iteration from X₀ = M/(‖M‖_F + 1e-7), every intermediate rounded to {@code precision}. Not modified. */
    public static double[] iterate(double[] m, int r, int n, int steps, boolean quintic, Precision precision) {
        return iterate(m, r, n, steps, quintic, precision, Matrices.frobenius(m) + EPS);
    }

    /**
     * Either iteration from X₀ = M / {@code normalizer} (e.g. the spectral norm ‖M‖₂, the start of the paper's
     * Lemma 3.2), every intermediate rounded to {@code precision}. Not modified.
     */
    public static double[] iterate(double[] m, int r, int n, int steps, boolean quintic, Precision precision, double normalizer) {
        if (r > n) return Matrices.transpose(iterate(Matrices.transpose(m, r, n), n, r, steps, quintic, precision, normalizer), n, r);
        double norm = normalizer;
        double[] x = new double[m.length];
        for (int i = 0; i < x.length; i++) x[i] = precision.applyAsDouble(precision.applyAsDouble(m[i]) / norm);
        for (int s = 0; s < steps; s++) {
            double[] gram = round(Matrices.multiply(x, false, x, true, r, r, n), precision); // X·Xᵀ, r×r
            double[] poly;
            if (quintic) {
                double[] gram2 = round(Matrices.multiply(gram, false, gram, false, r, r, r), precision);
                poly = new double[r * r];
                for (int i = 0; i < poly.length; i++) poly[i] = precision.applyAsDouble(B * gram[i] + C * gram2[i]);
            } else {
                poly = new double[r * r];
                for (int i = 0; i < poly.length; i++) poly[i] = precision.applyAsDouble(-0.5 * gram[i]);
            }
            double[] px = round(Matrices.multiply(poly, false, x, false, r, n, r), precision);
            double lead = quintic ? A : 1.5;
            for (int i = 0; i < x.length; i++) x[i] = precision.applyAsDouble(lead * x[i] + px[i]);
        }
        return x;
    }

    private static double[] round(double[] a, Precision p) {
        if (p != Precision.FLOAT64) for (int i = 0; i < a.length; i++) a[i] = p.applyAsDouble(a[i]);
        return a;
    }
}
