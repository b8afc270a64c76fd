package org.imprint.attacks.provable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.imprint.io.BadInputException;
import org.junit.jupiter.api.Test;

class UnivariateReconstructionTest {
    /**
     * The notebook's trapezoid: Φ = −1 on (−∞, 1], ramp to +1 at 3, plateau +1 on [3, 4], ramp to −1 at 6,
     * plateau −1 on [6, 7], then slope 1. Built as −1 (a w = 0 neuron) + relu(x−1) − relu(x−3) − relu(x−4)
     * + relu(x−6) + relu(x−7). The margin points of such a KKT net are the plateau corners 3, 4 (and 1, 6, 7).
     */
    static UnivariateNetwork trapezoid() {
        return new UnivariateNetwork(
                new double[] {0, 1, 1, 1, 1, 1},
                new double[] {1, -1, -3, -4, -6, -7},
                new double[] {-1, 1, -1, -1, 1, 1});
    }

    @Test void trapezoidPiecesAndCandidates() {
        UnivariateNetwork net = trapezoid();
        assertEquals(1.0, net.value(3), 1e-15);
        assertEquals(-1.0, net.value(6.5), 1e-15);
        var r = UnivariateReconstruction.attack(net, Margin.given(1), UnivariateReconstruction.Options.DEFAULTS);
        assertArrayEquals(new double[] {1, 3, 4, 6, 7}, r.breakpoints(), 1e-12);
        List<UnivariateReconstruction.Piece> p = r.pieces();
        assertEquals(6, p.size());
        boolean[] on = {true, false, true, false, true, false};
        double[] slope = {0, 1, 0, -1, 0, 1};
        for (int i = 0; i < 6; i++) {
            assertEquals(on[i], p.get(i).onMargin(), "piece " + i);
            assertEquals(slope[i], p.get(i).slope(), 1e-15, "slope " + i);
        }
        assertEquals(3, r.onMarginPieces());
        // Algorithm 1: piece 0 is on → skip; 1/2/3 = off/on/off → the corners of [3, 4]; then piece 5 alone
        assertEquals(1, r.blocks().size());
        assertEquals(UnivariateReconstruction.Rule.OFF_ON_OFF, r.blocks().get(0).rule());
        assertArrayEquals(new double[] {3, 4}, r.algorithm1(), 1e-12);
        // practical: every plateau end, plus Φ = +1 at 9 on the last piece
        assertArrayEquals(new double[] {1, 3, 4, 6, 7, 9}, r.practical(), 1e-12);
    }

    @Test void offOffBlockGivesTheMarginCrossings() {
        // Φ = 2 relu(x) − 3 relu(x − 1): 0 on (−∞, 0], 2x on [0, 1], 3 − x on [1, ∞); m = 1
        UnivariateNetwork net = new UnivariateNetwork(new double[] {1, 1}, new double[] {0, -1}, new double[] {2, -3});
        var r = UnivariateReconstruction.attack(net, Margin.given(1), UnivariateReconstruction.Options.DEFAULTS);
        assertEquals(3, r.pieces().size());
        for (var piece : r.pieces()) assertFalse(piece.onMargin());
        assertEquals(1, r.blocks().size());
        assertEquals(UnivariateReconstruction.Rule.OFF_OFF, r.blocks().get(0).rule());
        assertArrayEquals(new double[] {0.5}, r.algorithm1(), 1e-12);
        assertArrayEquals(new double[] {0.5, 2, 4}, r.practical(), 1e-12);
    }

    @Test void blocksAreSeparatedSoEachHasItsOwnTrainingPoint() {
        // a zig-zag with 6 off pieces: blocks (0,1) and (3,4), piece 2 separates them, piece 5 is left over
        UnivariateNetwork net = new UnivariateNetwork(new double[] {1, 1, 1, 1, 1}, new double[] {0, -1, -2, -3, -4},
                new double[] {3, -6, 6, -6, 6});
        var r = UnivariateReconstruction.attack(net, Margin.given(1), UnivariateReconstruction.Options.DEFAULTS);
        assertEquals(6, r.pieces().size());
        assertEquals(2, r.blocks().size());
        assertEquals(0, r.blocks().get(0).first());
        assertEquals(1, r.blocks().get(0).last());
        assertEquals(3, r.blocks().get(1).first());
        for (var b : r.blocks()) assertTrue(b.candidates().length <= 4);
    }

    @Test void pruningAndMergingRemoveTrainingDebris() {
        UnivariateNetwork base = trapezoid();
        // split the neuron at 3 into two halves with a breakpoint 1e-9 apart, and add a negligible neuron at 5
        UnivariateNetwork noisy = new UnivariateNetwork(
                new double[] {0, 1, 1, 1, 1, 1, 1, 1},
                new double[] {1, -1, -3, -3 - 1e-9, -4, -6, -7, -5},
                new double[] {-1, 1, -0.5, -0.5, -1, 1, 1, 1e-9});
        var r = UnivariateReconstruction.attack(noisy, Margin.given(1), UnivariateReconstruction.Options.DEFAULTS);
        var clean = UnivariateReconstruction.attack(base, Margin.given(1), UnivariateReconstruction.Options.DEFAULTS);
        assertEquals(7, r.neuronsKept());
        assertEquals(5, r.breakpoints().length);
        assertArrayEquals(clean.algorithm1(), r.algorithm1(), 1e-8);
        assertArrayEquals(clean.practical(), r.practical(), 1e-8);
    }

    @Test void marginEstimatedFromThePlateaus() {
        Margin m = UnivariateReconstruction.estimateMargin(trapezoid(), UnivariateReconstruction.Options.DEFAULTS);
        assertEquals(1.0, m.value(), 1e-12);
        assertEquals(Margin.Source.ESTIMATED, m.source());
        UnivariateNetwork ramp = new UnivariateNetwork(new double[] {1}, new double[] {0}, new double[] {1});
        assertThrows(BadInputException.class, () -> UnivariateReconstruction.estimateMargin(ramp, UnivariateReconstruction.Options.DEFAULTS));
    }

    @Test void scoresPrecisionRecallAndChance() {
        double[] x = {3, 4, 10}; // Φ(10) = 2: above the margin
        UnivariateNetwork net = trapezoid();
        double[] f = net.values(x);
        double[] y = {1, 1, 1};
        var r = UnivariateReconstruction.attack(net, Margin.given(1), UnivariateReconstruction.Options.DEFAULTS);
        var s = ReconstructionScore.evaluate(r.practical(), x, f, y, 1, 1e-3, 0.01, 0, 10);
        assertEquals(6, s.candidates());
        assertEquals(2, s.hits());
        assertEquals(2 / 6.0, s.precision(), 1e-15);
        assertEquals(2, s.marginPoints());
        assertEquals(1.0, s.recall(), 1e-15);
        assertEquals((2e-3 + 2e-3 + 1e-3) / 10, s.chancePrecision(), 1e-15); // the window at 10 is cut by the range
        // overlapping windows and the range's ends are counted once
        assertEquals((0.5 + 1 + 0.25) / 2, ReconstructionScore.coverage(new double[] {-1, -0.5, 0.75, 1}, 0.5, -1, 1), 1e-15);
    }
}
