package org.imprint.kernels;

import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Binding to a native OpenBLAS (CBLAS GEMM and the Fortran LAPACK routines it contains) through
 * {@code java.lang.foreign}.
 *
 * <p>Which library, chosen once at class initialization by {@code -Dimprint.openblas=...}:
 * <ul>
 *   <li>{@code auto} (default): the OpenBLAS bundled in the {@code org.bytedeco:openblas} jar, or, if that cannot be
 *       loaded (another platform), the system's {@code libopenblas.so.0};
 *   <li>{@code bundled} or {@code system}: only that one; a file path: that library (GEMM only, see below);
 *   <li>{@code none}: no native library at all (pure-Java fallbacks everywhere).
 * </ul>
 * Why bundled first, measured on Zen 4: GEMM runs at the same speed in the bundled 0.3.31 and Debian's 0.3.21
 * (within 3%), and with two threads Debian's LAPACK is faster on 4096×64 (SVD 3.7 against 5.2 ms, QR 2.0 against
 * 3.5 ms), but Debian's parallel {@code dgesv} (its {@code getrf_parallel} keeps about 0.5 MB of job tables on the
 * stack) kills the JVM with SIGSEGV when called from a thread with Java's default 1 MB stack, and the bundled build
 * does not; the bundled library is also the same on every machine. For that reason LAPACK is only ever taken from
 * the bundled library: with any other library only GEMM is native and {@link #hasLapack()} is false. The bundled library is extracted by JavaCPP's
 * {@code Loader.cacheResource} into its cache folder ({@code ~/.javacpp/cache}) and opened directly; JavaCPP's own
 * JNI wrappers are not loaded (they would load a second copy of OpenBLAS, with a second thread pool). Loading
 * never throws: on failure {@link #isAvailable()} is false and {@link #failureReason()} says why.
 *
 * <p>GEMM downcalls use {@link Linker.Option#critical(boolean) critical(true)}, so Java heap arrays are passed
 * without copying; the price is that a GEMM call delays safepoints (and so GC) in other threads for its duration.
 * LAPACK calls are ordinary downcalls on native memory, column-major as Fortran expects; the callers in
 * {@code org.imprint.linalg} fill it with a transposed copy of their row-major input, and each wrapper here
 * queries and allocates the optimal workspace itself.
 *
 * <p>Threads: at load time OpenBLAS is set to use every available processor, unless the environment variable
 * {@code OPENBLAS_NUM_THREADS} is set, which is then respected.
 */
@SuppressWarnings("restricted")  // native access is the point of this class; the launcher and tests enable it
public final class OpenBlas {
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;
    private static final String[] LAPACK_SYMBOLS = {"dgeqrf_", "sgeqrf_", "dorgqr_", "sorgqr_", "dgesdd_",
        "sgesdd_", "dsyevd_", "ssyevd_", "dgesv_", "dgelsd_"};
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;

    /** The bound functions; LAPACK handles are null when the library lacks them. */
    private record Natives(String description, MethodHandle dgemm, MethodHandle sgemm, MethodHandle setThreads,
                           MethodHandle getThreads, MethodHandle dgeqrf, MethodHandle sgeqrf, MethodHandle dorgqr,
                           MethodHandle sorgqr, MethodHandle dgesdd, MethodHandle sgesdd, MethodHandle dsyevd,
                           MethodHandle ssyevd, MethodHandle dgesv, MethodHandle dgelsd) {
        boolean lapack() {
            return dgelsd != null;
        }
    }

    private static final String FAILURE;
    private static final Natives N;

    static {
        List<String> failures = new ArrayList<>();
        Natives loaded = null;
        for (Candidate candidate : candidates(failures)) {
            try {
                loaded = bind(candidate, candidate.open());
                break;
            } catch (Throwable e) {
                failures.add(candidate.name + ": " + oneLine(e));
            }
        }
        N = loaded;
        FAILURE = loaded != null ? null
                : failures.isEmpty() ? "no OpenBLAS library found" : String.join("; ", failures);
    }

    private OpenBlas() {}

    /** True when a native OpenBLAS with CBLAS GEMM is loaded. */
    public static boolean isAvailable() {
        return N != null;
    }

    /** True when the loaded OpenBLAS also exports the LAPACK routines used by {@code org.imprint.linalg}. */
    public static boolean hasLapack() {
        return N != null && N.lapack();
    }

    /** e.g. {@code "OpenBLAS 0.3.31 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64 (core Haswell) from the org.bytedeco:openblas jar"}; null if none. */
    public static String description() {
        return N == null ? null : N.description;
    }

    /** Why no native library is loaded (one line); null when one is. */
    public static String failureReason() {
        return FAILURE;
    }

    // The count set by setThreads (what callers asked for) and the count OpenBLAS runs with now, which a product
    // or factorization may lower for itself (useThreads); 0 until first read from the library.
    private static volatile int configured, current;

    /** Sets OpenBLAS's thread count; {@code n >= 1}. No effect when not loaded. */
    public static void setThreads(int n) {
        if (N == null) return;
        configured = n;
        apply(n);
    }

    /** OpenBLAS's configured thread count (see {@link #setThreads}), or 1 when not loaded. */
    public static int threads() {
        if (N == null) return 1;
        if (configured == 0) {
            try {
                configured = (int) N.getThreads.invokeExact();
            } catch (Throwable e) {
                throw rethrow(e);
            }
            current = configured;
        }
        return configured;
    }

    /**
     * Runs the next calls on {@code n} threads (at most the configured count), calling into the library only when
     * that changes: openblas_set_num_threads costs microseconds, too much to pay twice around every small product.
     * Other Java threads' calls may see the lowered count; that changes their speed, not their results.
     */
    static void useThreads(int n) {
        if (N == null) return;
        int want = Math.max(1, Math.min(n, threads()));
        if (current != want) apply(want);
    }

    private static void apply(int n) {
        try {
            N.setThreads.invokeExact(n);
        } catch (Throwable e) {
            throw rethrow(e);
        }
        current = n;
    }

    /**
     * Row-major {@code cblas_dgemm}: C = alpha·op(A)·op(B) + beta·C on heap or native segments starting at the
     * matrices' first elements. No argument checks: callers ({@link Blas}) validate shapes and bounds.
     */
    static void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha, MemorySegment a, int lda,
                      MemorySegment b, int ldb, double beta, MemorySegment c, int ldc) {
        try {
            N.dgemm.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k,
                    alpha, a, lda, b, ldb, beta, c, ldc);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** Row-major {@code cblas_sgemm}; see {@link #dgemm}. */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, int lda,
                      MemorySegment b, int ldb, float beta, MemorySegment c, int ldc) {
        try {
            N.sgemm.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k,
                    alpha, a, lda, b, ldb, beta, c, ldc);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    // ---- LAPACK: column-major native segments; each returns LAPACK's INFO (0 = success) ----

    /** {@code dgeqrf}: Householder QR of the column-major m×n A; A is overwritten by R and the reflectors. */
    public static int dgeqrf(int m, int n, MemorySegment a, int lda, MemorySegment tau) {
        return geqrf(lapack().dgeqrf, ValueLayout.JAVA_DOUBLE, m, n, a, lda, tau);
    }

    /** {@code sgeqrf}; see {@link #dgeqrf}. */
    public static int sgeqrf(int m, int n, MemorySegment a, int lda, MemorySegment tau) {
        return geqrf(lapack().sgeqrf, ValueLayout.JAVA_FLOAT, m, n, a, lda, tau);
    }

    /** {@code dorgqr}: overwrites A with the m×n Q formed from the first k reflectors of {@link #dgeqrf}. */
    public static int dorgqr(int m, int n, int k, MemorySegment a, int lda, MemorySegment tau) {
        return orgqr(lapack().dorgqr, ValueLayout.JAVA_DOUBLE, m, n, k, a, lda, tau);
    }

    /** {@code sorgqr}; see {@link #dorgqr}. */
    public static int sorgqr(int m, int n, int k, MemorySegment a, int lda, MemorySegment tau) {
        return orgqr(lapack().sorgqr, ValueLayout.JAVA_FLOAT, m, n, k, a, lda, tau);
    }

    /**
     * {@code dgesdd} (divide and conquer SVD) of the column-major m×n A, destroyed; jobz 'S' fills the column-major
     * m×min(m,n) U and min(m,n)×n Vᵀ.
     */
    public static int dgesdd(char jobz, int m, int n, MemorySegment a, int lda, MemorySegment s, MemorySegment u,
                             int ldu, MemorySegment vt, int ldvt) {
        return gesdd(lapack().dgesdd, ValueLayout.JAVA_DOUBLE, jobz, m, n, a, lda, s, u, ldu, vt, ldvt);
    }

    /** {@code sgesdd}; see {@link #dgesdd}. */
    public static int sgesdd(char jobz, int m, int n, MemorySegment a, int lda, MemorySegment s, MemorySegment u,
                             int ldu, MemorySegment vt, int ldvt) {
        return gesdd(lapack().sgesdd, ValueLayout.JAVA_FLOAT, jobz, m, n, a, lda, s, u, ldu, vt, ldvt);
    }

    /** {@code dsyevd}: eigenvalues (ascending, into w) and, with jobz 'V', eigenvectors (columns, over A). */
    public static int dsyevd(char jobz, char uplo, int n, MemorySegment a, int lda, MemorySegment w) {
        return syevd(lapack().dsyevd, ValueLayout.JAVA_DOUBLE, jobz, uplo, n, a, lda, w);
    }

    /** {@code ssyevd}; see {@link #dsyevd}. */
    public static int ssyevd(char jobz, char uplo, int n, MemorySegment a, int lda, MemorySegment w) {
        return syevd(lapack().ssyevd, ValueLayout.JAVA_FLOAT, jobz, uplo, n, a, lda, w);
    }

    /** {@code dgesv}: LU with partial pivoting of the column-major n×n A and solve; B (n×nrhs) becomes X. */
    public static int dgesv(int n, int nrhs, MemorySegment a, int lda, MemorySegment b, int ldb) {
        MethodHandle handle = lapack().dgesv;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(INT);
            MemorySegment pivots = arena.allocate(INT, Math.max(1, n));
            handle.invokeExact(i32(arena, n), i32(arena, nrhs), a, i32(arena, lda), pivots, b, i32(arena, ldb), info);
            return info.get(INT, 0);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /**
     * {@code dgelsd}: minimum-norm least squares min‖A X − B‖ through the SVD (A column-major m×n, destroyed; B
     * column-major with ldb ≥ max(m, n), overwritten by X in its first n rows). Singular values go to s (min(m,n));
     * σ ≤ rcond·σ_max count as zero. Returns {INFO, rank}.
     */
    public static int[] dgelsd(int m, int n, int nrhs, MemorySegment a, int lda, MemorySegment b, int ldb,
                               MemorySegment s, double rcond) {
        MethodHandle handle = lapack().dgelsd;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(INT);
            MemorySegment rank = arena.allocate(INT);
            MemorySegment rcondSegment = arena.allocateFrom(ValueLayout.JAVA_DOUBLE, rcond);
            MemorySegment query = arena.allocate(ValueLayout.JAVA_DOUBLE);
            MemorySegment iquery = arena.allocate(INT, 1);
            handle.invokeExact(i32(arena, m), i32(arena, n), i32(arena, nrhs), a, i32(arena, lda), b, i32(arena, ldb),
                    s, rcondSegment, rank, query, i32(arena, -1), iquery, info);
            if (info.get(INT, 0) != 0) return new int[] {info.get(INT, 0), 0};
            int lwork = workspace(query.get(ValueLayout.JAVA_DOUBLE, 0));
            int liwork = Math.max(1, iquery.get(INT, 0));
            MemorySegment work = arena.allocate(ValueLayout.JAVA_DOUBLE, lwork);
            MemorySegment iwork = arena.allocate(INT, liwork);
            handle.invokeExact(i32(arena, m), i32(arena, n), i32(arena, nrhs), a, i32(arena, lda), b, i32(arena, ldb),
                    s, rcondSegment, rank, work, i32(arena, lwork), iwork, info);
            return new int[] {info.get(INT, 0), rank.get(INT, 0)};
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /**
     * The narrow-side size up to which QR and SVD run single-threaded. Measured on Zen 4 with the bundled
     * OpenBLAS 0.3.31 (4096×64): two threads made QR 3× and SVD 2.6× slower than one (12.5 vs 4.2 ms, 14.0 vs
     * 5.3 ms), its panel factorizations being too thin to split; one thread beats NumPy's two.
     */
    static final int SINGLE_THREAD_NARROW_SIDE = 256;

    /** One thread for a tall-skinny factorization, the configured count otherwise. */
    private static void threadsForFactorization(int m, int n) {
        useThreads(Math.min(m, n) > SINGLE_THREAD_NARROW_SIDE ? threads() : 1);
    }

    private static int geqrf(MethodHandle handle, ValueLayout element, int m, int n, MemorySegment a, int lda,
                             MemorySegment tau) {
        threadsForFactorization(m, n);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(INT);
            MemorySegment query = arena.allocate(element);
            handle.invokeExact(i32(arena, m), i32(arena, n), a, i32(arena, lda), tau, query, i32(arena, -1), info);
            if (info.get(INT, 0) != 0) return info.get(INT, 0);
            int lwork = workspace(read(query, element));
            MemorySegment work = arena.allocate(element, lwork);
            handle.invokeExact(i32(arena, m), i32(arena, n), a, i32(arena, lda), tau, work, i32(arena, lwork), info);
            return info.get(INT, 0);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    private static int orgqr(MethodHandle handle, ValueLayout element, int m, int n, int k, MemorySegment a, int lda,
                             MemorySegment tau) {
        threadsForFactorization(m, n);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(INT);
            MemorySegment query = arena.allocate(element);
            handle.invokeExact(i32(arena, m), i32(arena, n), i32(arena, k), a, i32(arena, lda), tau, query,
                    i32(arena, -1), info);
            if (info.get(INT, 0) != 0) return info.get(INT, 0);
            int lwork = workspace(read(query, element));
            MemorySegment work = arena.allocate(element, lwork);
            handle.invokeExact(i32(arena, m), i32(arena, n), i32(arena, k), a, i32(arena, lda), tau, work,
                    i32(arena, lwork), info);
            return info.get(INT, 0);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    private static int gesdd(MethodHandle handle, ValueLayout element, char jobz, int m, int n, MemorySegment a,
                             int lda, MemorySegment s, MemorySegment u, int ldu, MemorySegment vt, int ldvt) {
        threadsForFactorization(m, n);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(INT);
            MemorySegment job = arena.allocateFrom(ValueLayout.JAVA_BYTE, (byte) jobz);
            MemorySegment iwork = arena.allocate(INT, 8L * Math.max(1, Math.min(m, n)));
            MemorySegment query = arena.allocate(element);
            handle.invokeExact(job, i32(arena, m), i32(arena, n), a, i32(arena, lda), s, u, i32(arena, ldu), vt,
                    i32(arena, ldvt), query, i32(arena, -1), iwork, info, 1L);
            if (info.get(INT, 0) != 0) return info.get(INT, 0);
            int lwork = workspace(read(query, element));
            MemorySegment work = arena.allocate(element, lwork);
            handle.invokeExact(job, i32(arena, m), i32(arena, n), a, i32(arena, lda), s, u, i32(arena, ldu), vt,
                    i32(arena, ldvt), work, i32(arena, lwork), iwork, info, 1L);
            return info.get(INT, 0);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    private static int syevd(MethodHandle handle, ValueLayout element, char jobz, char uplo, int n, MemorySegment a,
                             int lda, MemorySegment w) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(INT);
            MemorySegment job = arena.allocateFrom(ValueLayout.JAVA_BYTE, (byte) jobz);
            MemorySegment triangle = arena.allocateFrom(ValueLayout.JAVA_BYTE, (byte) uplo);
            MemorySegment query = arena.allocate(element);
            MemorySegment iquery = arena.allocate(INT);
            handle.invokeExact(job, triangle, i32(arena, n), a, i32(arena, lda), w, query, i32(arena, -1), iquery,
                    i32(arena, -1), info, 1L, 1L);
            if (info.get(INT, 0) != 0) return info.get(INT, 0);
            int lwork = workspace(read(query, element));
            int liwork = Math.max(1, iquery.get(INT, 0));
            MemorySegment work = arena.allocate(element, lwork);
            MemorySegment iwork = arena.allocate(INT, liwork);
            handle.invokeExact(job, triangle, i32(arena, n), a, i32(arena, lda), w, work, i32(arena, lwork), iwork,
                    i32(arena, liwork), info, 1L, 1L);
            return info.get(INT, 0);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    private static Natives lapack() {
        if (!hasLapack()) {
            throw new IllegalStateException("native LAPACK is not available: "
                    + (N == null ? FAILURE : N.description + " has no LAPACK"));
        }
        return N;
    }

    private static MemorySegment i32(Arena arena, int value) {
        return arena.allocateFrom(INT, value);
    }

    private static double read(MemorySegment scalar, ValueLayout element) {
        return element == ValueLayout.JAVA_FLOAT ? scalar.get(ValueLayout.JAVA_FLOAT, 0)
                : scalar.get(ValueLayout.JAVA_DOUBLE, 0);
    }

    /** A workspace size from a LAPACK query, rounded up (float queries lose low digits of large sizes). */
    private static int workspace(double query) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, Math.ceil(query * (1 + 1e-6)) + 1));
    }

    private static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException r) return r;
        if (e instanceof Error err) throw err;
        return new IllegalStateException("native call failed: " + e, e);
    }

    private static String oneLine(Throwable e) {
        String msg = e.getMessage();
        return (e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg)).replace('\n', ' ');
    }

    // ---- loading ----

    /** A library to try: a file, a bundled resource to extract first, or a bare name for the dynamic loader. */
    private record Candidate(String name, Path path, String bareName, boolean bundled) {
        SymbolLookup open() throws Exception {
            if (bundled) return SymbolLookup.libraryLookup(extractBundled(), Arena.global());
            if (path != null) return SymbolLookup.libraryLookup(path, Arena.global());
            return SymbolLookup.libraryLookup(bareName, Arena.global());
        }
    }

    private static List<Candidate> candidates(List<String> failures) {
        String choice = System.getProperty("imprint.openblas", "auto").trim();
        Path debian = Path.of("/usr/lib/x86_64-linux-gnu/libopenblas.so.0");
        Candidate system = Files.exists(debian)
                ? new Candidate("system " + debian, debian, null, false)
                : new Candidate("system libopenblas.so.0", null, "libopenblas.so.0", false);
        Candidate bundled = new Candidate("bundled org.bytedeco:openblas", null, null, true);
        return switch (choice.toLowerCase(Locale.ROOT)) {
            case "none", "java" -> {
                failures.add("disabled by -Dimprint.openblas=" + choice);
                yield List.of();
            }
            case "bundled" -> List.of(bundled);
            case "system" -> List.of(system);
            case "auto", "" -> List.of(bundled, system);
            default -> List.of(new Candidate("-Dimprint.openblas=" + choice, Path.of(choice), null, false));
        };
    }

    /**
     * Extracts the bundled libopenblas (and the Fortran runtime it needs, found through its {@code $ORIGIN} run
     * path) from the {@code org.bytedeco:openblas} platform jar into JavaCPP's cache folder; returns its path.
     */
    private static Path extractBundled() throws Exception {
        String platform = org.bytedeco.javacpp.Loader.getPlatform();
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String library;
        String[] dependencies;
        if (os.contains("linux")) {
            library = "libopenblas.so.0";
            dependencies = new String[] {"libgcc_s.so.1", "libquadmath.so.0", "libgfortran.so.5"};
        } else if (os.contains("mac")) {
            library = "libopenblas.0.dylib";
            dependencies = new String[] {"libgcc_s.1.1.dylib", "libquadmath.0.dylib", "libgfortran.5.dylib"};
        } else {
            throw new UnsupportedOperationException("no bundled OpenBLAS layout known for " + platform);
        }
        String folder = "/org/bytedeco/openblas/" + platform + "/";
        if (OpenBlas.class.getResource(folder + library) == null) {
            throw new UnsupportedOperationException("no " + library + " for " + platform
                    + " on the class path (the openblas jar with classifier " + platform + " is missing)");
        }
        for (String dependency : dependencies) {
            if (OpenBlas.class.getResource(folder + dependency) != null) {
                org.bytedeco.javacpp.Loader.cacheResource(OpenBlas.class, folder + dependency);
            }
        }
        File file = org.bytedeco.javacpp.Loader.cacheResource(OpenBlas.class, folder + library);
        if (file == null) throw new IllegalStateException("JavaCPP could not extract " + folder + library);
        return file.toPath();
    }

    private static Natives bind(Candidate candidate, SymbolLookup lookup) {
        Linker linker = Linker.nativeLinker();
        ValueLayout.OfDouble d = ValueLayout.JAVA_DOUBLE;
        ValueLayout.OfFloat f = ValueLayout.JAVA_FLOAT;
        ValueLayout p = ValueLayout.ADDRESS;
        ValueLayout.OfLong len = ValueLayout.JAVA_LONG;  // gfortran's hidden CHARACTER length arguments
        Linker.Option critical = Linker.Option.critical(true);

        MethodHandle dgemm = linker.downcallHandle(require(lookup, "cblas_dgemm"),
                FunctionDescriptor.ofVoid(INT, INT, INT, INT, INT, INT, d, p, INT, p, INT, d, p, INT), critical);
        MethodHandle sgemm = linker.downcallHandle(require(lookup, "cblas_sgemm"),
                FunctionDescriptor.ofVoid(INT, INT, INT, INT, INT, INT, f, p, INT, p, INT, f, p, INT), critical);
        MethodHandle setThreads = linker.downcallHandle(require(lookup, "openblas_set_num_threads"),
                FunctionDescriptor.ofVoid(INT));
        MethodHandle getThreads = linker.downcallHandle(require(lookup, "openblas_get_num_threads"),
                FunctionDescriptor.of(INT));

        // LAPACK only from the bundled build: older system builds crash in parallel dgesv (see the class comment).
        boolean lapack = candidate.bundled && Arrays.stream(LAPACK_SYMBOLS).allMatch(s -> lookup.find(s).isPresent());
        MethodHandle[] h = new MethodHandle[LAPACK_SYMBOLS.length];
        if (lapack) {
            FunctionDescriptor geqrf = FunctionDescriptor.ofVoid(repeat(p, 8));
            FunctionDescriptor orgqr = FunctionDescriptor.ofVoid(repeat(p, 9));
            FunctionDescriptor gesdd = FunctionDescriptor.ofVoid(append(repeat(p, 14), len));
            FunctionDescriptor syevd = FunctionDescriptor.ofVoid(append(append(repeat(p, 11), len), len));
            FunctionDescriptor[] descriptors = {geqrf, geqrf, orgqr, orgqr, gesdd, gesdd, syevd, syevd,
                FunctionDescriptor.ofVoid(repeat(p, 8)), FunctionDescriptor.ofVoid(repeat(p, 14))};
            for (int i = 0; i < h.length; i++) {
                h[i] = linker.downcallHandle(require(lookup, LAPACK_SYMBOLS[i]), descriptors[i]);
            }
        }

        String env = System.getenv("OPENBLAS_NUM_THREADS");
        if (env == null || env.isBlank()) {
            try {
                setThreads.invokeExact(Runtime.getRuntime().availableProcessors());
            } catch (Throwable e) {
                throw rethrow(e);
            }
        }
        String version = callString(linker, lookup, "openblas_get_config");
        String core = callString(linker, lookup, "openblas_get_corename");
        String where = candidate.path != null ? candidate.path.toString()
                : candidate.bundled ? "the org.bytedeco:openblas jar" : candidate.bareName;
        String description = (version != null ? version : "OpenBLAS (unknown version)")
                + (core != null ? " (core " + core + ")" : "") + (lapack ? "" : ", LAPACK not used") + " from " + where;
        return new Natives(description, dgemm, sgemm, setThreads, getThreads, h[0], h[1], h[2], h[3], h[4], h[5],
                h[6], h[7], h[8], h[9]);
    }

    private static MemoryLayout[] repeat(MemoryLayout layout, int count) {
        MemoryLayout[] layouts = new MemoryLayout[count];
        Arrays.fill(layouts, layout);
        return layouts;
    }

    private static MemoryLayout[] append(MemoryLayout[] layouts, MemoryLayout last) {
        MemoryLayout[] longer = Arrays.copyOf(layouts, layouts.length + 1);
        longer[layouts.length] = last;
        return longer;
    }

    private static MemorySegment require(SymbolLookup lookup, String name) {
        return lookup.find(name).orElseThrow(() -> new IllegalStateException("symbol " + name + " not found"));
    }

    private static String callString(Linker linker, SymbolLookup lookup, String name) {
        Optional<MemorySegment> symbol = lookup.find(name);
        if (symbol.isEmpty()) return null;
        try {
            MethodHandle handle = linker.downcallHandle(symbol.get(), FunctionDescriptor.of(ValueLayout.ADDRESS));
            MemorySegment text = (MemorySegment) handle.invokeExact();
            return text.equals(MemorySegment.NULL) ? null : text.reinterpret(4096).getString(0).trim();
        } catch (Throwable e) {
            return null;
        }
    }
}
