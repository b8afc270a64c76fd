package org.imprint.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.imprint.kernels.Blas;
import org.imprint.linalg.Qr;
import org.imprint.linalg.Svd;

/**
 * Kernel benchmark: Imprint's GEMM, thin SVD and thin QR timed side by side with NumPy on the same shapes, dtypes
 * and thread counts. Each figure is the median of repeated timings taken after a separate warm-up. NumPy runs in a
 * subprocess ({@code scripts/bench_kernels_numpy.py} under {@code $IMPRINT_PYTHON}, {@code /usr/bin/python3} or
 * {@code python3}) with
 * {@code OPENBLAS_NUM_THREADS} and {@code OMP_NUM_THREADS} set to the thread count.
 *
 * <p>Shapes: GEMM (m×k)·(k×n) for 1024³, 256³ and (4096×1024)·(1024×64); SVD and QR of 4096×64; f64 and f32.
 */
public final class KernelBench {
    /** Script path relative to the repository root. */
    public static final String NUMPY_SCRIPT = "scripts/bench_kernels_numpy.py";
    private static final String INSTALL_HINT = "apt-get install python3-numpy libopenblas0-pthread";

    /** One operation to time. */
    record Case(String op, String dtype, int m, int n, int k) {
        String shape() {
            return op.equals("gemm") ? m + "x" + k + " * " + k + "x" + n : m + "x" + n;
        }

        /** Floating-point operations of one GEMM; 0 for factorizations (reported in ms). */
        double flops() {
            return op.equals("gemm") ? 2.0 * m * n * k : 0.0;
        }
    }

    /** One row of the report. numpy fields are null when NumPy did not run. */
    public record Row(String op, String dtype, String shape, int threads, double imprintSeconds, Double numpySeconds,
                      Double imprintGflops, Double numpyGflops, Double speedRatio) {}

    private final List<Integer> threadCounts;
    private final double minSeconds;
    private final boolean runNumpy;
    private final PrintWriter out;

    /**
     * @param threadCounts thread counts to measure at, each ≥ 1
     * @param minSeconds time spent timing each measurement (the warm-up comes on top), &gt; 0
     * @param runNumpy whether to run the NumPy side
     * @param out where the table and notes go
     */
    public KernelBench(List<Integer> threadCounts, double minSeconds, boolean runNumpy, PrintWriter out) {
        for (int t : threadCounts) {
            if (t < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + t);
        }
        if (!(minSeconds > 0) || Double.isInfinite(minSeconds)) {
            throw new IllegalArgumentException("min time must be a positive number of seconds, got " + minSeconds);
        }
        this.threadCounts = List.copyOf(threadCounts);
        this.minSeconds = minSeconds;
        this.runNumpy = runNumpy;
        this.out = out;
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (String dtype : List.of("f64", "f32")) {
            cases.add(new Case("gemm", dtype, 1024, 1024, 1024));
            cases.add(new Case("gemm", dtype, 256, 256, 256));
            cases.add(new Case("gemm", dtype, 4096, 64, 1024));
            cases.add(new Case("svd", dtype, 4096, 64, 64));
            cases.add(new Case("qr", dtype, 4096, 64, 64));
        }
        return cases;
    }

    /** Runs everything, prints the table and returns its rows; writes them as JSON when {@code json} is not null. */
    public List<Row> run(Path json) throws IOException, InterruptedException {
        out.println("Imprint backend: " + Blas.backend());
        Path script = runNumpy ? findScript() : null;
        String python = runNumpy ? findPython() : null;
        boolean numpy = runNumpy;
        JsonNode numpyInfo = null;
        if (numpy && script == null) {
            out.println("NumPy: skipped, " + NUMPY_SCRIPT + " not found next to the working directory or the jar");
            numpy = false;
        } else if (numpy && python == null) {
            out.println("NumPy: skipped, no python3 found; install it with: " + INSTALL_HINT);
            numpy = false;
        }
        if (numpy) {
            numpyInfo = runNumpy(python, script, 1, true);
            if (numpyInfo == null) numpy = false;
            else describeNumpy(numpyInfo);
        }
        int originalThreads = Blas.threads();
        List<Row> rows = new ArrayList<>();
        try {
            for (int threads : threadCounts) {
                Blas.setThreads(threads);
                Map<String, Double> imprint = new LinkedHashMap<>();
                for (Case c : cases()) imprint.put(key(c), timeImprint(c));
                Map<String, Double> reference = new LinkedHashMap<>();
                if (numpy) {
                    JsonNode result = runNumpy(python, script, threads, false);
                    if (result != null) {
                        for (JsonNode r : result.get("results")) {
                            Case c = new Case(r.get("op").asText(), r.get("dtype").asText(), r.get("m").asInt(),
                                    r.get("n").asInt(), r.get("k").asInt());
                            reference.put(key(c), r.get("seconds").asDouble());
                        }
                    }
                }
                for (Case c : cases()) {
                    double mine = imprint.get(key(c));
                    Double theirs = reference.get(key(c));
                    Double myRate = c.flops() > 0 ? c.flops() / mine / 1e9 : null;
                    Double theirRate = c.flops() > 0 && theirs != null ? c.flops() / theirs / 1e9 : null;
                    Double ratio = theirs != null ? theirs / mine : null;
                    rows.add(new Row(c.op, c.dtype, c.shape(), threads, mine, theirs, myRate, theirRate, ratio));
                }
            }
        } finally {
            Blas.setThreads(originalThreads);
        }
        printTable(rows);
        if (json != null) writeJson(json, rows, numpyInfo);
        return rows;
    }

    private static String key(Case c) {
        return c.op + "/" + c.dtype + "/" + c.m + "/" + c.n + "/" + c.k;
    }

    /** Median seconds of one Imprint call of the case, after a warm-up. */
    private double timeImprint(Case c) {
        Random random = new Random(42);
        Runnable call;
        if (c.op.equals("gemm")) {
            if (c.dtype.equals("f64")) {
                double[] a = gaussian(random, c.m * c.k), b = gaussian(random, c.k * c.n), out = new double[c.m * c.n];
                call = () -> Blas.dgemm(false, false, c.m, c.n, c.k, 1.0, a, 0, c.k, b, 0, c.n, 0.0, out, 0, c.n);
            } else {
                float[] a = gaussianF(random, c.m * c.k), b = gaussianF(random, c.k * c.n), out = new float[c.m * c.n];
                call = () -> Blas.sgemm(false, false, c.m, c.n, c.k, 1f, a, 0, c.k, b, 0, c.n, 0f, out, 0, c.n);
            }
        } else if (c.dtype.equals("f64")) {
            double[] a = gaussian(random, c.m * c.n);
            call = c.op.equals("svd") ? () -> Svd.factor(a, c.m, c.n) : () -> Qr.factor(a, c.m, c.n);
        } else {
            float[] a = gaussianF(random, c.m * c.n);
            call = c.op.equals("svd") ? () -> Svd.factor(a, c.m, c.n) : () -> Qr.factor(a, c.m, c.n);
        }
        return medianSeconds(call, minSeconds);
    }

    /** Warm-up for max(0.3·minSeconds, 0.05 s), then times calls for minSeconds (at least 5); returns the median. */
    static double medianSeconds(Runnable call, double minSeconds) {
        long warmEnd = System.nanoTime() + (long) (Math.max(0.3 * minSeconds, 0.05) * 1e9);
        call.run();
        while (System.nanoTime() < warmEnd) call.run();
        List<Double> times = new ArrayList<>();
        long end = System.nanoTime() + (long) (minSeconds * 1e9);
        while (System.nanoTime() < end || times.size() < 5) {
            long start = System.nanoTime();
            call.run();
            times.add((System.nanoTime() - start) / 1e9);
        }
        times.sort(null);
        return times.get(times.size() / 2);
    }

    private void describeNumpy(JsonNode info) {
        List<String> libraries = new ArrayList<>();
        info.get("libraries").forEach(l -> libraries.add(l.asText()));
        out.println("NumPy " + info.get("numpy").asText() + ", build config: " + info.get("config").asText()
                + ", BLAS/LAPACK loaded: " + (libraries.isEmpty() ? "(none found)" : String.join(", ", libraries))
                + PythonReference.referenceKernelNote().replaceFirst("^, ", ", run with "));
        if (!info.get("openblas").asBoolean()) {
            out.println("WARNING: NumPy is not using OpenBLAS (reference BLAS?); its figures are not a fair baseline."
                    + " Install OpenBLAS with: " + INSTALL_HINT);
        }
    }

    /** Runs the NumPy script; returns its JSON, or null (with a printed reason) when it fails. */
    private JsonNode runNumpy(String python, Path script, int threads, boolean infoOnly)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(python, script.toString(), "--min-time",
                String.format(Locale.ROOT, "%.3f", minSeconds)));
        if (infoOnly) command.add("--info-only");
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(PythonReference.referenceEnvironment());
        builder.environment().put("OPENBLAS_NUM_THREADS", Integer.toString(threads));
        builder.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
        builder.redirectErrorStream(false);
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            out.println("NumPy: cannot run " + python + " (" + e.getMessage() + "); install it with: " + INSTALL_HINT);
            return null;
        }
        byte[] stdout = process.getInputStream().readAllBytes();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            out.println("NumPy: timed out; its figures are missing");
            return null;
        }
        String text = new String(stdout, StandardCharsets.UTF_8).trim();
        if (process.exitValue() != 0 || text.isEmpty()) {
            out.println("NumPy: " + python + " " + script + " failed (exit " + process.exitValue()
                    + "); is numpy installed? Install it with: " + INSTALL_HINT);
            return null;
        }
        return new ObjectMapper().readTree(text);
    }

    private void printTable(List<Row> rows) {
        out.println();
        out.printf(Locale.ROOT, "%-5s %-5s %-22s %7s %14s %14s %8s%n", "op", "dtype", "shape", "threads",
                "Imprint", "NumPy", "speed");
        for (Row r : rows) {
            String mine = r.imprintGflops() != null ? String.format(Locale.ROOT, "%.1f GFLOP/s", r.imprintGflops())
                    : String.format(Locale.ROOT, "%.2f ms", r.imprintSeconds() * 1e3);
            String theirs = r.numpySeconds() == null ? "-"
                    : r.numpyGflops() != null ? String.format(Locale.ROOT, "%.1f GFLOP/s", r.numpyGflops())
                    : String.format(Locale.ROOT, "%.2f ms", r.numpySeconds() * 1e3);
            String ratio = r.speedRatio() == null ? "-" : String.format(Locale.ROOT, "%.2f", r.speedRatio());
            out.printf(Locale.ROOT, "%-5s %-5s %-22s %7d %14s %14s %8s%n", r.op(), r.dtype(), r.shape(), r.threads(),
                    mine, theirs, ratio);
        }
        out.println("speed = Imprint speed / NumPy speed (> 1: Imprint faster); medians after warm-up.");
        out.flush();
    }

    private void writeJson(Path json, List<Row> rows, JsonNode numpyInfo) throws IOException {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("imprintBackend", Blas.backend());
        if (numpyInfo != null) {
            ObjectNode numpy = numpyInfo.deepCopy();
            numpy.remove("results");      // the info-only run: no timings, one thread
            numpy.remove("threads_env");
            document.put("numpy", numpy);
        } else {
            document.put("numpy", null);
        }
        document.put("minSeconds", minSeconds);
        document.put("rows", rows);
        Path target = json.toAbsolutePath();
        Path folder = target.getParent();
        Files.createDirectories(folder);
        Path temp = Files.createTempFile(folder, target.getFileName().toString(), ".tmp");
        try {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(temp.toFile(), document);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        out.println("wrote " + target);
    }

    /**
     * The NumPy script: {@value #NUMPY_SCRIPT} under the working directory, else next to the code location (the
     * repository root is the parent of {@code target/} for {@code target/imprint.jar} and of {@code target/classes}).
     */
    static Path findScript() {
        List<Path> candidates = new ArrayList<>();
        candidates.add(Path.of(NUMPY_SCRIPT));
        try {
            CodeSource source = KernelBench.class.getProtectionDomain().getCodeSource();
            if (source != null) {
                Path location = Path.of(source.getLocation().toURI());
                for (Path dir = location; dir != null; dir = dir.getParent()) candidates.add(dir.resolve(NUMPY_SCRIPT));
            }
        } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
            // no usable code location: only the working directory is searched
        }
        for (Path candidate : candidates) if (Files.isRegularFile(candidate)) return candidate.toAbsolutePath();
        return null;
    }

    /** {@code $IMPRINT_PYTHON} if set, else {@code /usr/bin/python3} (Debian's, with python3-numpy), else python3 on PATH. */
    private static String findPython() {
        String override = System.getenv("IMPRINT_PYTHON");
        if (override != null && !override.isBlank()) return override;
        if (Files.isExecutable(Path.of("/usr/bin/python3"))) return "/usr/bin/python3";
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, "python3");
            if (Files.isExecutable(candidate)) return candidate.toString();
        }
        return null;
    }

    private static double[] gaussian(Random random, int count) {
        double[] x = new double[count];
        for (int i = 0; i < count; i++) x[i] = random.nextGaussian();
        return x;
    }

    private static float[] gaussianF(Random random, int count) {
        float[] x = new float[count];
        for (int i = 0; i < count; i++) x[i] = (float) random.nextGaussian();
        return x;
    }
}
