package org.imprint.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.imprint.io.BadInputException;
import org.imprint.tensor.Rng;
import org.junit.jupiter.api.Test;

class SyntheticTest {
    @Test
    void sphereNormsEqualRadiusAndLabels() {
        for (Synthetic.SphereLabels rule : Synthetic.SphereLabels.values()) {
            int n = 400, d = 37;
            double r = Math.sqrt(d);
            Dataset ds = Synthetic.sphere(n, d, r, rule, new Rng(11));
            assertEquals(n, ds.n());
            assertEquals(d, ds.d());
            int ones = 0;
            for (int i = 0; i < n; i++) {
                double[] x = ds.row(i);
                double ss = 0;
                int pos = 0;
                for (double v : x) {
                    ss += v * v;
                    if (v > 0) pos++;
                }
                assertEquals(r, Math.sqrt(ss), 1e-12);
                int expected = rule == Synthetic.SphereLabels.PARITY ? pos % 2 : (x[0] > 0 ? 1 : 0);
                assertEquals(expected, ds.labels()[i]);
                ones += ds.labels()[i];
                assertEquals(-1, ds.sourceIndex()[i]);
            }
            assertTrue(ones > 140 && ones < 260, "roughly balanced: " + ones);
        }
    }

    @Test
    void sameSeedSameBits() {
        Dataset a = Synthetic.sphere(20, 100, 10, Synthetic.SphereLabels.PARITY, new Rng(5));
        Dataset b = Synthetic.sphere(20, 100, 10, Synthetic.SphereLabels.PARITY, new Rng(5));
        Dataset c = Synthetic.sphere(20, 100, 10, Synthetic.SphereLabels.PARITY, new Rng(6));
        assertArrayEquals(a.x().doubleData(), b.x().doubleData(), 0.0);
        assertArrayEquals(a.labels(), b.labels());
        assertTrue(a.x().doubleData()[0] != c.x().doubleData()[0]);
        Dataset g1 = Synthetic.gaussianMixture(30, 50, 3.6, new Rng(9));
        Dataset g2 = Synthetic.gaussianMixture(30, 50, 3.6, new Rng(9));
        assertArrayEquals(g1.x().doubleData(), g2.x().doubleData(), 0.0);
        assertArrayEquals(g1.labels(), g2.labels());
        Dataset u1 = Synthetic.univariate(20, 3, new Rng(1));
        Dataset u2 = Synthetic.univariate(20, 3, new Rng(1));
        assertArrayEquals(u1.x().doubleData(), u2.x().doubleData(), 0.0);
    }

    @Test
    void gaussianMixtureIsExactlyBalancedAndShifted() {
        int n = 2000, d = 20;
        double mu = 4;
        Dataset ds = Synthetic.gaussianMixture(n, d, mu, new Rng(3));
        assertArrayEquals(new int[] {n / 2, n / 2}, ds.classCounts());
        double[] y = ds.signs();
        double m0 = 0, other = 0;
        for (int i = 0; i < n; i++) {
            m0 += y[i] * ds.x().getFlat(i * d) / n;
            other += y[i] * ds.x().getFlat(i * d + 1) / n;
        }
        assertEquals(mu, m0, 0.15);
        assertEquals(0, other, 0.15);
        assertThrows(BadInputException.class, () -> Synthetic.gaussianMixture(5, 3, 1, new Rng(0)));
    }

    @Test
    void univariateLabelsFollowSinSign() {
        for (int k : new int[] {1, 3, 5}) {
            Dataset ds = Synthetic.univariate(500, k, new Rng(k));
            assertEquals(1, ds.d());
            for (int i = 0; i < ds.n(); i++) {
                double x = ds.x().getFlat(i);
                assertTrue(x >= -1 && x <= 1);
                assertEquals(Math.sin(k * Math.PI * x / 2) > 0 ? 1 : 0, ds.labels()[i]);
            }
        }
    }
}
