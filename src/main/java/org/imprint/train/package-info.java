/**
 * Training of victim networks the way the reconstruction papers train them: small initialisation,
 * logistic (or exponential, cross-entropy, MSE) loss, full-batch gradient descent for a long time so the
 * parameters approach a KKT point of the max-margin problem; logging of margins, checkpoints and resume.
 */
package org.imprint.train;
