/**
 * Optimizers with PyTorch's shape: parameter groups, per-parameter state created lazily, hyperparameters
 * validated in the constructor, state saved and restored with checkpoints. In order of complexity:
 * {@link org.imprint.optim.Sgd}, {@link org.imprint.optim.Adam} (Adam and AdamW), {@link org.imprint.optim.Muon},
 * {@link org.imprint.optim.GaLore}, {@link org.imprint.optim.Sumo} (SUMO-SVD and SUMO-NS5), and
 * {@link org.imprint.optim.CompositeOptimizer}, which routes hidden matrices to a matrix optimizer and the rest to
 * AdamW. {@link org.imprint.optim.Optimizers} builds any of them by name; {@link org.imprint.optim.PolarFactor},
 * {@link org.imprint.optim.NewtonSchulz} and {@link org.imprint.optim.Subspace} are the linear algebra they share.
 */
package org.imprint.optim;
