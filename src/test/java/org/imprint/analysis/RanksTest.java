package org.imprint.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RanksTest {
    @Test void averageRanksHandleTies() {
        assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, Ranks.averageRanks(new double[] {0.1, 0.5, 0.5, 2}), 0);
    }

    @Test void spearmanAgainstHandComputedValues() {
        assertEquals(1.0, Ranks.spearman(new double[] {1, 2, 3, 4}, new double[] {10, 20, 30, 100}), 1e-15);
        assertEquals(-1.0, Ranks.spearman(new double[] {1, 2, 3, 4}, new double[] {4, 3, 2, 1}), 1e-15);
        // scipy.stats.spearmanr([1,2,3,4,5],[2,1,4,3,5]).correlation == 0.8
        assertEquals(0.8, Ranks.spearman(new double[] {1, 2, 3, 4, 5}, new double[] {2, 1, 4, 3, 5}), 1e-15);
    }
}
