package org.imprint.attacks.reconstruction;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.imprint.analysis.ImageSimilarity;
import org.imprint.analysis.Ranks;
import org.imprint.kernels.Blas;
import org.imprint.report.ImageGrid;
import org.imprint.report.Plot;

/**
 * Auditor-mode evaluation (it uses the secret training set), as Haim et al. and Buzaglo et al. evaluate:
 * every training image is matched to its nearest candidate by normalised cross-correlation (on the
 * mean-subtracted values the model sees; many training images may share a candidate), the candidate is
 * rescaled as the papers do (training mean added, then min-max to [0, 1]), the training image gets its mean
 * back, and SSIM (3×3 Gaussian window) scores the pair. A training image counts as reconstructed when
 * SSIM &gt; 0.4.
 *
 * <p>Alongside, Imprint reports the Pearson correlation of each pair (on the mean-subtracted values that NCC
 * matched). The papers' min-max rescaling makes SSIM hinge on a candidate's darkest pixels: a candidate whose
 * pixels next to the strokes undershoot the background (by 0.1–0.5 in the demo's candidates) gets its background
 * lifted to grey, and on the flat black windows that make up most of a digit SSIM's luminance term then falls to
 * about 0 — near-perfect digits (r ≈ 0.99) score 0.2–0.3 — while the smooth mean image keeps a black background
 * and passes 0.4. Correlation &gt; 0.8 is Imprint's supplementary count of candidates that show their training
 * image; it is not the papers' measure.
 */
public final class Evaluation {
    public static final double RECONSTRUCTED_SSIM = 0.4;
    /** Correlation above which a candidate is counted as showing its training image (Imprint's supplementary count). */
    public static final double HIGH_CORRELATION = 0.8;
    /**
     * Correlation below which an SSIM &gt; 0.4 match is flagged: with the candidate held to a dark background (e.g.
     * by the pixel box) a blurred class average passes SSIM &gt; 0.4 against most digits at r ≈ 0.1–0.5 (measured on a
     * 784-1000-1000-1 victim: 82 of 100 passed, 80 of them below 0.5).
     */
    public static final double LOW_CORRELATION = 0.5;

    private Evaluation() {}

    /**
     * One training image and its best candidate. {@code meanImageSsim} is the SSIM the training mean image
     * alone (min-max rescaled, like a candidate at 0) reaches against this training image: a candidate that does
     * no better than that carries no information about the image.
     */
    public record Match(int trainIndex, int sourceIndex, int label, double ssim, double dssim, double margin,
                        int candidate, int run, double lambda, double nccDistance, double meanImageSsim, double correlation) {
        public boolean reconstructed() { return ssim > RECONSTRUCTED_SSIM; }

        /** Imprint's supplementary measure: the pair's correlation exceeds {@link #HIGH_CORRELATION}. */
        public boolean highlyCorrelated() { return correlation > HIGH_CORRELATION; }

        /** Reconstructed, and better than the mean-image baseline. */
        public boolean beatsMeanImage() { return reconstructed() && ssim > meanImageSsim; }
    }

    /**
     * The headline numbers. {@code reconstructed} is the papers' count (SSIM &gt; 0.4);
     * {@code meanImageBaseline} counts the training images that the mean image alone already scores above 0.4
     * against, and {@code reconstructedBeyondMean} the reconstructed images whose candidate also beats it;
     * {@code reconstructedLowCorrelation} counts the reconstructed ones whose candidate correlates below
     * {@link #LOW_CORRELATION} with the image (SSIM passes, the picture does not show that image), and
     * {@code reconstructedHighCorrelation} those whose candidate also correlates above {@link #HIGH_CORRELATION}:
     * the strict count, which neither a dark background alone (SSIM) nor a grey one (correlation) can fool.
     */
    public record Summary(int trainingImages, int candidates, int reconstructed, double reconstructedFraction,
                          int reconstructedBeyondMean, int meanImageBaseline,
                          double meanTop10Ssim, double medianSsim, double spearmanSsimMargin,
                          int highCorrelation, double medianCorrelation, int reconstructedLowCorrelation,
                          int reconstructedHighCorrelation) {}

    /** The pooled candidates (mean-subtracted, row-major (M, d)) with the run and multiplier of each. */
    public record Pool(double[] x, int count, int[] run, double[] lambda) {}

    /**
     * Matches every training image (mean-subtracted rows of {@code train}) to the pool and scores the pairs.
     *
     * @param margins y_i·f(x_i) (or the multiclass margin) of each training image under the victim
     */
    public static List<Match> evaluate(Pool pool, double[] train, int n, int d, double[] mean, int[] labels,
                                       int[] sourceIndex, double[] margins, int height, int width) {
        if (height * width != d) throw new IllegalArgumentException("image shape " + height + "×" + width + " does not hold " + d + " values");
        ImageSimilarity.Match nn = ImageSimilarity.nearestByNcc(train, n, pool.x(), pool.count(), d);
        double[] meanImage = ImageSimilarity.minMax(mean);
        List<Match> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int c = nn.index()[i];
            double[] cand = new double[d], real = new double[d];
            for (int k = 0; k < d; k++) {
                cand[k] = pool.x()[c * d + k] + mean[k];
                real[k] = train[i * d + k] + mean[k];
            }
            double s = ImageSimilarity.ssim(ImageSimilarity.minMax(cand), real, height, width);
            double corr = ImageSimilarity.correlation(Arrays.copyOfRange(pool.x(), c * d, (c + 1) * d), Arrays.copyOfRange(train, i * d, (i + 1) * d));
            out.add(new Match(i, sourceIndex == null ? -1 : sourceIndex[i], labels[i], s, ImageSimilarity.dssim(s),
                    margins[i], c, pool.run()[c], pool.lambda()[c], nn.distance()[i], ImageSimilarity.ssim(meanImage, real, height, width), corr));
        }
        return out;
    }

    public static Summary summarize(List<Match> matches, int candidates) {
        double[] ssim = matches.stream().mapToDouble(Match::ssim).toArray();
        double[] margin = matches.stream().mapToDouble(Match::margin).toArray();
        double[] sorted = ssim.clone();
        Arrays.sort(sorted);
        int good = 0, beyond = 0, baseline = 0, correlated = 0, lowCorrelation = 0, strict = 0;
        double[] corr = matches.stream().mapToDouble(Match::correlation).sorted().toArray();
        for (Match m : matches) {
            if (m.highlyCorrelated()) correlated++;
            if (m.reconstructed()) good++;
            if (m.reconstructed() && m.correlation() < LOW_CORRELATION) lowCorrelation++;
            if (m.reconstructed() && m.highlyCorrelated()) strict++;
            if (m.beatsMeanImage()) beyond++;
            if (m.meanImageSsim() > RECONSTRUCTED_SSIM) baseline++;
        }
        double top = 0;
        int k = Math.min(10, sorted.length);
        for (int i = 0; i < k; i++) top += sorted[sorted.length - 1 - i];
        return new Summary(ssim.length, candidates, good, (double) good / ssim.length, beyond, baseline, top / Math.max(k, 1),
                sorted[sorted.length / 2], Ranks.spearman(ssim, margin), correlated, corr[corr.length / 2], lowCorrelation, strict);
    }

    /**
     * Haim et al.'s in-run "extraction score" (lower is better): each candidate's nearest training image by
     * squared L2 distance (mean-subtracted), at most one candidate kept per training image (its closest),
     * then the mean of the 10 smallest distances.
     */
    public static double extractionScore(double[] candidates, int m, double[] train, int n, int d) {
        double[] dots = new double[m * n];
        Blas.dgemm(false, true, m, n, d, 1.0, candidates, 0, d, train, 0, d, 0.0, dots, 0, n);
        double[] cc = rowNorms(candidates, m, d), tt = rowNorms(train, n, d);
        double[] best = new double[n];
        Arrays.fill(best, Double.POSITIVE_INFINITY);
        for (int j = 0; j < m; j++) {
            int arg = 0;
            double dist = Double.POSITIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                double v = cc[j] + tt[i] - 2 * dots[j * n + i];
                if (v < dist) {
                    dist = v;
                    arg = i;
                }
            }
            best[arg] = Math.min(best[arg], dist);
        }
        double[] kept = Arrays.stream(best).filter(Double::isFinite).sorted().toArray();
        int k = Math.min(10, kept.length);
        double s = 0;
        for (int i = 0; i < k; i++) s += kept[i];
        return k == 0 ? Double.POSITIVE_INFINITY : s / k;
    }

    private static double[] rowNorms(double[] x, int rows, int d) {
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) for (int k = 0; k < d; k++) out[r] += x[r * d + k] * x[r * d + k];
        return out;
    }

    /**
     * The reconstruction grid: pairs (candidate | nearest training image), best SSIM first, {@code pairs} of them,
     * four pairs per row, each captioned with its SSIM.
     */
    public static java.awt.image.BufferedImage grid(List<Match> matches, Pool pool, double[] train, double[] mean,
                                                    int d, int height, int width, int pairs) {
        List<Match> sorted = new ArrayList<>(matches);
        sorted.sort(Comparator.comparingDouble(Match::ssim).reversed());
        List<ImageGrid.Cell> cells = new ArrayList<>();
        for (Match m : sorted.subList(0, Math.min(pairs, sorted.size()))) {
            double[] cand = new double[d], real = new double[d];
            for (int k = 0; k < d; k++) {
                cand[k] = pool.x()[m.candidate() * d + k] + mean[k];
                real[k] = train[m.trainIndex() * d + k] + mean[k];
            }
            cells.add(new ImageGrid.Cell(ImageSimilarity.minMax(cand), height, width, String.format(Locale.ROOT, "SSIM %.2f", m.ssim())));
            cells.add(new ImageGrid.Cell(real, height, width, String.format(Locale.ROOT, "#%d r %.2f",
                    m.sourceIndex() >= 0 ? m.sourceIndex() : m.trainIndex(), m.correlation())));
        }
        return ImageGrid.render(cells, 8, 3, 0, 1);
    }

    /** SSIM of every training image against its margin, with the 0.4 threshold. */
    public static Plot ssimVersusMargin(List<Match> matches, Summary s) {
        double[] q = matches.stream().mapToDouble(Match::margin).toArray();
        double[] ssim = matches.stream().mapToDouble(Match::ssim).toArray();
        double lo = Arrays.stream(q).min().orElse(0), hi = Arrays.stream(q).max().orElse(1);
        return new Plot(String.format(Locale.ROOT, "SSIM vs margin (Spearman %.2f)", s.spearmanSsimMargin()),
                "margin y·f(x) of the training image", "SSIM of its nearest candidate")
                .scatter("training images (" + s.reconstructed() + " above 0.4)", q, ssim)
                .dashed("SSIM = 0.4", new double[] {lo, hi}, new double[] {RECONSTRUCTED_SSIM, RECONSTRUCTED_SSIM});
    }
}
