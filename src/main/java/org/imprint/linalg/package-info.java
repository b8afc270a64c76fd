/**
 * Dense linear algebra on row-major arrays in float64 and float32: thin QR ({@link org.imprint.linalg.Qr}), thin
 * SVD ({@link org.imprint.linalg.Svd}), symmetric eigendecomposition ({@link org.imprint.linalg.Eigh}), linear
 * solves and least squares ({@link org.imprint.linalg.Solve}) and non-negative least squares
 * ({@link org.imprint.linalg.Nnls}). Each routine runs on LAPACK from the native OpenBLAS when
 * {@link org.imprint.kernels.OpenBlas#hasLapack()} is true and on a pure-Java implementation otherwise; a
 * {@link org.imprint.linalg.Backend} argument picks one explicitly. Inputs are never modified and must be finite.
 */
package org.imprint.linalg;
