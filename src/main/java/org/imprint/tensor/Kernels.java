package org.imprint.tensor;

import org.imprint.kernels.Branchless;

/**
 * Raw loops behind the tensor ops: elementwise maps, broadcasting binary ops, reductions and copies on
 * row-major {@code double[]} / {@code float[]}. No boxing, no per-element allocation; one pass per call.
 * Reductions run sequentially in a fixed order, so results are bit-identical run to run. float32 sums are
 * accumulated in double.
 */
final class Kernels {
    private Kernels() {}

    /** Elements below which a pass stays on the calling thread (a fork costs more than it saves). */
    static final int PARALLEL_GRAIN = 1 << 15;

    /** A body run over the index range [lo, hi). */
    @FunctionalInterface
    interface Range {
        void run(int lo, int hi);
    }

    /**
     * Runs {@code body} over [0, n) in up to {@link Blas#threads()} contiguous chunks on the common fork-join pool.
     * Only for elementwise work, where every output element depends on its own inputs alone, so the result is
     * bit-identical whatever the split (reductions stay sequential).
     */
    static void parallel(int n, Range body) {
        parallel(n, n, body);
    }

    /** {@link #parallel(int, Range)} over n items that together hold {@code elements} elements. */
    static void parallel(int n, long elements, Range body) {
        int threads = (int) Math.min(Math.min(org.imprint.kernels.Blas.threads(), elements / PARALLEL_GRAIN), n);
        if (threads <= 1) {
            body.run(0, n);
            return;
        }
        java.util.stream.IntStream.range(0, threads).parallel().forEach(c -> body.run((int) ((long) c * n / threads), (int) ((long) (c + 1) * n / threads)));
    }

    enum Unary { NEG, EXP, LOG, SQRT, TANH, SIGMOID, SCALED_SIGMOID, RELU, SOFTPLUS, ABS, SIGN, STEP, POW, SQUARE, SCALE, SHIFT, SIN, COS }

    enum Binary { ADD, SUB, MUL, DIV, GT, GE, LT, EQ, MAX, MIN }

    /** One unary op on one value; {@code p} is the exponent of POW, the factor of SCALE, the offset of SHIFT. */
    static double apply(Unary op, double x, double p) {
        return switch (op) {
            case NEG -> -x;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case TANH -> Math.tanh(x);
            // sigmoid(x) = 1/(1+e^-x), evaluated without overflow on either side.
            case SIGMOID -> sigmoid(x);
            case SCALED_SIGMOID -> sigmoid(p * x);
            case RELU -> Math.max(x, 0.0); // NaN stays NaN, −0 → +0
            // softplus(x) = log(1+e^x) = max(x,0) + log1p(e^-|x|): exact for large |x|.
            case SOFTPLUS -> Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
            case ABS -> Math.abs(x);
            case SIGN -> Math.signum(x);
            case STEP -> Branchless.keepIfPositive(1.0, x);
            case POW -> p == 0.5 ? Math.sqrt(x) : p == -0.5 ? 1.0 / Math.sqrt(x) : p == -1.0 ? 1.0 / x : Math.pow(x, p);
            case SQUARE -> x * x;
            case SCALE -> x * p;
            case SHIFT -> x + p;
            case SIN -> Math.sin(x);
            case COS -> Math.cos(x);
        };
    }

    /** σ(x) = 1/(1+e^−x) with one exponential, no overflow and no branch ({@link Branchless#sigmoid}). */
    static double sigmoid(double x) {
        return Branchless.sigmoid(x);
    }

    static double apply(Binary op, double x, double y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case GT -> x > y ? 1.0 : 0.0;
            case GE -> x >= y ? 1.0 : 0.0;
            case LT -> x < y ? 1.0 : 0.0;
            case EQ -> x == y ? 1.0 : 0.0;
            case MAX -> Math.max(x, y);
            case MIN -> Math.min(x, y);
        };
    }

    // ---------------------------------------------------------------- unary maps

    static void map(Unary op, double p, double[] x, double[] out) {
        parallel(out.length, (lo, n) -> mapRange(op, p, x, out, lo, n));
    }

    private static void mapRange(Unary op, double p, double[] x, double[] out, int lo, int n) {
        switch (op) { // the cheap, hot ops get their own loops so the JIT vectorises them
            case RELU -> { for (int i = lo; i < n; i++) out[i] = Math.max(x[i], 0.0); }
            case STEP -> { for (int i = lo; i < n; i++) out[i] = Branchless.keepIfPositive(1.0, x[i]); }
            case NEG -> { for (int i = lo; i < n; i++) out[i] = -x[i]; }
            case SQUARE -> { for (int i = lo; i < n; i++) out[i] = x[i] * x[i]; }
            case SCALE -> { for (int i = lo; i < n; i++) out[i] = x[i] * p; }
            case SHIFT -> { for (int i = lo; i < n; i++) out[i] = x[i] + p; }
            case SCALED_SIGMOID -> { for (int i = lo; i < n; i++) out[i] = sigmoid(p * x[i]); }
            default -> { for (int i = lo; i < n; i++) out[i] = apply(op, x[i], p); }
        }
    }

    static void map(Unary op, double p, float[] x, float[] out) {
        parallel(out.length, (lo, n) -> mapRange(op, p, x, out, lo, n));
    }

    private static void mapRange(Unary op, double p, float[] x, float[] out, int lo, int n) {
        float pf = (float) p;
        switch (op) {
            case RELU -> { for (int i = lo; i < n; i++) out[i] = Math.max(x[i], 0f); }
            case STEP -> { for (int i = lo; i < n; i++) out[i] = Branchless.keepIfPositive(1f, x[i]); }
            case NEG -> { for (int i = lo; i < n; i++) out[i] = -x[i]; }
            case SQUARE -> { for (int i = lo; i < n; i++) out[i] = x[i] * x[i]; }
            case SCALE -> { for (int i = lo; i < n; i++) out[i] = x[i] * pf; }
            case SHIFT -> { for (int i = lo; i < n; i++) out[i] = x[i] + pf; }
            default -> { for (int i = lo; i < n; i++) out[i] = (float) apply(op, x[i], p); }
        }
    }

    // ---------------------------------------------------------------- broadcasting binary ops

    /**
     * out[idx] = op(a[idx·sa], b[idx·sb]) over the broadcast shape {@code shape}, where sa/sb are the
     * broadcast strides (0 on broadcast dimensions). The innermost dimension is a tight loop.
     */
    static void binary(Binary op, double[] a, int[] sa, double[] b, int[] sb, double[] out, int[] shape) {
        int rank = shape.length;
        if (rank == 0) { out[0] = apply(op, a[0], b[0]); return; }
        int inner = shape[rank - 1];
        if (inner == 0) return;
        int rows = out.length / inner;
        if ((long) rows * inner < 2L * PARALLEL_GRAIN) {
            binaryRows(op, a, sa, b, sb, out, shape, 0, rows);
        } else {
            parallel(rows, (long) rows * inner, (r0, r1) -> binaryRows(op, a, sa, b, sb, out, shape, r0, r1));
        }
    }

    /** Rows [r0, r1) of {@link #binary}: the outer multi-index of row r0 sets the starting offsets. */
    private static void binaryRows(Binary op, double[] a, int[] sa, double[] b, int[] sb, double[] out, int[] shape, int r0, int r1) {
        int rank = shape.length;
        int inner = shape[rank - 1], ia = sa[rank - 1], ib = sb[rank - 1];
        int[] idx = new int[rank];
        int offA = 0, offB = 0;
        for (int d = rank - 2, rem = r0; d >= 0; d--) {
            idx[d] = rem % shape[d];
            rem /= shape[d];
            offA += idx[d] * sa[d];
            offB += idx[d] * sb[d];
        }
        for (int r = r0; r < r1; r++) {
            binaryRow(op, a, offA, ia, b, offB, ib, out, r * inner, inner);
            for (int d = rank - 2; d >= 0; d--) { // advance the outer multi-index
                idx[d]++;
                offA += sa[d];
                offB += sb[d];
                if (idx[d] < shape[d]) break;
                offA -= sa[d] * shape[d];
                offB -= sb[d] * shape[d];
                idx[d] = 0;
            }
        }
    }

    private static void binaryRow(Binary op, double[] a, int oa, int ia, double[] b, int ob, int ib,
                                  double[] out, int o, int n) {
        if (ia == 1 && ib == 1) {
            switch (op) {
                case ADD -> { for (int j = 0; j < n; j++) out[o + j] = a[oa + j] + b[ob + j]; }
                case SUB -> { for (int j = 0; j < n; j++) out[o + j] = a[oa + j] - b[ob + j]; }
                case MUL -> { for (int j = 0; j < n; j++) out[o + j] = a[oa + j] * b[ob + j]; }
                case DIV -> { for (int j = 0; j < n; j++) out[o + j] = a[oa + j] / b[ob + j]; }
                default -> { for (int j = 0; j < n; j++) out[o + j] = apply(op, a[oa + j], b[ob + j]); }
            }
        } else if (ia == 1 && ib == 0) {
            double y = b[ob];
            switch (op) {
                case ADD -> { for (int j = 0; j < n; j++) out[o + j] = a[oa + j] + y; }
                case MUL -> { for (int j = 0; j < n; j++) out[o + j] = a[oa + j] * y; }
                default -> { for (int j = 0; j < n; j++) out[o + j] = apply(op, a[oa + j], y); }
            }
        } else {
            for (int j = 0; j < n; j++) out[o + j] = apply(op, a[oa + j * ia], b[ob + j * ib]);
        }
    }

    static void binary(Binary op, float[] a, int[] sa, float[] b, int[] sb, float[] out, int[] shape) {
        int rank = shape.length;
        if (rank == 0) { out[0] = (float) apply(op, a[0], b[0]); return; }
        int inner = shape[rank - 1];
        if (inner == 0) return;
        int rows = out.length / inner;
        if ((long) rows * inner < 2L * PARALLEL_GRAIN) {
            binaryRows(op, a, sa, b, sb, out, shape, 0, rows);
        } else {
            parallel(rows, (long) rows * inner, (r0, r1) -> binaryRows(op, a, sa, b, sb, out, shape, r0, r1));
        }
    }

    /** Rows [r0, r1) of {@link #binary}: the outer multi-index of row r0 sets the starting offsets. */
    private static void binaryRows(Binary op, float[] a, int[] sa, float[] b, int[] sb, float[] out, int[] shape, int r0, int r1) {
        int rank = shape.length;
        int inner = shape[rank - 1], ia = sa[rank - 1], ib = sb[rank - 1];
        int[] idx = new int[rank];
        int offA = 0, offB = 0;
        for (int d = rank - 2, rem = r0; d >= 0; d--) {
            idx[d] = rem % shape[d];
            rem /= shape[d];
            offA += idx[d] * sa[d];
            offB += idx[d] * sb[d];
        }
        for (int r = r0; r < r1; r++) {
            binaryRow(op, a, offA, ia, b, offB, ib, out, r * inner, inner);
            for (int d = rank - 2; d >= 0; d--) { // advance the outer multi-index
                idx[d]++;
                offA += sa[d];
                offB += sb[d];
                if (idx[d] < shape[d]) break;
                offA -= sa[d] * shape[d];
                offB -= sb[d] * shape[d];
                idx[d] = 0;
            }
        }
    }

    private static void binaryRow(Binary op, float[] a, int oa, int ia, float[] b, int ob, int ib,
                                  float[] out, int o, int n) {
        if (ia == 1 && ib == 1) {
            switch (op) {
                case ADD -> { for (int j = 0; j < n; j++) out[o + j] = a[oa + j] + b[ob + j]; }
                case SUB -> { for (int j = 0; j < n; j++) out[o + j] = a[oa + j] - b[ob + j]; }
                case MUL -> { for (int j = 0; j < n; j++) out[o + j] = a[oa + j] * b[ob + j]; }
                case DIV -> { for (int j = 0; j < n; j++) out[o + j] = a[oa + j] / b[ob + j]; }
                default -> { for (int j = 0; j < n; j++) out[o + j] = (float) apply(op, a[oa + j], b[ob + j]); }
            }
        } else if (ia == 1 && ib == 0) {
            float y = b[ob];
            switch (op) {
                case ADD -> { for (int j = 0; j < n; j++) out[o + j] = a[oa + j] + y; }
                case MUL -> { for (int j = 0; j < n; j++) out[o + j] = a[oa + j] * y; }
                default -> { for (int j = 0; j < n; j++) out[o + j] = (float) apply(op, a[oa + j], y); }
            }
        } else {
            for (int j = 0; j < n; j++) out[o + j] = (float) apply(op, a[oa + j * ia], b[ob + j * ib]);
        }
    }

    /** out = x &gt; 0 ? g : 0 (ReLU's backward in one pass). */
    static void keepWherePositive(double[] g, double[] x, double[] out) {
        parallel(out.length, (lo, hi) -> { for (int i = lo; i < hi; i++) out[i] = Branchless.keepIfPositive(g[i], x[i]); });
    }

    static void keepWherePositive(float[] g, float[] x, float[] out) {
        parallel(out.length, (lo, hi) -> { for (int i = lo; i < hi; i++) out[i] = Branchless.keepIfPositive(g[i], x[i]); });
    }

    /** where(mask, a, b) over a common shape (all three already of that size): out = mask≠0 ? a : b. */
    static void select(double[] m, double[] a, double[] b, double[] out) {
        parallel(out.length, (lo, hi) -> { for (int i = lo; i < hi; i++) out[i] = m[i] != 0 ? a[i] : b[i]; });
    }

    static void select(float[] m, float[] a, float[] b, float[] out) {
        parallel(out.length, (lo, hi) -> { for (int i = lo; i < hi; i++) out[i] = m[i] != 0 ? a[i] : b[i]; });
    }

    // ---------------------------------------------------------------- reductions over [outer, n, inner]

    enum Reduce { SUM, MAX }

    /** out[o, i] = reduce_k x[o, k, i] for x viewed as (outer, n, inner). Sequential in k: deterministic. */
    static void reduce(Reduce op, double[] x, int outer, int n, int inner, double[] out) {
        for (int o = 0; o < outer; o++) {
            int base = o * n * inner, ob = o * inner;
            if (inner == 1) {
                double acc = op == Reduce.SUM ? 0.0 : Double.NEGATIVE_INFINITY;
                if (op == Reduce.SUM) { for (int k = 0; k < n; k++) acc += x[base + k]; }
                else { for (int k = 0; k < n; k++) acc = Math.max(acc, x[base + k]); }
                out[ob] = acc;
            } else {
                java.util.Arrays.fill(out, ob, ob + inner, op == Reduce.SUM ? 0.0 : Double.NEGATIVE_INFINITY);
                for (int k = 0; k < n; k++) {
                    int row = base + k * inner;
                    if (op == Reduce.SUM) { for (int i = 0; i < inner; i++) out[ob + i] += x[row + i]; }
                    else { for (int i = 0; i < inner; i++) out[ob + i] = Math.max(out[ob + i], x[row + i]); }
                }
            }
        }
    }

    static void reduce(Reduce op, float[] x, int outer, int n, int inner, float[] out) {
        double[] acc = new double[inner];
        for (int o = 0; o < outer; o++) {
            int base = o * n * inner;
            java.util.Arrays.fill(acc, op == Reduce.SUM ? 0.0 : Double.NEGATIVE_INFINITY);
            for (int k = 0; k < n; k++) {
                int row = base + k * inner;
                if (op == Reduce.SUM) { for (int i = 0; i < inner; i++) acc[i] += x[row + i]; }
                else { for (int i = 0; i < inner; i++) acc[i] = Math.max(acc[i], x[row + i]); }
            }
            for (int i = 0; i < inner; i++) out[o * inner + i] = (float) acc[i];
        }
    }

    // ---------------------------------------------------------------- permutation copy

    /** out = x permuted: out dimension i is x dimension perm[i]. */
    static void permute(Object x, int[] shape, int[] perm, Object out) {
        int rank = shape.length;
        int[] xs = Shape.strides(shape);
        int[] outShape = new int[rank];
        int[] srcStride = new int[rank];
        for (int i = 0; i < rank; i++) {
            outShape[i] = shape[perm[i]];
            srcStride[i] = xs[perm[i]];
        }
        int n = Shape.size(outShape);
        if (n == 0) return;
        int inner = outShape[rank - 1], is = srcStride[rank - 1];
        int[] idx = new int[rank];
        int src = 0;
        for (int o = 0; o < n; o += inner) {
            if (x instanceof double[] xd) {
                double[] od = (double[]) out;
                for (int j = 0; j < inner; j++) od[o + j] = xd[src + j * is];
            } else {
                float[] xf = (float[]) x, of = (float[]) out;
                for (int j = 0; j < inner; j++) of[o + j] = xf[src + j * is];
            }
            for (int d = rank - 2; d >= 0; d--) {
                idx[d]++;
                src += srcStride[d];
                if (idx[d] < outShape[d]) break;
                src -= srcStride[d] * outShape[d];
                idx[d] = 0;
            }
        }
    }
}
