package org.imprint.attacks.reconstruction;

import java.util.Locale;
import org.imprint.io.BadInputException;

/** What the victim was trained for, which fixes the form of the stationarity condition. */
public enum Variant {
    /** Binary classifier, margin y·f: θ = Σ_j λ_j y_j ∇_θ f(x_j), λ ≥ 0, λ_min penalty (Haim et al. 2022). */
    BINARY,
    /** C outputs, margin f_y − max_{k≠y} f_k against the runner-up class (Buzaglo et al. 2023). */
    MULTICLASS,
    /** Trained with weight decay: every sample carries weight, λ_j &gt; 0 is enforced (Buzaglo et al. 2023). */
    WEIGHT_DECAY,
    /** Regression: θ = Σ_j λ_j ∇_θ f(x_j) with no labels and λ of free sign, no λ_min penalty. */
    REGRESSION,
    /** The papers' baseline: −(mean_{y=+1} f − mean_{y=−1} f) plus the box prior; yields class prototypes. */
    NAIVE;

    public static Variant parse(String s) {
        try {
            return valueOf(s.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("unknown attack variant '" + s + "' (binary, multiclass, weight-decay, regression, naive)");
        }
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
