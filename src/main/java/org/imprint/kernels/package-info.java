/**
 * Low-level numeric kernels shared by every other package: matrix products ({@link org.imprint.kernels.Blas})
 * and the native binding to OpenBLAS and its LAPACK ({@link org.imprint.kernels.OpenBlas}). OpenBLAS is taken from
 * the {@code org.bytedeco:openblas} jar (or the system library) and called through {@code java.lang.foreign};
 * when no native library can be loaded, a pure-Java GEMM ({@link org.imprint.kernels.JavaGemm}) takes over,
 * and {@link org.imprint.kernels.Blas#backend()} says which one is in use and why. {@link org.imprint.kernels.Branchless}
 * holds the bit-level selects that keep elementwise loops vectorised.
 */
package org.imprint.kernels;
