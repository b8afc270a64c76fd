package org.imprint.linalg;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.imprint.kernels.OpenBlas;
import org.junit.jupiter.api.BeforeAll;

/** {@link DenseContract} on native LAPACK (skipped where OpenBLAS with LAPACK cannot be loaded). */
class LinalgNativeTest extends DenseContract {
    @BeforeAll
    static void requireNative() {
        assumeTrue(OpenBlas.hasLapack(), "no native LAPACK: " + OpenBlas.failureReason());
    }

    @Override
    Backend backend() {
        return Backend.NATIVE;
    }
}
