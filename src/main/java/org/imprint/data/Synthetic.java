package org.imprint.data;

import org.imprint.io.BadInputException;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;

/**
 * Seeded synthetic datasets (float64), following Smorodinsky, Vardi &amp; Safran (2024), §5. Labels are class
 * ids: class 1 ↔ y = +1, class 0 ↔ y = −1. Draws come from the given {@link Rng} in a fixed order, so the
 * same seed gives the same bits.
 */
public final class Synthetic {
    private Synthetic() {}

    /** How sphere points are labelled. */
    public enum SphereLabels {
        /** y = sign(x₁). */
        FIRST_COORDINATE,
        /** y = +1 iff the number of positive coordinates is odd (XOR of the sign bits), as in the paper's code. */
        PARITY
    }

    /**
     * n points uniform on the sphere of radius r in ℝ^d: x = r·g/‖g‖ with g ~ N(0, I_d) (rows drawn one after
     * another, coordinates in order), labelled by {@code labels}. The paper uses r = √d.
     */
    public static Dataset sphere(int n, int d, double radius, SphereLabels labels, Rng rng) {
        positive(n, "n");
        positive(d, "d");
        if (!(radius > 0) || Double.isInfinite(radius)) throw new BadInputException("sphere radius must be positive, got " + radius);
        double[] x = new double[n * d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            double ss;
            do {
                ss = 0;
                for (int j = 0; j < d; j++) {
                    double g = rng.nextGaussian();
                    x[i * d + j] = g;
                    ss += g * g;
                }
            } while (ss == 0);
            double scale = radius / Math.sqrt(ss);
            int positives = 0;
            for (int j = 0; j < d; j++) {
                x[i * d + j] *= scale;
                if (x[i * d + j] > 0) positives++;
            }
            y[i] = switch (labels) {
                case FIRST_COORDINATE -> x[i * d] > 0 ? 1 : 0;
                case PARITY -> positives % 2;
            };
        }
        String desc = "sphere n=" + n + " d=" + d + " radius=" + radius + " labels=" + labels.name().toLowerCase().replace('_', '-');
        return new Dataset(Tensor.of(x, n, d), y, 2, new int[] {d}, minusOnes(n), desc);
    }

    /**
     * A balanced two-component Gaussian mixture: exactly n/2 points of each class, in a random order (a
     * random permutation decides which rows are class 1), x_i = y_i·μ·e₁ + z_i with z_i ~ N(0, I_d) and
     * y_i = ±1 the class's sign. n must be even. The paper uses μ = d^0.33 (its code's label bug, which made
     * every point positive, is not reproduced).
     */
    public static Dataset gaussianMixture(int n, int d, double mu, Rng rng) {
        positive(n, "n");
        positive(d, "d");
        if (n % 2 != 0) throw new BadInputException("a balanced Gaussian mixture needs an even n, got " + n);
        if (!Double.isFinite(mu)) throw new BadInputException("mixture mean must be finite, got " + mu);
        int[] perm = rng.permutation(n);
        int[] y = new int[n];
        for (int k = 0; k < n / 2; k++) y[perm[k]] = 1;
        double[] x = new double[n * d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) x[i * d + j] = rng.nextGaussian();
            x[i * d] += (y[i] == 1 ? mu : -mu);
        }
        return new Dataset(Tensor.of(x, n, d), y, 2, new int[] {d}, minusOnes(n),
                "gaussian-mixture n=" + n + " d=" + d + " mu=" + mu);
    }

    /**
     * n points x ~ U[−1, 1] (d = 1) labelled y = sign(sin(kπx/2)), so the labels change sign k−1 times
     * inside (−1, 1) for odd k (k = 3 in the paper's setting). A draw with sin(kπx/2) = 0 exactly is redrawn.
     */
    public static Dataset univariate(int n, int k, Rng rng) {
        positive(n, "n");
        positive(k, "k");
        double[] x = new double[n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            double v, s;
            do {
                v = -1 + 2 * rng.nextDouble();
                s = Math.sin(k * Math.PI * v / 2);
            } while (s == 0);
            x[i] = v;
            y[i] = s > 0 ? 1 : 0;
        }
        return new Dataset(Tensor.of(x, n, 1), y, 2, new int[] {1}, minusOnes(n), "univariate n=" + n + " sign(sin(" + k + "πx/2))");
    }

    private static int[] minusOnes(int n) {
        int[] s = new int[n];
        java.util.Arrays.fill(s, -1);
        return s;
    }

    private static void positive(int v, String name) {
        if (v <= 0) throw new BadInputException(name + " must be positive, got " + v);
    }
}
