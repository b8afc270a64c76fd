package org.imprint.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the reference scripts of the benchmarks ({@code scripts/*.py}, under Debian's {@code /usr/bin/python3}
 * with its python3-numpy / python3-torch) and reads the one JSON object each prints on stdout.
 */
final class PythonReference {
    private PythonReference() {}

    /** What went wrong when a reference could not be run: printed instead of its figures. */
    static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }
    }

    /**
     * A script given relative to the repository root ({@code scripts/NAME.py}): looked up under the working
     * directory, then above the code location ({@code target/imprint.jar} or {@code target/classes}).
     */
    static Path findScript(String relative) throws Unavailable {
        List<Path> candidates = new ArrayList<>();
        candidates.add(Path.of(relative));
        try {
            CodeSource source = PythonReference.class.getProtectionDomain().getCodeSource();
            if (source != null) {
                for (Path dir = Path.of(source.getLocation().toURI()); dir != null; dir = dir.getParent()) {
                    candidates.add(dir.resolve(relative));
                }
            }
        } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
            // no usable code location: only the working directory is searched
        }
        for (Path c : candidates) if (Files.isRegularFile(c)) return c.toAbsolutePath();
        throw new Unavailable("cannot find " + relative + " (run from the repository, or keep the jar in target/)");
    }

    /** Debian's python3 first (it has the apt-installed numpy and torch), then python3 on the PATH. */
    static String python() throws Unavailable {
        if (Files.isExecutable(Path.of("/usr/bin/python3"))) return "/usr/bin/python3";
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path c = Path.of(dir, "python3");
                if (Files.isExecutable(c)) return c.toString();
            }
        }
        throw new Unavailable("no python3 found");
    }

    /** Runs {@code python script args…} with extra environment variables; returns its stdout parsed as JSON. */
    static JsonNode run(Path script, List<String> args, Map<String, String> env, long timeoutMinutes, String installHint)
            throws Unavailable {
        List<String> command = new ArrayList<>();
        command.add(python());
        command.add(script.toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        Path errFile = null;
        try {
            errFile = Files.createTempFile("imprint-bench-", ".stderr");
            builder.redirectError(errFile.toFile()); // a file, so a chatty stderr cannot block the stdout pipe
            Process p = builder.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new Unavailable(script.getFileName() + " timed out");
            }
            byte[] err = Files.readAllBytes(errFile);
            String text = new String(out, StandardCharsets.UTF_8).trim();
            if (p.exitValue() != 0 || text.isEmpty()) {
                String last = new String(err, StandardCharsets.UTF_8).strip().lines().reduce((a, b) -> b).orElse("");
                throw new Unavailable(script.getFileName() + " failed (exit " + p.exitValue() + ": " + last + "); " + installHint);
            }
            return new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new Unavailable("cannot run " + script.getFileName() + ": " + e.getMessage() + "; " + installHint);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted");
        } finally {
            if (errFile != null) {
                try {
                    Files.deleteIfExists(errFile);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            }
        }
    }
}
