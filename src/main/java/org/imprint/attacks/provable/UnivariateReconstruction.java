package org.imprint.attacks.provable;

import java.util.ArrayList;
import java.util.List;
import org.imprint.io.BadInputException;

/**
 * The univariate reconstruction attack of Smorodinsky, Vardi &amp; Safran (2024, §3) on a 2-layer ReLU network
 * Φ(x) = Σ_j v_j σ(w_j x + b_j) that sits at (a multiple of) a KKT point of the max-margin problem, given its
 * margin m.
 *
 * <p><b>Pieces.</b> The breakpoints β_j = −b_j/w_j of the (pruned) neurons, sorted and merged, cut the line into
 * pieces I₀ = (−∞, β₁], I_t = [β_t, β_{t+1}], I_K = [β_K, ∞); on each Φ(x) = a_t x + c_t with
 * a_t = Σ_{active j} v_j w_j and c_t = Σ_{active j} v_j b_j (plus v_j σ(b_j) for neurons with w_j = 0). A piece is
 * <i>on the margin</i> when Φ ≡ ±m on it, otherwise <i>off</i>.
 *
 * <p><b>Algorithm 1 (block version).</b> The paper's own text of Algorithm 1 could not be retrieved (only the
 * abstract and introduction of arXiv:2410.07632 are available to us); this is the block reconstruction of
 * the research digest, with the details the digest leaves open fixed as follows. Scan the pieces left to right:
 * <ul>
 *   <li>two adjacent off pieces form a block whose candidates are the ≤ 4 points of their union where
 *       |Φ| = m (Thm 3.2: the union holds a training point on the margin, since three consecutive breakpoints —
 *       or two, next to an unbounded end — cannot all satisfy the KKT breakpoint equation without a margin
 *       point among them);</li>
 *   <li>otherwise, off / on / off forms a block whose candidates are the 2 breakpoints bounding the on piece
 *       (Thm 3.3, under the extra assumptions that θ is a local optimum and one neuron is active on all data);</li>
 *   <li>otherwise the scan moves one piece on.</li>
 * </ul>
 * After a block, the scan skips one piece before the next block may start, so the closed spans of the blocks
 * are disjoint and each block's training point is a different one. Each block then adds ≤ 4 candidates and
 * ≥ 1 distinct training point: at least ¼ of the output set S are training points (Thm 3.4), deterministically.
 *
 * <p><b>Practical variant.</b> Every point of an off piece where |Φ| = m, plus every finite end of an on piece.
 * It contains every margin point (100% recall of the support set under exact KKT) but has no precision
 * guarantee.
 *
 * <p><b>Tolerances</b> ({@link Options}): neurons are pruned below a relative scale (they add no breakpoints,
 * but each piece's line a_t x + c_t is still taken from all neurons active at the piece's midpoint, so the small
 * neurons' summed contribution is not lost); breakpoints closer than
 * {@code mergeTolerance}·max(1, |β|) are merged (mean); a piece is on the margin when |Φ| stays within
 * {@code onMarginTolerance}·m of m with one sign over it (for an unbounded piece: at its finite end, with
 * |slope|·max(1, span of the breakpoints) ≤ that tolerance too); candidate points closer than the merge
 * tolerance are merged.
 */
public final class UnivariateReconstruction {
    private UnivariateReconstruction() {}

    /**
     * Tolerances of the attack.
     *
     * @param pruneRelative     drop neurons with |v|·‖(w, b)‖ below this times the largest (default 1e-3)
     * @param mergeTolerance    merge breakpoints and candidates closer than this, relative to max(1, |x|) (default 1e-6)
     * @param onMarginTolerance a piece is on the margin when ||Φ| − m| ≤ this·m over it (default 1e-3)
     */
    public record Options(double pruneRelative, double mergeTolerance, double onMarginTolerance) {
        public static final Options DEFAULTS = new Options(1e-3, 1e-6, 1e-3);

        public Options {
            if (!(pruneRelative >= 0 && pruneRelative < 1)) throw new BadInputException("--prune must be in [0, 1), got " + pruneRelative);
            if (!(mergeTolerance >= 0) || Double.isInfinite(mergeTolerance)) throw new BadInputException("--merge-tol must be >= 0, got " + mergeTolerance);
            if (!(onMarginTolerance >= 0 && onMarginTolerance < 1)) throw new BadInputException("--on-margin-tol must be in [0, 1), got " + onMarginTolerance);
        }
    }

    /** One linear piece [left, right] (±∞ at the ends) where Φ(x) = slope·x + intercept. */
    public record Piece(double left, double right, double slope, double intercept, boolean onMargin) {
        public double value(double x) {
            return slope * x + intercept;
        }

        public boolean bounded() {
            return Double.isFinite(left) && Double.isFinite(right);
        }
    }

    /** Which theorem a block of Algorithm 1 rests on. */
    public enum Rule {
        /** Two adjacent off-margin pieces: the ≤ 4 points with |Φ| = m (Thm 3.2). */
        OFF_OFF,
        /** Off / on / off: the two breakpoints bounding the on piece (Thm 3.3). */
        OFF_ON_OFF
    }

    /** A block of Algorithm 1: pieces first..last (inclusive) and the candidates it contributes. */
    public record Block(int first, int last, Rule rule, double[] candidates) {}

    /**
     * Everything the attack computed.
     *
     * @param margin        the margin used
     * @param neuronsKept   neurons left after pruning (of {@code neuronsTotal})
     * @param breakpoints   the merged breakpoints β₁ &lt; … &lt; β_K
     * @param pieces        the K + 1 pieces
     * @param blocks        Algorithm 1's blocks
     * @param algorithm1    Algorithm 1's candidate set S (sorted, merged)
     * @param practical     the practical variant's candidate set (sorted, merged)
     */
    public record Result(Margin margin, int neuronsKept, int neuronsTotal, double[] breakpoints, List<Piece> pieces,
                         List<Block> blocks, double[] algorithm1, double[] practical) {
        public int onMarginPieces() {
            int c = 0;
            for (Piece p : pieces) if (p.onMargin()) c++;
            return c;
        }
    }

    /** Runs the attack on {@code net} with margin {@code margin}. */
    public static Result attack(UnivariateNetwork net, Margin margin, Options options) {
        UnivariateNetwork kept = net.prune(options.pruneRelative());
        double m = margin.value();
        double[] beta = breakpoints(kept, options.mergeTolerance());
        // the lines come from every neuron: the pruned ones add no breakpoints, but together they can still
        // shift Φ by a few per cent of m, and m itself was measured on the whole network
        List<Piece> pieces = pieces(net, beta, m, options.onMarginTolerance());
        List<Block> blocks = new ArrayList<>();
        List<Double> s = new ArrayList<>();
        int i = 0;
        while (i < pieces.size()) {
            Piece p = pieces.get(i);
            if (!p.onMargin() && i + 1 < pieces.size() && !pieces.get(i + 1).onMargin()) {
                List<Double> c = new ArrayList<>();
                c.addAll(crossings(p, m));
                c.addAll(crossings(pieces.get(i + 1), m));
                double[] cand = merge(c, options.mergeTolerance());
                blocks.add(new Block(i, i + 1, Rule.OFF_OFF, cand));
                for (double x : cand) s.add(x);
                i += 3; // the block, then one separating piece
            } else if (!p.onMargin() && i + 2 < pieces.size() && pieces.get(i + 1).onMargin() && !pieces.get(i + 2).onMargin()) {
                Piece on = pieces.get(i + 1);
                double[] cand = {on.left(), on.right()};
                blocks.add(new Block(i, i + 2, Rule.OFF_ON_OFF, cand));
                for (double x : cand) s.add(x);
                i += 4;
            } else {
                i++;
            }
        }
        List<Double> practical = new ArrayList<>();
        for (Piece p : pieces) {
            if (p.onMargin()) {
                if (Double.isFinite(p.left())) practical.add(p.left());
                if (Double.isFinite(p.right())) practical.add(p.right());
            } else {
                practical.addAll(crossings(p, m));
            }
        }
        return new Result(margin, kept.width(), net.width(), beta, pieces, blocks,
                merge(s, options.mergeTolerance()), merge(practical, options.mergeTolerance()));
    }

    /** The sorted breakpoints −b_j/w_j of the neurons with w_j ≠ 0, runs closer than tol·max(1, |β|) merged to their mean. */
    static double[] breakpoints(UnivariateNetwork net, double tol) {
        List<Double> raw = new ArrayList<>();
        for (int j = 0; j < net.width(); j++) {
            if (net.w()[j] != 0 && net.v()[j] != 0) raw.add(-net.b()[j] / net.w()[j]);
        }
        return merge(raw, tol);
    }

    /** Sorts and merges runs of values closer than tol·max(1, |x|) into their mean. */
    static double[] merge(List<Double> values, double tol) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).sorted().toArray();
        List<Double> out = new ArrayList<>();
        int i = 0;
        while (i < v.length) {
            int j = i + 1;
            double sum = v[i];
            while (j < v.length && v[j] - v[j - 1] <= tol * Math.max(1, Math.abs(v[j]))) sum += v[j++];
            out.add(sum / (j - i));
            i = j;
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The pieces cut by the breakpoints, each with its slope, intercept and on/off-margin flag. */
    static List<Piece> pieces(UnivariateNetwork net, double[] beta, double m, double tol) {
        int k = beta.length;
        double span = k >= 2 ? beta[k - 1] - beta[0] : 0;
        double reach = Math.max(1, span);
        List<Piece> out = new ArrayList<>();
        for (int t = 0; t <= k; t++) {
            double left = t == 0 ? Double.NEGATIVE_INFINITY : beta[t - 1];
            double right = t == k ? Double.POSITIVE_INFINITY : beta[t];
            double probe;
            if (k == 0) probe = 0;
            else if (t == 0) probe = beta[0] - reach;
            else if (t == k) probe = beta[k - 1] + reach;
            else probe = 0.5 * (left + right);
            double a = 0, c = 0;
            for (int j = 0; j < net.width(); j++) {
                double wj = net.w()[j], bj = net.b()[j], vj = net.v()[j];
                if (wj * probe + bj > 0) {
                    a += vj * wj;
                    c += vj * bj;
                }
            }
            out.add(new Piece(left, right, a, c, onMargin(left, right, a, c, m, tol, reach)));
        }
        return out;
    }

    private static boolean onMargin(double left, double right, double a, double c, double m, double tol, double reach) {
        double band = tol * m;
        if (Double.isFinite(left) && Double.isFinite(right)) {
            double fl = a * left + c, fr = a * right + c;
            return Math.signum(fl) == Math.signum(fr) && Math.abs(Math.abs(fl) - m) <= band && Math.abs(Math.abs(fr) - m) <= band;
        }
        if (Math.abs(a) * reach > band) return false;
        double end = Double.isFinite(left) ? left : Double.isFinite(right) ? right : 0;
        return Math.abs(Math.abs(a * end + c) - m) <= band;
    }

    /** The points of a piece where Φ = +m or Φ = −m (none on a constant piece). */
    static List<Double> crossings(Piece p, double m) {
        List<Double> out = new ArrayList<>();
        if (p.slope() == 0) return out;
        for (double target : new double[] {m, -m}) {
            double x = (target - p.intercept()) / p.slope();
            double slack = 1e-12 * Math.max(1, Math.abs(x));
            if (x >= p.left() - slack && x <= p.right() + slack) out.add(Math.min(Math.max(x, p.left()), p.right()));
        }
        return out;
    }

    /**
     * A margin estimated from the weights alone, with no guarantee: the height |c| shared by the most flat pieces
     * (|slope|·length ≤ tol·|c|, or |slope|·max(1, span) for an unbounded piece), ties broken towards the smallest.
     * A KKT network sits exactly at ±m on its on-margin plateaus, so this finds m when it has any.
     */
    public static Margin estimateMargin(UnivariateNetwork net, Options options) {
        UnivariateNetwork kept = net.prune(options.pruneRelative());
        double[] beta = breakpoints(kept, options.mergeTolerance());
        List<Piece> pieces = pieces(net, beta, 1, 0);
        double span = beta.length >= 2 ? beta[beta.length - 1] - beta[0] : 0;
        double tol = Math.max(options.onMarginTolerance(), 1e-12);
        List<Double> heights = new ArrayList<>();
        for (Piece p : pieces) {
            double h = Math.abs(p.intercept() + p.slope() * (p.bounded() ? 0.5 * (p.left() + p.right()) : Double.isFinite(p.left()) ? p.left() : Double.isFinite(p.right()) ? p.right() : 0));
            double length = p.bounded() ? p.right() - p.left() : Math.max(1, span);
            if (h > 0 && Math.abs(p.slope()) * length <= tol * h) heights.add(h);
        }
        if (heights.isEmpty()) {
            throw new BadInputException("cannot estimate the margin: the network has no flat piece; give --margin or --margin-from-point");
        }
        double[] hs = heights.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double best = hs[0];
        int bestCount = 0;
        for (int i = 0; i < hs.length; ) {
            int j = i;
            while (j < hs.length && hs[j] - hs[i] <= tol * hs[i]) j++;
            if (j - i > bestCount) {
                bestCount = j - i;
                double sum = 0;
                for (int q = i; q < j; q++) sum += hs[q];
                best = sum / (j - i);
            }
            i = j;
        }
        return new Margin(best, Margin.Source.ESTIMATED, "height shared by " + bestCount + " of " + hs.length
                + " flat pieces (heuristic, no guarantee)");
    }
}
