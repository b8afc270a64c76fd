package org.imprint.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The bit-level selects against the plain ternaries they replace, on special values and random ones. */
class BranchlessTest {
    private static final double[] SPECIAL = {0.0, -0.0, 1.0, -1.0, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL,
        Double.MAX_VALUE, -Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-300, -1e-300, 745.2, -745.2};

    @Test void keepIfPositiveIsTheReluMask() {
        Random r = new Random(3);
        for (int i = 0; i < SPECIAL.length + 10_000; i++) {
            double x = i < SPECIAL.length ? SPECIAL[i] : r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20);
            double g = r.nextGaussian();
            // bits compared: +0.0 where masked, g itself where kept
            assertEquals(Double.doubleToRawLongBits(x > 0 ? g : 0.0), Double.doubleToRawLongBits(Branchless.keepIfPositive(g, x)), "x = " + x);
            float xf = (float) x, gf = (float) g;
            assertEquals(Float.floatToRawIntBits(xf > 0 ? gf : 0f), Float.floatToRawIntBits(Branchless.keepIfPositive(gf, xf)), "x = " + xf);
        }
    }

    @Test void bySignPicksOnTheSignBit() {
        assertEquals(1.0, Branchless.bySign(0.0, 1.0, 2.0));
        assertEquals(2.0, Branchless.bySign(-0.0, 1.0, 2.0));
        assertEquals(2.0, Branchless.bySign(-Double.MIN_VALUE, 1.0, 2.0));
        assertEquals(1.0, Branchless.bySign(Double.POSITIVE_INFINITY, 1.0, 2.0));
        assertEquals(-0.0, Branchless.bySign(-3, 7.0, -0.0)); // the picked value's bits, sign of zero included
    }

    @Test void sigmoidMatchesTheTwoSidedFormula() {
        Random r = new Random(4);
        for (int i = 0; i < SPECIAL.length + 10_000; i++) {
            double x = i < SPECIAL.length ? SPECIAL[i] : r.nextGaussian() * Math.pow(10, r.nextInt(6) - 2);
            double e = Math.exp(-Math.abs(x));
            double expected = x >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
            assertEquals(expected, Branchless.sigmoid(x), 3e-16 * expected, "x = " + x); // e·(1/(1+e)) vs e/(1+e): an ulp
            // and against the definition where it does not overflow
            if (Math.abs(x) < 700) assertEquals(1.0 / (1.0 + Math.exp(-x)), Branchless.sigmoid(x), 4e-16 * expected + 1e-300, "x = " + x);
        }
        assertEquals(0.5, Branchless.sigmoid(-0.0));
        assertEquals(1.0, Branchless.sigmoid(Double.POSITIVE_INFINITY));
        assertEquals(0.0, Branchless.sigmoid(Double.NEGATIVE_INFINITY));
    }
}
