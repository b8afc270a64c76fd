package org.imprint.tensor;

import java.util.Arrays;

/** Static helpers on shapes ({@code int[]}, row-major): sizes, strides, broadcasting, axis normalisation. */
final class Shape {
    private Shape() {}

    static int size(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + str(shape));
            n *= d;
            if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("tensor too large: " + str(shape));
        }
        return (int) n;
    }

    /** Row-major strides in elements: stride[i] = prod(shape[i+1..]). */
    static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    /** Normalises a possibly negative axis (-1 = last) against a rank. */
    static int axis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new IllegalArgumentException("axis " + axis + " out of range for rank " + rank);
        return a;
    }

    /** NumPy broadcasting: align trailing dimensions; each pair must be equal or one of them 1. */
    static int[] broadcast(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + str(a) + " and " + str(b) + " cannot be broadcast together");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /**
     * Strides of {@code shape} seen inside the broadcast shape {@code target}: 0 where the dimension is
     * broadcast (missing or 1), the row-major stride otherwise.
     */
    static int[] broadcastStrides(int[] shape, int[] target) {
        int[] own = strides(shape);
        int[] s = new int[target.length];
        int off = target.length - shape.length;
        for (int i = 0; i < target.length; i++) {
            int j = i - off;
            s[i] = (j < 0 || shape[j] == 1) ? 0 : own[j];
        }
        return s;
    }

    /** Resolves a single -1 in a requested reshape against the element count. */
    static int[] resolveReshape(int[] requested, int size) {
        int[] out = requested.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("only one -1 allowed in reshape " + str(requested));
                infer = i;
            } else {
                if (out[i] < 0) throw new IllegalArgumentException("negative dimension in reshape " + str(requested));
                known *= out[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || size % known != 0) {
                throw new IllegalArgumentException("cannot reshape " + size + " elements into " + str(requested));
            }
            out[infer] = (int) (size / known);
        }
        if (size(out) != size) throw new IllegalArgumentException("cannot reshape " + size + " elements into " + str(requested));
        return out;
    }
}
