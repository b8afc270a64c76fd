package org.imprint.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.imprint.kernels.Blas;

/** What produced a result: Imprint's version and commit, the JVM, the BLAS backend, the time. */
final class Provenance {
    private Provenance() {}

    static ObjectNode json(ObjectMapper mapper) {
        ObjectNode o = mapper.createObjectNode();
        String v = Provenance.class.getPackage().getImplementationVersion();
        o.put("imprint", v == null ? "development build" : v);
        String commit = System.getenv("IMPRINT_GIT_COMMIT");
        o.put("commit", commit == null || commit.isBlank() ? "unknown" : commit);
        o.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        o.put("blas", Blas.backend());
        o.put("blas_threads", Blas.threads());
        o.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        o.put("cores", Runtime.getRuntime().availableProcessors());
        o.put("created", Instant.now().toString());
        return o;
    }
}
