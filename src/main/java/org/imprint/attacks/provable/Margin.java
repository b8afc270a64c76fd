package org.imprint.attacks.provable;

import org.imprint.io.BadInputException;

/**
 * The margin m = min_i y_i·Φ(x_i) that the provable attacks need, with where it came from. The theorems assume m
 * is known (Smorodinsky, Vardi &amp; Safran 2024, Cor. 4.3 and the 1-D attack); Cor. 4.4 takes it from one
 * leaked training point, Cor. 4.5 from bounds. Every result records its source, since an estimated or
 * oracle margin changes what the result means.
 *
 * @param value  m &gt; 0
 * @param source how it was obtained
 * @param note   a short human-readable account (e.g. which point it came from)
 */
public record Margin(double value, Source source, String note) {
    /** Where the margin came from. */
    public enum Source {
        /** Given by the attacker (the theorems' assumption). */
        GIVEN,
        /** |Φ(x₀)| of one training point the attacker knows (Cor. 4.4; exact when x₀ is on the margin). */
        KNOWN_POINT,
        /** Only bounds [lo, hi] are known; the value is the lower bound (Cor. 4.5 thresholds at c·lo). */
        LOWER_BOUND,
        /** Estimated from the weights alone (a heuristic, no guarantee). */
        ESTIMATED,
        /** min over the training points with y·Φ &gt; 0 of y·Φ: the evaluator's oracle, as in the authors' code. */
        ORACLE_TRAINING_SET;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    public Margin {
        if (!(value > 0) || Double.isInfinite(value)) throw new BadInputException("the margin must be a positive number, got " + value + " (" + note + ")");
    }

    public static Margin given(double m) {
        return new Margin(m, Source.GIVEN, "given by the attacker");
    }

    /** m := |Φ(x₀)| for a leaked training point x₀ with output {@code outputAtPoint}. */
    public static Margin fromKnownPoint(double outputAtPoint, String which) {
        return new Margin(Math.abs(outputAtPoint), Source.KNOWN_POINT, "|f(x0)| of the known training point " + which);
    }

    /** Bounds lo ≤ m ≤ hi: the value used is lo (thresholds c·lo never exceed c·m). */
    public static Margin fromBounds(double lo, double hi) {
        if (!(lo > 0) || !(hi >= lo)) throw new BadInputException("margin bounds need 0 < lo <= hi, got " + lo + ", " + hi);
        return new Margin(lo, Source.LOWER_BOUND, "known bounds [" + lo + ", " + hi + "]; lower bound used");
    }

    /**
     * The authors' m̂: the smallest positive y_i·f(x_i) over the training set (misclassified points ignored;
     * their count is in the note).
     */
    public static Margin oracle(double[] outputs, double[] signs) {
        double m = Double.POSITIVE_INFINITY;
        int wrong = 0;
        for (int i = 0; i < outputs.length; i++) {
            double q = signs[i] * outputs[i];
            if (q > 0) m = Math.min(m, q);
            else wrong++;
        }
        if (Double.isInfinite(m)) throw new BadInputException("no training point is classified correctly, so there is no margin");
        return new Margin(m, Source.ORACLE_TRAINING_SET, "min positive y*f over the " + outputs.length + " training points"
                + (wrong > 0 ? " (" + wrong + " misclassified, ignored)" : ""));
    }
}
