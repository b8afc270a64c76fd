/**
 * The numerical core: dense float64/float32 tensors, their ops, and reverse-mode automatic
 * differentiation whose backward rules are themselves tensor ops (so gradients of gradients work).
 * Matrix products go to {@link org.imprint.kernels.Blas}; dense factorizations live in
 * {@link org.imprint.linalg}.
 */
package org.imprint.tensor;
