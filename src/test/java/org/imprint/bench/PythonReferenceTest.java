package org.imprint.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Reading the kernel name that the reference runs are pinned to. */
class PythonReferenceTest {
    @Test void theDetectedCoreIsReadFromTheBackendDescription() {
        assertEquals("Cooperlake", PythonReference.detectedCore(
                "OpenBLAS 0.3.31 (native, FFM): OpenBLAS 0.3.31 DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64 (core Cooperlake) from the jar"));
        assertEquals("Haswell", PythonReference.detectedCore("OpenBLAS 0.3.21 (core Haswell), LAPACK not used from libopenblas.so.0"));
        assertNull(PythonReference.detectedCore("pure Java (OpenBLAS unavailable: no library)"));
    }
}
