/**
 * Optimizers with PyTorch's shape: parameter groups, per-parameter state created lazily, hyperparameters
 * validated in the constructor, state saved and restored with checkpoints.
 */
package org.imprint.optim;
