package org.imprint.attacks.provable;

import java.util.ArrayList;
import java.util.List;
import org.imprint.analysis.Roc;
import org.imprint.io.BadInputException;

/**
 * Membership inference on a binary network f (Smorodinsky, Vardi &amp; Safran 2024, §4): at a KKT point of the
 * max-margin problem on nearly orthogonal data every training point sits on the margin, |f(x_i)| = m, while a
 * fresh point has |f(x)| = o(m) (Thm 4.2). The test is label-free: member ⇔ |f(x)| ≥ c·m for a fixed c ∈ (0, 1),
 * with m known (Cor. 4.3), taken from one leaked member (Cor. 4.4) or replaced by a lower bound (Cor. 4.5).
 *
 * <p>Baselines (they need the label y of the queried point): the confidence y·f(x) and the loss threshold
 * −log(1 + e^{−y f(x)}). For one logistic output the loss is a decreasing function of y·f, so both rank points
 * identically and have the same ROC; both are reported because other losses would separate them. The loss score
 * is ranked on a log scale, −log ℓ, because ℓ itself underflows to 0 beyond y·f ≈ 745 and would tie the points
 * of largest margin (a ROC depends only on the order of the scores).
 *
 * <p>Members are the positive class of every ROC.
 */
public final class MembershipInference {
    private MembershipInference() {}

    /** A membership score: higher means "member". */
    public enum Score {
        /** |f(x)|: the paper's label-free statistic. */
        ABS_OUTPUT("|f(x)| (label-free, the paper's test)"),
        /** y·f(x). */
        CONFIDENCE("y*f(x) (confidence)"),
        /** −ℓ(y·f(x)) with ℓ the logistic loss, ranked as −log ℓ (same order, no underflow). */
        NEGATIVE_LOSS("-loss (loss threshold)");

        public final String description;

        Score(String description) {
            this.description = description;
        }

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The score of each output; {@code signs} may be null for {@link #ABS_OUTPUT}. */
        public double[] of(double[] outputs, double[] signs) {
            double[] s = new double[outputs.length];
            for (int i = 0; i < s.length; i++) {
                s[i] = switch (this) {
                    case ABS_OUTPUT -> Math.abs(outputs[i]);
                    case CONFIDENCE -> signs[i] * outputs[i];
                    case NEGATIVE_LOSS -> -logSoftplus(-signs[i] * outputs[i]);
                };
            }
            return s;
        }
    }

    /**
     * log(log(1 + e^z)) without underflow: for z &lt; −30, log(1 + e^z) = e^z (1 − e^z/2 + …), so its log is
     * z + log1p(−e^z/2 + …); otherwise the direct formula (log(1 + e^−30) ≈ 9e−14 is still exact enough).
     */
    static double logSoftplus(double z) {
        if (z < -30) return z + Math.log1p(-0.5 * Math.exp(z));
        return Math.log(UnivariateTraining.softplus(z));
    }

    /** The ROC summary of one score. */
    public record ScoreResult(Score score, Roc roc) {
        public double tprAt(double fpr) {
            return roc.tprAtFpr(fpr);
        }
    }

    /**
     * The paper's decision rule and how it did.
     *
     * @param fraction  c
     * @param margin    the m used (with its source)
     * @param threshold c·m
     * @param rates     TPR (members flagged) and FPR (non-members flagged)
     */
    public record ThresholdTest(double fraction, Margin margin, double threshold, Roc.Rates rates) {}

    /** Everything evaluated on one member / non-member sample. */
    public record Report(List<ScoreResult> scores, ThresholdTest test, int members, int nonMembers) {
        public ScoreResult score(Score s) {
            for (ScoreResult r : scores) if (r.score() == s) return r;
            throw new IllegalArgumentException("no result for " + s);
        }
    }

    /**
     * Evaluates the label-free test at c·m and the ROCs of all scores.
     *
     * @param memberOutputs    f(x) of the training points
     * @param memberSigns      their labels ±1
     * @param nonMemberOutputs f(x) of fresh points
     * @param nonMemberSigns   their labels ±1
     * @param margin           m for the decision rule
     * @param fraction         c ∈ (0, 1]
     */
    public static Report evaluate(double[] memberOutputs, double[] memberSigns, double[] nonMemberOutputs, double[] nonMemberSigns,
                                  Margin margin, double fraction) {
        if (!(fraction > 0 && fraction <= 1)) throw new BadInputException("the threshold fraction c must be in (0, 1], got " + fraction);
        if (memberOutputs.length == 0 || nonMemberOutputs.length == 0) {
            throw new BadInputException("membership inference needs members and non-members (" + memberOutputs.length + " and " + nonMemberOutputs.length + ")");
        }
        List<ScoreResult> results = new ArrayList<>();
        for (Score s : Score.values()) {
            results.add(new ScoreResult(s, Roc.ofMembers(s.of(memberOutputs, memberSigns), s.of(nonMemberOutputs, nonMemberSigns))));
        }
        double threshold = fraction * margin.value();
        double[] abs = concat(Score.ABS_OUTPUT.of(memberOutputs, null), Score.ABS_OUTPUT.of(nonMemberOutputs, null));
        boolean[] isMember = new boolean[abs.length];
        java.util.Arrays.fill(isMember, 0, memberOutputs.length, true);
        ThresholdTest test = new ThresholdTest(fraction, margin, threshold, Roc.ratesAt(abs, isMember, threshold));
        return new Report(results, test, memberOutputs.length, nonMemberOutputs.length);
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = new double[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
