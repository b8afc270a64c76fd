package org.imprint.testing;

/** How closely two computations of the same array agree, for tests that check a fast path against a reference. */
public final class Agreement {
    private Agreement() {}

    /**
     * max_i |expected_i − actual_i| / max_i |expected_i|: the largest difference relative to the reference's scale,
     * so that entries near zero do not dominate (the error of a rounding-level difference is then ~1e-16 in float64).
     */
    public static double relativeError(double[] expected, double[] actual) {
        if (expected.length != actual.length) throw new IllegalArgumentException(expected.length + " vs " + actual.length + " values");
        double scale = 0, diff = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
        }
        return diff / Math.max(scale, 1e-300);
    }
}
