package org.imprint.analysis;

import org.imprint.kernels.Blas;

/**
 * Image similarity as the reconstruction papers measure it (Haim et al. 2022, evaluations.py; Buzaglo et al.
 * 2023): nearest neighbours by normalised cross-correlation, min-max rescaling of candidates, and SSIM with a
 * 3×3 Gaussian window (kornia.metrics.ssim). Images are single-channel, row-major (height × width).
 */
public final class ImageSimilarity {
    private ImageSimilarity() {}

    /** Stabilisers of SSIM for images in [0, 1]: C1 = (0.01·1)², C2 = (0.03·1)². */
    public static final double C1 = 1e-4, C2 = 9e-4;

    /** The 3×3 Gaussian window with σ = 1.5: g(t) ∝ exp(−t²/(2σ²)) for t ∈ {−1, 0, 1}, outer product, sum 1. */
    static double[] gaussianWindow3() {
        double e = Math.exp(-1.0 / (2 * 1.5 * 1.5));
        double[] g = {e / (1 + 2 * e), 1 / (1 + 2 * e), e / (1 + 2 * e)};
        double[] w = new double[9];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) w[i * 3 + j] = g[i] * g[j];
        return w;
    }

    /** Index reflected at the borders without repeating the edge (PyTorch's "reflect"): −1 → 1, n → n−2. */
    private static int reflect(int i, int n) {
        if (n == 1) return 0;
        if (i < 0) return -i;
        if (i >= n) return 2 * n - 2 - i;
        return i;
    }

    /** The 3×3 Gaussian filter with reflect padding, output the same size as the input. */
    private static double[] filter(double[] img, int h, int w, double[] window) {
        double[] out = new double[h * w];
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                double s = 0;
                for (int i = -1; i <= 1; i++) {
                    int rr = reflect(r + i, h);
                    for (int j = -1; j <= 1; j++) s += window[(i + 1) * 3 + j + 1] * img[rr * w + reflect(c + j, w)];
                }
                out[r * w + c] = s;
            }
        }
        return out;
    }

    /**
     * Mean SSIM of two images with values in [0, 1]:
     * SSIM = mean over pixels of ((2μ₁μ₂ + C1)(2σ₁₂ + C2)) / ((μ₁² + μ₂² + C1)(σ₁² + σ₂² + C2)), where μ, σ², σ₁₂
     * are local means, variances and covariance under the Gaussian window.
     */
    public static double ssim(double[] a, double[] b, int h, int w) {
        if (a.length != h * w || b.length != h * w) throw new IllegalArgumentException("ssim: images are not " + h + "×" + w);
        double[] win = gaussianWindow3();
        double[] aa = new double[a.length], bb = new double[a.length], ab = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            aa[i] = a[i] * a[i];
            bb[i] = b[i] * b[i];
            ab[i] = a[i] * b[i];
        }
        double[] mu1 = filter(a, h, w, win), mu2 = filter(b, h, w, win);
        double[] s11 = filter(aa, h, w, win), s22 = filter(bb, h, w, win), s12 = filter(ab, h, w, win);
        double total = 0;
        for (int i = 0; i < a.length; i++) {
            double m1 = mu1[i], m2 = mu2[i];
            double v1 = s11[i] - m1 * m1, v2 = s22[i] - m2 * m2, cov = s12[i] - m1 * m2;
            total += ((2 * m1 * m2 + C1) * (2 * cov + C2)) / ((m1 * m1 + m2 * m2 + C1) * (v1 + v2 + C2));
        }
        return total / a.length;
    }

    /** DSSIM = (1 − SSIM)/2. */
    public static double dssim(double ssim) {
        return (1 - ssim) / 2;
    }

    /**
     * Pearson correlation of two images, Σ(a−ā)(b−b̄) / √(Σ(a−ā)² Σ(b−b̄)²): the similarity that NCC matching
     * ranks by (NCC distance = 2(d−1)/d · (1 − correlation)); 0 when either image is constant. Unlike SSIM after
     * min-max rescaling, it does not depend on the candidate's darkest and brightest pixels.
     */
    public static double correlation(double[] a, double[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("images of " + a.length + " and " + b.length + " values");
        double ma = 0, mb = 0;
        for (int i = 0; i < a.length; i++) { ma += a[i]; mb += b[i]; }
        ma /= a.length;
        mb /= b.length;
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            double x = a[i] - ma, y = b[i] - mb;
            ab += x * y;
            aa += x * x;
            bb += y * y;
        }
        return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
    }

    /** Min-max rescaling of one image to [0, 1] (a constant image becomes all zeros). */
    public static double[] minMax(double[] img) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double v : img) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        double[] out = new double[img.length];
        double span = hi - lo;
        if (span > 0) for (int i = 0; i < img.length; i++) out[i] = (img[i] - lo) / span;
        return out;
    }

    /** Each row standardised to mean 0 and unbiased standard deviation 1 (a constant row becomes zeros). */
    static double[] standardizeRows(double[] x, int rows, int d) {
        double[] out = new double[rows * d];
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int j = 0; j < d; j++) mean += x[r * d + j];
            mean /= d;
            double ss = 0;
            for (int j = 0; j < d; j++) ss += (x[r * d + j] - mean) * (x[r * d + j] - mean);
            double sd = Math.sqrt(ss / Math.max(d - 1, 1));
            if (sd > 0) for (int j = 0; j < d; j++) out[r * d + j] = (x[r * d + j] - mean) / sd;
        }
        return out;
    }

    /** For each query row, the index of its nearest reference row and the distance. */
    public record Match(int[] index, double[] distance) {}

    /**
     * Nearest neighbours by normalised cross-correlation distance: both sides standardised per image, then
     * ‖a − b‖²/D. For standardised rows ‖a‖² = ‖b‖² = D − 1, so the nearest is the largest inner product,
     * computed for all pairs with one GEMM. Ties go to the lowest index.
     */
    public static Match nearestByNcc(double[] queries, int nq, double[] refs, int nr, int d) {
        if (nr == 0) throw new IllegalArgumentException("no candidates to match against");
        double[] q = standardizeRows(queries, nq, d), r = standardizeRows(refs, nr, d);
        double[] dots = new double[nq * nr];
        Blas.dgemm(false, true, nq, nr, d, 1.0, q, 0, d, r, 0, d, 0.0, dots, 0, nr);
        int[] idx = new int[nq];
        double[] dist = new double[nq];
        for (int i = 0; i < nq; i++) {
            int best = 0;
            for (int j = 1; j < nr; j++) if (dots[i * nr + j] > dots[i * nr + best]) best = j;
            idx[i] = best;
            double qq = 0, rr = 0;
            for (int k = 0; k < d; k++) {
                qq += q[i * d + k] * q[i * d + k];
                rr += r[best * d + k] * r[best * d + k];
            }
            dist[i] = (qq + rr - 2 * dots[i * nr + best]) / d;
        }
        return new Match(idx, dist);
    }
}
