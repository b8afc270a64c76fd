package org.imprint.tensor;

import java.util.SplittableRandom;

/**
 * Seeded random numbers for initialisation and sampling. Draws are sequential (SplittableRandom's
 * SplitMix64 stream) and normals use the Box–Muller transform written out here, so a seed gives the same
 * bits on every run, JDK and thread count. {@link #split()} derives an independent child stream
 * deterministically, for work that is handed to other threads.
 */
public final class Rng {
    private final SplittableRandom random;
    private double spareGaussian;
    private boolean hasSpare;

    public Rng(long seed) {
        this.random = new SplittableRandom(seed);
    }

    private Rng(SplittableRandom random) {
        this.random = random;
    }

    /** Uniform on [0, 1) with 53 random bits. */
    public double nextDouble() {
        return random.nextDouble();
    }

    /** Uniform integer in [0, bound). */
    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    public long nextLong() {
        return random.nextLong();
    }

    /** Standard normal by Box–Muller: z = √(−2 ln u₁)·cos(2πu₂), the sine branch kept for the next call. */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spareGaussian;
        }
        double u1 = 1.0 - random.nextDouble(); // in (0, 1], so the log is finite
        double u2 = random.nextDouble();
        double r = Math.sqrt(-2.0 * Math.log(u1));
        spareGaussian = r * Math.sin(2 * Math.PI * u2);
        hasSpare = true;
        return r * Math.cos(2 * Math.PI * u2);
    }

    /** An independent generator derived deterministically from this one's state. */
    public Rng split() {
        return new Rng(random.split());
    }

    /** A uniformly random permutation of 0..n−1 (Fisher–Yates). */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
