package org.imprint.optim;

import java.util.Locale;

/**
 * How an orthogonalised update O of an m×n weight is scaled so that its size is comparable across shapes
 * (the two conventions discussed in Muon PR #16 and sumo.md §6):
 * <ul>
 *   <li>{@link #NONE}: 1;</li>
 *   <li>{@link #MUON}: √max(1, m/n) (Keller Jordan's muon.py);</li>
 *   <li>{@link #MOONLIGHT}: 0.2·√max(m, n) (Liu et al. 2025, "Muon is scalable", arXiv:2502.16982), which matches
 *       AdamW's update RMS so AdamW learning rates and weight decay transfer; SUMO's code uses it.</li>
 * </ul>
 */
public enum UpdateScale {
    NONE, MUON, MOONLIGHT;

    /** The factor for an m×n (rows × columns) weight. */
    public double factor(int m, int n) {
        return switch (this) {
            case NONE -> 1;
            case MUON -> Math.sqrt(Math.max(1.0, (double) m / n));
            case MOONLIGHT -> 0.2 * Math.sqrt(Math.max(m, n));
        };
    }

    public static UpdateScale parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("update scale should be none, muon or moonlight but is: " + s);
        }
    }
}
