package org.imprint.tensor;

/**
 * Raw loops behind the tensor ops: elementwise maps, broadcasting binary ops, reductions and copies on
 * row-major {@code double[]} / {@code float[]}. No boxing, no per-element allocation; one pass per call.
 * Reductions run sequentially in a fixed order, so results are bit-identical run to run. float32 sums are
 * accumulated in double.
 */
final class Kernels {
    private Kernels() {}

    enum Unary { NEG, EXP, LOG, SQRT, TANH, SIGMOID, RELU, SOFTPLUS, ABS, SIGN, STEP, POW, SQUARE, SCALE, SHIFT, SIN, COS }

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
            case SIGMOID -> x >= 0 ? 1.0 / (1.0 + Math.exp(-x)) : Math.exp(x) / (1.0 + Math.exp(x));
            case RELU -> x > 0 ? x : 0.0;
            // softplus(x) = log(1+e^x) = max(x,0) + log1p(e^-|x|): exact for large |x|.
            case SOFTPLUS -> Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
            case ABS -> Math.abs(x);
            case SIGN -> Math.signum(x);
            case STEP -> x > 0 ? 1.0 : 0.0;
            case POW -> p == 0.5 ? Math.sqrt(x) : p == -0.5 ? 1.0 / Math.sqrt(x) : p == -1.0 ? 1.0 / x : Math.pow(x, p);
            case SQUARE -> x * x;
            case SCALE -> x * p;
            case SHIFT -> x + p;
            case SIN -> Math.sin(x);
            case COS -> Math.cos(x);
        };
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
        int n = out.length;
        switch (op) { // the cheap, hot ops get their own loops so the JIT vectorises them
            case RELU -> { for (int i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : 0.0; }
            case STEP -> { for (int i = 0; i < n; i++) out[i] = x[i] > 0 ? 1.0 : 0.0; }
            case NEG -> { for (int i = 0; i < n; i++) out[i] = -x[i]; }
            case SQUARE -> { for (int i = 0; i < n; i++) out[i] = x[i] * x[i]; }
            case SCALE -> { for (int i = 0; i < n; i++) out[i] = x[i] * p; }
            case SHIFT -> { for (int i = 0; i < n; i++) out[i] = x[i] + p; }
            default -> { for (int i = 0; i < n; i++) out[i] = apply(op, x[i], p); }
        }
    }

    static void map(Unary op, double p, float[] x, float[] out) {
        int n = out.length;
        float pf = (float) p;
        switch (op) {
            case RELU -> { for (int i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : 0f; }
            case STEP -> { for (int i = 0; i < n; i++) out[i] = x[i] > 0 ? 1f : 0f; }
            case NEG -> { for (int i = 0; i < n; i++) out[i] = -x[i]; }
            case SQUARE -> { for (int i = 0; i < n; i++) out[i] = x[i] * x[i]; }
            case SCALE -> { for (int i = 0; i < n; i++) out[i] = x[i] * pf; }
            case SHIFT -> { for (int i = 0; i < n; i++) out[i] = x[i] + pf; }
            default -> { for (int i = 0; i < n; i++) out[i] = (float) apply(op, x[i], p); }
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
        int inner = shape[rank - 1], ia = sa[rank - 1], ib = sb[rank - 1];
        int rows = out.length / Math.max(inner, 1);
        if (inner == 0) return;
        int[] idx = new int[rank];
        int offA = 0, offB = 0;
        for (int r = 0; r < rows; r++) {
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
        int inner = shape[rank - 1], ia = sa[rank - 1], ib = sb[rank - 1];
        if (inner == 0) return;
        int rows = out.length / inner;
        int[] idx = new int[rank];
        int offA = 0, offB = 0;
        for (int r = 0; r < rows; r++) {
            binaryRow(op, a, offA, ia, b, offB, ib, out, r * inner, inner);
            for (int d = rank - 2; d >= 0; d--) {
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
        for (int i = 0; i < out.length; i++) out[i] = x[i] > 0 ? g[i] : 0.0;
    }

    static void keepWherePositive(float[] g, float[] x, float[] out) {
        for (int i = 0; i < out.length; i++) out[i] = x[i] > 0 ? g[i] : 0f;
    }

    /** where(mask, a, b) over a common shape (all three already of that size): out = mask≠0 ? a : b. */
    static void select(double[] m, double[] a, double[] b, double[] out) {
        for (int i = 0; i < out.length; i++) out[i] = m[i] != 0 ? a[i] : b[i];
    }

    static void select(float[] m, float[] a, float[] b, float[] out) {
        for (int i = 0; i < out.length; i++) out[i] = m[i] != 0 ? a[i] : b[i];
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
