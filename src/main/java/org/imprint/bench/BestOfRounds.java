package org.imprint.bench;

import java.util.function.IntToDoubleFunction;

/**
 * Imprint's side of a side-by-side benchmark: timing rounds run on demand (one before each PyTorch run, see
 * {@link PythonReference#fastestTorch}), the best round kept, and topped up to as many rounds as PyTorch got.
 */
final class BestOfRounds implements Runnable {
    private final IntToDoubleFunction round; // round index (0, 1, …) → that round's time in ms
    private int done;
    private double best = Double.POSITIVE_INFINITY;

    BestOfRounds(IntToDoubleFunction round) {
        this.round = round;
    }

    /** Runs the next round. */
    @Override
    public void run() {
        best = Math.min(best, round.applyAsDouble(done++));
    }

    /** Runs rounds until {@code rounds} have run, then returns the best time. */
    double best(int rounds) {
        while (done < rounds) run();
        return best;
    }
}
