package org.imprint.linalg;

/** {@link DenseContract} on the pure-Java implementations. */
class LinalgJavaTest extends DenseContract {
    @Override
    Backend backend() {
        return Backend.JAVA;
    }
}
