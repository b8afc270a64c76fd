package org.imprint.cli;

import org.imprint.kernels.Blas;
import picocli.CommandLine.IVersionProvider;

/** {@code --version}: Imprint's version, the JVM, and the BLAS backend in use. */
public final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {
            "imprint " + (v == null ? "(development build)" : v),
            "java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
            "blas " + Blas.backend()};
    }
}
