package org.imprint.linalg;

import org.imprint.kernels.OpenBlas;

/** Which implementation a linear-algebra routine runs on. */
public enum Backend {
    /** LAPACK when the native OpenBLAS with LAPACK is loaded, pure Java otherwise. */
    AUTO,
    /** LAPACK from the native OpenBLAS; {@link IllegalStateException} when it is not loaded. */
    NATIVE,
    /** The pure-Java implementations (Householder QR, one-sided Jacobi SVD, Jacobi eigensolver, LU). */
    JAVA;

    /** True when this choice runs natively; throws if {@link #NATIVE} is asked for but unavailable. */
    boolean useNative() {
        return switch (this) {
            case AUTO -> OpenBlas.hasLapack();
            case JAVA -> false;
            case NATIVE -> {
                if (!OpenBlas.hasLapack()) {
                    throw new IllegalStateException("native LAPACK unavailable: "
                            + (OpenBlas.isAvailable() ? OpenBlas.description() + " has no LAPACK" : OpenBlas.failureReason()));
                }
                yield true;
            }
        };
    }
}
