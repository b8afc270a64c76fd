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

    /** How to install the PyTorch reference. */
    static final String TORCH_INSTALL_HINT = "install PyTorch with: apt-get install python3-torch";

    /**
     * The environment every reference run gets: {@code OPENBLAS_CORETYPE} pinned to the kernel that Imprint's own
     * OpenBLAS detected on this CPU, unless the caller's environment already sets it. An older OpenBLAS (Debian 12
     * ships 0.3.21) does not recognise newer CPUs and falls back to its generic Prescott kernel — 1.3-3x slower
     * GEMM on the Sapphire Rapids-class machine these benchmarks were run on — which would flatter Imprint.
     */
    static Map<String, String> referenceEnvironment() {
        if (System.getenv("OPENBLAS_CORETYPE") != null) return Map.of();
        String core = detectedCore(org.imprint.kernels.Blas.backend());
        return core == null ? Map.of() : Map.of("OPENBLAS_CORETYPE", core);
    }

    /** The kernel name in a backend description such as "... (core Cooperlake) ...", or null. */
    static String detectedCore(String backend) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\(core ([A-Za-z0-9_]+)\\)").matcher(backend);
        return m.find() ? m.group(1) : null;
    }

    /** How the reference's kernel was chosen, for the benchmark tables. */
    static String referenceKernelNote() {
        String core = referenceEnvironment().get("OPENBLAS_CORETYPE");
        return core == null ? "" : ", OPENBLAS_CORETYPE=" + core;
    }

    /** A PyTorch thread setting: torch's own threads and the environment of the process. */
    record TorchSetting(String name, int torchThreads, Map<String, String> env) {}

    /**
     * The settings a fair PyTorch baseline is tried under on a small machine (java-stack.md): its OpenMP and
     * OpenBLAS threads can fight each other on 2 cores, so the fastest of these is kept.
     */
    static List<TorchSetting> torchSettings(int threads) {
        String t = Integer.toString(threads);
        return List.of(
                new TorchSetting("torch threads " + t + ", OMP_WAIT_POLICY=passive", threads,
                        Map.of("OMP_NUM_THREADS", t, "OPENBLAS_NUM_THREADS", t, "OMP_WAIT_POLICY", "passive")),
                new TorchSetting("torch threads 1, OpenBLAS threads " + t, 1,
                        Map.of("OMP_NUM_THREADS", "1", "OPENBLAS_NUM_THREADS", t)),
                new TorchSetting("torch threads " + t + ", default OpenMP policy", threads,
                        Map.of("OMP_NUM_THREADS", t, "OPENBLAS_NUM_THREADS", t)));
    }

    /** The fastest PyTorch run: its JSON, its time and the setting that gave it. */
    record Fastest(JsonNode result, double ms, String setting) {}

    /**
     * Runs a PyTorch script once per {@link #torchSettings} (appending {@code --torch-threads N}) and keeps the run
     * whose {@code timesField} array has the smallest median (or minimum, with {@code bestOf}).
     */
    static Fastest fastestTorch(Path script, List<String> args, int threads, String timesField, boolean bestOf) throws Unavailable {
        return fastestTorch(script, args, threads, timesField, bestOf, () -> {});
    }

    /** How many PyTorch runs {@link #fastestTorch} makes; Imprint's side gets as many timing rounds. */
    static int rounds(int threads) {
        return torchSettings(threads).size();
    }

    /**
     * {@link #fastestTorch(Path, List, int, String, boolean)}, running {@code imprintRound} before each PyTorch run:
     * both sides are timed in the same number of rounds, interleaved, so that a slow spell of the machine hits
     * both and each side keeps its best round.
     */
    static Fastest fastestTorch(Path script, List<String> args, int threads, String timesField, boolean bestOf, Runnable imprintRound)
            throws Unavailable {
        Fastest best = null;
        for (TorchSetting s : torchSettings(threads)) {
            imprintRound.run();
            List<String> a = new ArrayList<>(args);
            a.add("--torch-threads");
            a.add(Integer.toString(s.torchThreads()));
            JsonNode r = run(script, a, s.env(), 30, TORCH_INSTALL_HINT);
            double ms = bestOf ? min(r.get(timesField)) : median(r.get(timesField));
            if (best == null || ms < best.ms()) best = new Fastest(r, ms, s.name() + referenceKernelNote() + " (torch " + r.get("torch").asText() + ")");
        }
        return best;
    }

    static double median(JsonNode values) {
        double[] v = doubles(values);
        java.util.Arrays.sort(v);
        return v[v.length / 2];
    }

    static double min(JsonNode values) {
        return java.util.Arrays.stream(doubles(values)).min().orElse(Double.NaN);
    }

    private static double[] doubles(JsonNode values) {
        double[] v = new double[values.size()];
        for (int i = 0; i < v.length; i++) v[i] = values.get(i).asDouble();
        return v;
    }

    /** The largest relative difference between our values and the reference's, over their common length. */
    static double maxRelDiff(double[] mine, JsonNode theirs) {
        double worst = 0;
        for (int i = 0; i < Math.min(mine.length, theirs.size()); i++) {
            double t = theirs.get(i).asDouble();
            worst = Math.max(worst, Math.abs(mine[i] - t) / Math.max(Math.abs(t), 1e-300));
        }
        return worst;
    }

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
        builder.environment().putAll(referenceEnvironment());
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
