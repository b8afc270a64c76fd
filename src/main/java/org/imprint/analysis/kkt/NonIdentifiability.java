package org.imprint.analysis.kkt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.imprint.linalg.Svd;
import org.imprint.models.Mlp;
import org.imprint.tensor.Rng;

/**
 * The non-identifiability measurements of Refael, Smorodinsky, Lindenbaum &amp; Safran (2025, "No Prior, No
 * Leakage", arXiv:2509.21296) for one binary ReLU MLP and its training set (reconstruction.md §4):
 * <ol>
 *   <li>the true-data KKT fit ({@link TrueDataKkt}): λ*, r* / ‖θ‖, margins q_i = y_i f(x_i), the on-margin set,
 *       the normalised margin q_min/‖θ‖^L and the approximate-KKT (ε, δ) of Lyu &amp; Li (2020);</li>
 *   <li>splitting off the data span (their Theorem 4): ν ⊥ span{x_i}, every support point x_i (λ*_i &gt; 0)
 *       replaced by x_i ± t_iν with λ*_i/2 each;</li>
 *   <li>splitting along the data's smallest (non-zero) singular direction v (their Theorem 5: the admissible
 *       length scales as 1/σ_min), per point projected orthogonally to ∇_x f(x_i) so that the margin is kept
 *       exactly: x_i ± t_iν_i, λ*_i/2 each;</li>
 *   <li>merging (their Lemma 2): every group of support points with the same label and the same activation
 *       pattern over all layers replaced by x' = Σλ_i x_i / Σλ_i with λ' = Σλ_i.</li>
 * </ol>
 * Both splits are the symmetric case a = b = t of their Lemma 3: on a fixed pattern ∇_θ f is affine in x, so
 * ½∇_θ f(x + tν) + ½∇_θ f(x − tν) = ∇_θ f(x) and stationarity is unchanged exactly while no hidden neuron of
 * either new point changes sign; the largest such t is computed exactly over all layers
 * ({@link PerSampleGradients#patternPreservingSteps}) and the step used is a fraction of it. Every alternative is
 * then verified from scratch: a new forward/backward pass on the alternative dataset recomputes the
 * stationarity residual with its λ, the patterns and the margins.
 */
public final class NonIdentifiability {
    private NonIdentifiability() {}

    /**
     * @param splitFraction    the step used is this fraction of the pattern-preserving maximum (0 &lt; ρ &lt; 1)
     * @param splitLength      an absolute cap on the step (also the step when nothing limits it)
     * @param box              whether to report the box-capped alternatives too
     * @param marginTolerance  on the margin: q_i ≤ (1 + tol)·q_min
     * @param seed             seed of the off-span direction
     */
    public record Options(double splitFraction, double splitLength, boolean box, double boxLo, double boxHi,
                          double marginTolerance, long seed) {
        public Options {
            if (!(splitFraction > 0 && splitFraction < 1)) throw new IllegalArgumentException("split fraction must be in (0, 1), got " + splitFraction);
            if (!(splitLength > 0)) throw new IllegalArgumentException("split length must be > 0, got " + splitLength);
            if (box && !(boxLo < boxHi)) throw new IllegalArgumentException("box needs lo < hi, got [" + boxLo + ", " + boxHi + "]");
            if (!(marginTolerance >= 0)) throw new IllegalArgumentException("margin tolerance must be >= 0, got " + marginTolerance);
        }

        public static Options defaults() {
            return new Options(0.5, 10, true, -1, 1, 0.05, 0);
        }
    }

    /** The model's KKT state on its own training data. */
    public record ModelKkt(int n, int d, String arch, int depth, boolean homogeneous, double thetaNorm, double qMin,
                           double normalizedMargin, double residual, double relativeResidual, int gramRank,
                           boolean nnlsConverged, int support, int onMargin, int onMarginAndSupport,
                           double epsilon, double epsilonRelative, double delta, String approximateKktNormalisation,
                           double[] q, double[] lambda, boolean[] onMarginSet) {}

    /** A direction used for splitting. */
    public record Direction(String kind, boolean exists, double singularValue, double largestSingularValue,
                            int dataRank, double firstLayerImageNorm, double firstLayerNorm, String note) {}

    /** Quantiles (min, median, max) of a per-point quantity. */
    public record Stats(double min, double median, double max) {
        static Stats of(double[] v) {
            if (v.length == 0) return new Stats(Double.NaN, Double.NaN, Double.NaN);
            double[] s = v.clone();
            Arrays.sort(s);
            return new Stats(s[0], s[s.length / 2], s[s.length - 1]);
        }
    }

    /**
     * What the recomputation on the alternative dataset found. {@code combinationChange} is
     * ‖Σ_j λ'_j y'_j ∇_θ f(x'_j) − Σ_i λ*_i y_i ∇_θ f(x_i)‖/‖θ‖ (0 for an exact construction, whatever r*);
     * {@code residualRelativeChange} is |r' − r*|/r*; {@code maxMarginChange} is max_j |q'_j − q̂_j| / mean_{i ∈ support} |q_i|,
     * where q̂_j is the margin the construction predicts (the source point's margin for a split, the λ-weighted mean
     * of the group's margins for a merge); {@code minMarginAfter} is min_j q'_j (compare with q_min).
     */
    public record Verification(double residualBefore, double residualAfter, double residualRelativeChange,
                               double combinationChange, boolean patternsPreserved, int patternChanges,
                               double maxMarginChange, double minMarginAfter, Stats distanceToTrueSet,
                               int fartherThanStep) {}

    /**
     * One alternative dataset with its multipliers, how it was built, and its verification. For splits, the
     * per-point limits: {@code patternLimit} (largest pattern-preserving t), {@code boxLimit} (largest t keeping
     * x ± tν in the box; +∞ without a box), {@code admissibleLimit} = min of the two, and the {@code step} used.
     */
    public record Alternative(String kind, String description, int points, int sourcePoints, Stats patternLimit,
                              Stats boxLimit, Stats admissibleLimit, Stats step, Verification verification,
                              double[] x, int[] labels, double[] lambda, int[] source, int d) {}

    /** The summary of the Theorem-5 bound |w_k·v| ≤ ‖a_k‖σ_min against the first layer's actual values. */
    public record SingularBound(double sigma, Stats boundFirstLayerStep, Stats actualFirstLayerStep, double maxViolation) {}

    /** Everything {@link #analyze} measured. */
    public record Report(ModelKkt kkt, Direction offSpan, Direction smallestSingular, SingularBound singularBound,
                         List<Alternative> alternatives, int mergeGroups, int mergeCandidatesPairs, Map<String, Object> notes) {}

    /**
     * A model, its data and multipliers, with what every construction needs: margins q_i, the support
     * (λ_i &gt; 0) and the stationarity combination Σ λ_i y_i ∇_θ f(x_i) of the true set.
     */
    public record Context(Mlp model, PerSampleGradients gradients, double[] x, int n, int d, int[] labels, double[] y,
                          double[] lambda, int[] support, double[] q, double qMin, List<double[]> trueCombination,
                          double residual, double thetaNorm) {}

    /** The context for given multipliers (e.g. λ* of {@link TrueDataKkt#fit}). */
    public static Context context(Mlp model, double[] x, int n, int[] labels, double[] lambda) {
        PerSampleGradients g = new PerSampleGradients(model, x, n);
        double[] y = TrueDataKkt.signs(labels), f = g.outputs(), q = new double[n], coeff = new double[n];
        double qMin = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            q[i] = y[i] * f[i];
            qMin = Math.min(qMin, q[i]);
            coeff[i] = lambda[i] * y[i];
        }
        return new Context(model, g, x, n, model.inputs(), labels, y, lambda, supportIndices(lambda), q, qMin, g.combination(coeff),
                g.stationarityResidual(coeff), Math.sqrt(g.thetaSquaredNorm()));
    }

    /**
     * Lemma 3 with a = b: every support point x_i replaced by x_i + t_i·ν_i and x_i − t_i·ν_i, with λ_i/2 each, and
     * verified by recomputation. {@code directions} is n×d (row i for sample i), {@code steps} one t per support
     * point in the order of {@link Context#support()}.
     */
    public static Alternative split(Context c, String kind, String description, double[] directions, double[] steps) {
        double[] none = new double[c.support().length];
        Arrays.fill(none, Double.NaN);
        return buildSplit(c, kind, description, directions, none, none, steps);
    }

    /** Runs every measurement; x is n×d row-major as the model sees it, labels 0/1. */
    public static Report analyze(Mlp model, double[] x, int n, int[] labels, Options o) {
        int d = model.inputs();
        PerSampleGradients g0 = new PerSampleGradients(model, x, n);
        TrueDataKkt.Fit fit = TrueDataKkt.fit(g0, TrueDataKkt.signs(labels));
        Context c = context(model, x, n, labels, fit.lambda());
        PerSampleGradients g = c.gradients();
        ModelKkt kkt = modelKkt(model, g, fit, c.q(), c.qMin(), n, d, o);

        // Directions from the data's SVD.
        Svd.Result svd = Svd.factor(x, n, d);
        double sMax = svd.k() == 0 ? 0 : svd.s()[0];
        double tol = Math.max(n, d) * Math.ulp(1.0) * sMax;
        int rank = 0;
        for (double s : svd.s()) if (s > tol) rank++;
        double w1Norm = norm(model.weight(0).toDoubleArray());
        List<Alternative> alternatives = new ArrayList<>();
        Map<String, Object> notes = new LinkedHashMap<>();

        Direction offSpan;
        if (rank < d) {
            double[] nu = offSpanDirection(svd, rank, d, new Rng(o.seed()));
            offSpan = new Direction("off the data span", true, 0, sMax, rank, norm(g.firstLayerImage(nu)), w1Norm,
                    "random unit vector (seed " + o.seed() + ") projected off the span of the " + n + " training points; W1·ν is what the first layer sees of it");
            double[] dirs = new double[n * d];
            for (int i = 0; i < n; i++) System.arraycopy(nu, 0, dirs, i * d, d);
            alternatives.addAll(splits(c, "split-off-span", "x_i ± t_i·ν, ν ⊥ span(S) (Theorem 4)", dirs, o));
        } else {
            offSpan = new Direction("off the data span", false, Double.NaN, sMax, rank, Double.NaN, w1Norm,
                    "the training points span R^d: no direction is invisible to the first layer");
        }

        Direction smallest;
        SingularBound bound = null;
        if (rank >= 1) {
            double sigma = svd.s()[rank - 1];
            double[] v = Arrays.copyOfRange(svd.vt(), (rank - 1) * d, rank * d);
            smallest = new Direction("smallest non-zero singular direction", true, sigma, sMax, rank, norm(g.firstLayerImage(v)), w1Norm,
                    "right singular vector of the data matrix for σ_min = " + sigma + ", per point projected orthogonally to ∇_x f(x_i) so that the margin is kept");
            alternatives.addAll(splits(c, "split-singular", "x_i ± t_i·ν_i, ν_i = smallest singular direction ⟂ ∇_x f(x_i) (Theorem 5)",
                    marginKeepingDirections(g, v), o));
            bound = singularBound(c, v, sigma);
        } else {
            smallest = new Direction("smallest non-zero singular direction", false, Double.NaN, sMax, rank, Double.NaN, w1Norm, "the data matrix is zero");
        }

        Map<Integer, List<Integer>> byGroup = mergeGroups(c);
        int groups = 0, pairs = 0;
        for (List<Integer> members : byGroup.values()) {
            if (members.size() >= 2) {
                groups++;
                pairs += members.size() * (members.size() - 1) / 2;
            }
        }
        if (groups > 0) {
            alternatives.add(merge(c));
        } else {
            notes.put("merge", "no two support points share label and activation pattern over all layers (the closest same-label pair differs in "
                    + nearestPatternDistance(c) + " neurons): no merge alternative");
        }
        notes.put("alternatives_contain", "only the support points (λ*_i > 0), as the paper's S_r: points with λ*_i = 0 carry no weight in the stationarity condition");
        notes.put("exact_means", "combination_change < 1e-9 and every pattern preserved");
        return new Report(kkt, offSpan, smallest, bound, alternatives, groups, pairs, notes);
    }

    /** Per sample, v projected orthogonally to ∇_x f(x_i) and normalised (v itself where the gradient is 0). */
    static double[] marginKeepingDirections(PerSampleGradients g, double[] v) {
        int n = g.n(), d = g.d();
        double[] gx = g.inputGradients(), dirs = new double[n * d];
        for (int i = 0; i < n; i++) {
            double gg = 0, gv = 0;
            for (int p = 0; p < d; p++) {
                gg += gx[i * d + p] * gx[i * d + p];
                gv += gx[i * d + p] * v[p];
            }
            double coef = gg > 0 ? gv / gg : 0, nn = 0;
            for (int p = 0; p < d; p++) {
                double val = v[p] - coef * gx[i * d + p];
                dirs[i * d + p] = val;
                nn += val * val;
            }
            nn = Math.sqrt(nn);
            for (int p = 0; p < d; p++) dirs[i * d + p] /= nn;
        }
        return dirs;
    }

    private static ModelKkt modelKkt(Mlp model, PerSampleGradients g, TrueDataKkt.Fit fit, double[] q, double qMin, int n, int d, Options o) {
        double thetaNorm = Math.sqrt(g.thetaSquaredNorm());
        int depth = model.depth();
        double[] lambda = fit.lambda();
        boolean[] onMargin = new boolean[n];
        int support = 0, margin = 0, both = 0;
        for (int i = 0; i < n; i++) {
            onMargin[i] = qMin > 0 && q[i] <= (1 + o.marginTolerance()) * qMin;
            if (lambda[i] > 0) support++;
            if (onMargin[i]) margin++;
            if (onMargin[i] && lambda[i] > 0) both++;
        }
        double eps = Double.NaN, epsRel = Double.NaN, delta = Double.NaN;
        String norm;
        if (qMin > 0 && model.isHomogeneous()) {
            // θ̃ = s·θ with s = q_min^{−1/L} has min margin 1; ∇f(θ̃) = s^{L−1}∇f(θ), so λ̃ = λ*·s^{2−L}, r̃ = s·r*.
            double s = Math.pow(qMin, -1.0 / depth);
            eps = s * fit.residual();
            epsRel = fit.relative();
            double scaleLambda = Math.pow(s, 2 - depth);
            delta = 0;
            for (int i = 0; i < n; i++) delta += lambda[i] * scaleLambda * (q[i] / qMin - 1);
            norm = "θ rescaled to θ̃ = θ·q_min^(−1/L) (min margin 1, Lyu & Li 2020); ε = ‖θ̃ − Σ λ̃_i y_i ∇f(θ̃; x_i)‖ with the NNLS λ̃ "
                    + "(λ̃ = λ*·q_min^((L−2)/L)), δ = Σ λ̃_i (q̃_i − 1); ε/‖θ̃‖ = r* / ‖θ‖";
        } else {
            norm = qMin > 0 ? "not defined: the model is not homogeneous (a bias after the first layer)" : "not defined: a training point is misclassified (q_min <= 0)";
        }
        return new ModelKkt(n, d, model.archString(), depth, model.isHomogeneous(), thetaNorm, qMin, qMin / Math.pow(thetaNorm, depth),
                fit.residual(), fit.relative(), fit.gramRank(), fit.converged(), support, margin, both, eps, epsRel, delta, norm,
                q, lambda, onMargin);
    }

    static int[] supportIndices(double[] lambda) {
        return java.util.stream.IntStream.range(0, lambda.length).filter(i -> lambda[i] > 0).toArray();
    }

    /** A unit vector orthogonal to the first {@code rank} right singular vectors (projected twice for accuracy). */
    static double[] offSpanDirection(Svd.Result svd, int rank, int d, Rng rng) {
        double[] nu = new double[d];
        for (int p = 0; p < d; p++) nu[p] = rng.nextGaussian();
        for (int pass = 0; pass < 2; pass++) {
            for (int k = 0; k < rank; k++) {
                double dot = 0;
                for (int p = 0; p < d; p++) dot += svd.vt()[k * d + p] * nu[p];
                for (int p = 0; p < d; p++) nu[p] -= dot * svd.vt()[k * d + p];
            }
            double nn = norm(nu);
            for (int p = 0; p < d; p++) nu[p] /= nn;
        }
        return nu;
    }

    /** The largest t with both x ± tν in the box: min over coordinates of min(hi − x_p, x_p − lo)/|ν_p|. */
    static double boxLimit(double[] x, int offset, double[] nu, int nuOffset, int d, double lo, double hi) {
        double t = Double.POSITIVE_INFINITY;
        for (int p = 0; p < d; p++) {
            double a = Math.abs(nu[nuOffset + p]);
            if (a == 0) continue;
            double room = Math.min(hi - x[offset + p], x[offset + p] - lo);
            t = Math.min(t, Math.max(room, 0) / a);
        }
        return t;
    }

    /** The unboxed split (t_i = min(ρ·t_pattern, cap)) and, with the box on, the box-capped one. */
    private static List<Alternative> splits(Context c, String kind, String description, double[] dirs, Options o) {
        PerSampleGradients.StepLimits limits = c.gradients().patternPreservingSteps(dirs);
        int[] support = c.support();
        int s = support.length, d = c.d();
        double[] tPattern = new double[s], tBox = new double[s], tFree = new double[s], tBoxed = new double[s];
        for (int a = 0; a < s; a++) {
            int i = support[a];
            tPattern[a] = limits.tMax()[i];
            tBox[a] = o.box() ? boxLimit(c.x(), i * d, dirs, i * d, d, o.boxLo(), o.boxHi()) : Double.POSITIVE_INFINITY;
            tFree[a] = Math.min(o.splitFraction() * tPattern[a], o.splitLength());
            tBoxed[a] = Math.min(tFree[a], tBox[a]);
        }
        List<Alternative> out = new ArrayList<>();
        out.add(buildSplit(c, kind, description + ", t_i = min(" + o.splitFraction() + "·t_pattern, " + o.splitLength() + ")", dirs, tPattern, tBox, tFree));
        if (o.box()) {
            out.add(buildSplit(c, kind + "-box", description + ", also capped by the box [" + o.boxLo() + ", " + o.boxHi() + "]", dirs, tPattern, tBox, tBoxed));
        }
        return out;
    }

    private static Alternative buildSplit(Context c, String kind, String description, double[] dirs, double[] tPattern, double[] tBox, double[] t) {
        int[] support = c.support();
        int s = support.length, m = 2 * s, d = c.d();
        if (t.length != s) throw new IllegalArgumentException(t.length + " steps for " + s + " support points");
        double[] nx = new double[m * d], nl = new double[m];
        int[] nlab = new int[m], src = new int[m];
        for (int a = 0; a < s; a++) {
            int i = support[a];
            for (int side = 0; side < 2; side++) {
                int j = 2 * a + side;
                double sign = side == 0 ? 1 : -1;
                for (int p = 0; p < d; p++) nx[j * d + p] = c.x()[i * d + p] + sign * t[a] * dirs[i * d + p];
                nl[j] = c.lambda()[i] / 2;
                nlab[j] = c.labels()[i];
                src[j] = i;
            }
        }
        double[] stepPerPoint = new double[m];
        for (int j = 0; j < m; j++) stepPerPoint[j] = t[j / 2];
        double[] predicted = new double[m];
        for (int j = 0; j < m; j++) predicted[j] = c.q()[src[j]];
        Verification v = verify(c, nx, m, nl, nlab, src, predicted, stepPerPoint);
        double[] admissible = new double[s];
        for (int a = 0; a < s; a++) admissible[a] = Math.min(tPattern[a], tBox[a]);
        return new Alternative(kind, description, m, s, Stats.of(tPattern), Stats.of(tBox), Stats.of(admissible), Stats.of(t), v, nx, nlab, nl, src, d);
    }

    /**
     * Lemma 2, applied to every group of support points with the same label and the same pattern over all layers:
     * the group is replaced by x' = Σλ_i x_i / Σλ_i with λ' = Σλ_i (points alone in their group stay as they are).
     */
    public static Alternative merge(Context c) {
        int d = c.d();
        Map<Integer, List<Integer>> byGroup = mergeGroups(c);
        int m = byGroup.size(), merged = 0;
        double[] nx = new double[m * d], nl = new double[m];
        int[] nlab = new int[m], nsrc = new int[m];
        double[] predicted = new double[m];
        int j = 0;
        for (List<Integer> members : byGroup.values()) {
            double total = 0;
            for (int i : members) {
                total += c.lambda()[i];
                for (int p = 0; p < d; p++) nx[j * d + p] += c.lambda()[i] * c.x()[i * d + p];
                predicted[j] += c.lambda()[i] * c.q()[i];
            }
            predicted[j] /= total;
            for (int p = 0; p < d; p++) nx[j * d + p] /= total;
            nl[j] = total;
            nlab[j] = c.labels()[members.get(0)];
            nsrc[j] = members.get(0);
            if (members.size() >= 2) merged++;
            j++;
        }
        Verification v = verify(c, nx, m, nl, nlab, nsrc, predicted, null);
        return new Alternative("merge", "every group of support points with the same label and pattern replaced by its λ-weighted mean, λ' = Σλ (Lemma 2); "
                + merged + " group(s) of two or more", m, c.support().length, null, null, null, null, v, nx, nlab, nl, nsrc, d);
    }

    /** Recomputes everything on the alternative dataset from scratch. */
    private static Verification verify(Context c, double[] nx, int m, double[] nl, int[] nlab, int[] src, double[] predicted, double[] steps) {
        PerSampleGradients h = new PerSampleGradients(c.model(), nx, m);
        double[] ny = TrueDataKkt.signs(nlab), coeff = new double[m];
        for (int j = 0; j < m; j++) coeff[j] = nl[j] * ny[j];
        double after = h.stationarityResidual(coeff);
        List<double[]> comb = h.combination(coeff);
        double diff = 0;
        for (int p = 0; p < comb.size(); p++) {
            for (int k = 0; k < comb.get(p).length; k++) {
                double e = comb.get(p)[k] - c.trueCombination().get(p)[k];
                diff += e * e;
            }
        }
        int changes = 0;
        double[] f = h.outputs();
        double maxMargin = 0, minMargin = Double.POSITIVE_INFINITY, scale = 0;
        for (int i : c.support()) scale += Math.abs(c.q()[i]) / c.support().length;
        for (int j = 0; j < m; j++) {
            if (!Arrays.equals(h.pattern(j), c.gradients().pattern(src[j]))) changes++;
            double qj = ny[j] * f[j];
            minMargin = Math.min(minMargin, qj);
            maxMargin = Math.max(maxMargin, Math.abs(qj - predicted[j]) / scale);
        }
        double[] dist = nearestDistances(nx, m, c.x(), c.n(), c.d());
        int farther = 0;
        if (steps != null) for (int j = 0; j < m; j++) if (dist[j] >= steps[j] * (1 - 1e-9)) farther++;
        double r = c.residual();
        return new Verification(r, after, r > 0 ? Math.abs(after - r) / r : Math.abs(after - r),
                Math.sqrt(diff) / c.thetaNorm(), changes == 0, changes, maxMargin, minMargin, Stats.of(dist), farther);
    }

    /** For each of the m query rows, the Euclidean distance to the nearest of the n reference rows. */
    public static double[] nearestDistances(double[] queries, int m, double[] refs, int n, int d) {
        double[] out = new double[m];
        for (int j = 0; j < m; j++) {
            double best = Double.POSITIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int p = 0; p < d; p++) {
                    double e = queries[j * d + p] - refs[i * d + p];
                    s += e * e;
                }
                best = Math.min(best, s);
            }
            out[j] = Math.sqrt(best);
        }
        return out;
    }

    /** The support points grouped by (label, pattern over all layers), in order of first appearance. */
    static Map<Integer, List<Integer>> mergeGroups(Context c) {
        List<boolean[]> keys = new ArrayList<>();
        List<Integer> keyLabels = new ArrayList<>();
        Map<Integer, List<Integer>> groups = new LinkedHashMap<>();
        for (int i : c.support()) {
            boolean[] p = c.gradients().pattern(i);
            int found = -1;
            for (int k = 0; k < keys.size() && found < 0; k++) {
                if (keyLabels.get(k) == c.labels()[i] && Arrays.equals(keys.get(k), p)) found = k;
            }
            if (found < 0) {
                keys.add(p);
                keyLabels.add(c.labels()[i]);
                found = keys.size() - 1;
            }
            groups.computeIfAbsent(found, k -> new ArrayList<>()).add(i);
        }
        return groups;
    }

    private static int nearestPatternDistance(Context c) {
        int[] support = c.support();
        int best = Integer.MAX_VALUE;
        for (int a = 0; a < support.length; a++) {
            boolean[] pa = c.gradients().pattern(support[a]);
            for (int b = a + 1; b < support.length; b++) {
                if (c.labels()[support[a]] != c.labels()[support[b]]) continue;
                boolean[] pb = c.gradients().pattern(support[b]);
                int h = 0;
                for (int k = 0; k < pa.length; k++) if (pa[k] != pb[k]) h++;
                best = Math.min(best, h);
            }
        }
        return best == Integer.MAX_VALUE ? -1 : best;
    }

    /**
     * Theorem 5 as reconstructed (reconstruction.md §4): with the KKT coefficients a_ki = λ*_i y_i δ_{1,i,k} of the
     * first-layer rows (w_k ≈ Σ_i a_ki x_i), |w_k·v| ≤ ‖a_k‖σ_min, so the first-layer pattern of x_i holds for
     * t &lt; min_k |z_ik|/(‖a_k‖σ_min). Reported against the actual first-layer limit min_k |z_ik|/|w_k·v|, which
     * also sees the part of w_k that the KKT combination does not explain ({@code maxViolation} = max_k
     * |w_k·v| − ‖a_k‖σ_min, ≤ 0 when the bound holds).
     */
    private static SingularBound singularBound(Context c, double[] v, double sigma) {
        PerSampleGradients g = c.gradients();
        int n = c.n();
        double[] z = g.preActivations(0), delta = g.firstLayerDeltas();
        int h = z.length / n;
        double[] aNorm = new double[h];
        for (int i = 0; i < n; i++) {
            double ci = c.lambda()[i] * c.y()[i];
            for (int k = 0; k < h; k++) aNorm[k] += Math.pow(ci * delta[i * h + k], 2);
        }
        for (int k = 0; k < h; k++) aNorm[k] = Math.sqrt(aNorm[k]);
        double[] wv = g.firstLayerImage(v);
        double violation = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < h; k++) violation = Math.max(violation, Math.abs(wv[k]) - aNorm[k] * sigma);
        int[] support = c.support();
        double[] predicted = new double[support.length], actual = new double[support.length];
        for (int a = 0; a < support.length; a++) {
            int i = support[a];
            double tb = Double.POSITIVE_INFINITY, ta = Double.POSITIVE_INFINITY;
            for (int k = 0; k < h; k++) {
                double zi = Math.abs(z[i * h + k]);
                if (aNorm[k] > 0) tb = Math.min(tb, zi / (aNorm[k] * sigma));
                if (wv[k] != 0) ta = Math.min(ta, zi / Math.abs(wv[k]));
            }
            predicted[a] = tb;
            actual[a] = ta;
        }
        return new SingularBound(sigma, Stats.of(predicted), Stats.of(actual), violation);
    }

    static double norm(double[] v) {
        double s = 0;
        for (double a : v) s += a * a;
        return Math.sqrt(s);
    }
}
