package org.imprint.optim;

import java.util.Locale;

/**
 * Which side of an m×n weight the low-rank basis lives on. LEFT: Q is m×r and the projected gradient is QᵀG
 * (r×n), as SUMO's paper writes it for m ≥ n. RIGHT: Q is n×r and the projected gradient is G·Q (m×r).
 * SHORTER: GaLore's "std" rule, which SUMO's code follows: RIGHT when m ≥ n, else LEFT, so the shorter
 * dimension is compressed. The state has r·(m + n) floats either way.
 */
public enum ProjectionSide {
    SHORTER, LEFT, RIGHT;

    /** Whether the optimizer works on Gᵀ (a right projection is a left projection of the transpose). */
    boolean transposed(int m, int n) {
        return this == RIGHT || (this == SHORTER && m >= n);
    }

    public static ProjectionSide parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("projection side should be shorter, left or right but is: " + s);
        }
    }
}
