package org.imprint.train;

/**
 * Hyperparameters of one training run.
 *
 * @param loss             training loss
 * @param lr               base learning rate η
 * @param batchSize        samples per step; 0 = full batch (gradient descent)
 * @param schedule         learning-rate schedule over epochs
 * @param normalized       normalised GD: the step is η/L(θ) (Lyu &amp; Li 2020), reaching the KKT regime faster
 * @param epochs           epoch budget
 * @param lossThreshold    stop once the training loss is below this (0 disables)
 * @param logEvery         log (and evaluate the test set) every this many epochs
 * @param seed             seed of mini-batch shuffling (epoch e uses a stream derived from (seed, e))
 */
public record TrainConfig(Loss loss, double lr, int batchSize, Schedule schedule, boolean normalized,
                          long epochs, double lossThreshold, long logEvery, long seed) {
    public TrainConfig {
        if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("learning rate should be > 0 but is: " + lr);
        if (batchSize < 0) throw new IllegalArgumentException("batch size should be >= 0 (0 = full batch) but is: " + batchSize);
        if (epochs < 0) throw new IllegalArgumentException("epochs should be >= 0 but is: " + epochs);
        if (!(lossThreshold >= 0)) throw new IllegalArgumentException("loss threshold should be >= 0 but is: " + lossThreshold);
        if (logEvery <= 0) throw new IllegalArgumentException("log interval should be > 0 but is: " + logEvery);
    }
}
