package org.imprint.linalg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Argument validation and native-memory copies shared by the routines of this package. */
final class Checks {
    private Checks() {}

    /** Throws unless {@code m, n >= 0} and the array holds exactly m·n finite values. */
    static void matrix(String routine, String name, double[] a, int m, int n) {
        shape(routine, name, a == null ? -1 : a.length, m, n);
        for (int i = 0; i < a.length; i++) {
            if (!Double.isFinite(a[i])) {
                throw new IllegalArgumentException(routine + ": " + name + " has a non-finite value " + a[i]
                        + " at row " + i / n + ", column " + i % n);
            }
        }
    }

    /** Float version of {@link #matrix(String, String, double[], int, int)}. */
    static void matrix(String routine, String name, float[] a, int m, int n) {
        shape(routine, name, a == null ? -1 : a.length, m, n);
        for (int i = 0; i < a.length; i++) {
            if (!Float.isFinite(a[i])) {
                throw new IllegalArgumentException(routine + ": " + name + " has a non-finite value " + a[i]
                        + " at row " + i / n + ", column " + i % n);
            }
        }
    }

    private static void shape(String routine, String name, int length, int m, int n) {
        if (length < 0) throw new IllegalArgumentException(routine + ": " + name + " is null");
        if (m < 0 || n < 0) throw new IllegalArgumentException(routine + ": " + name + " shape " + m + "x" + n + " is negative");
        if ((long) m * n != length) {
            throw new IllegalArgumentException(routine + ": " + name + " is " + m + "x" + n + " = " + (long) m * n
                    + " values but the array has " + length);
        }
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return f;
    }

    private static final int BLOCK = 32;

    /** A column-major copy (leading dimension ld ≥ m) of the row-major m×n {@code a} in native memory. */
    static MemorySegment colMajor(Arena arena, double[] a, int m, int n, int ld) {
        MemorySegment s = arena.allocate(ValueLayout.JAVA_DOUBLE, Math.max(1, (long) ld * n));
        colMajorInto(s, a, m, n, ld);
        return s;
    }

    /** Writes the row-major m×n {@code a} column-major (leading dimension ld) into the start of {@code s}. */
    static void colMajorInto(MemorySegment s, double[] a, int m, int n, int ld) {
        for (int i0 = 0; i0 < m; i0 += BLOCK) {
            int i1 = Math.min(m, i0 + BLOCK);
            for (int j = 0; j < n; j++) {
                long column = (long) j * ld;
                for (int i = i0; i < i1; i++) s.setAtIndex(ValueLayout.JAVA_DOUBLE, column + i, a[i * n + j]);
            }
        }
    }

    /** Float version of {@link #colMajor(Arena, double[], int, int, int)}. */
    static MemorySegment colMajor(Arena arena, float[] a, int m, int n, int ld) {
        MemorySegment s = arena.allocate(ValueLayout.JAVA_FLOAT, Math.max(1, (long) ld * n));
        for (int i0 = 0; i0 < m; i0 += BLOCK) {
            int i1 = Math.min(m, i0 + BLOCK);
            for (int j = 0; j < n; j++) {
                long column = (long) j * ld;
                for (int i = i0; i < i1; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, column + i, a[i * n + j]);
            }
        }
        return s;
    }

    /** The row-major m×n array of the column-major matrix in {@code s} (leading dimension ld). */
    static double[] rowMajorDouble(MemorySegment s, int m, int n, int ld) {
        double[] a = new double[m * n];
        for (int i0 = 0; i0 < m; i0 += BLOCK) {
            int i1 = Math.min(m, i0 + BLOCK);
            for (int j = 0; j < n; j++) {
                long column = (long) j * ld;
                for (int i = i0; i < i1; i++) a[i * n + j] = s.getAtIndex(ValueLayout.JAVA_DOUBLE, column + i);
            }
        }
        return a;
    }

    /** Float version of {@link #rowMajorDouble}. */
    static float[] rowMajorFloat(MemorySegment s, int m, int n, int ld) {
        float[] a = new float[m * n];
        for (int i0 = 0; i0 < m; i0 += BLOCK) {
            int i1 = Math.min(m, i0 + BLOCK);
            for (int j = 0; j < n; j++) {
                long column = (long) j * ld;
                for (int i = i0; i < i1; i++) a[i * n + j] = s.getAtIndex(ValueLayout.JAVA_FLOAT, column + i);
            }
        }
        return a;
    }

    static MemorySegment copyIn(Arena arena, double[] a) {
        MemorySegment s = arena.allocate(ValueLayout.JAVA_DOUBLE, Math.max(1, a.length));
        MemorySegment.copy(a, 0, s, ValueLayout.JAVA_DOUBLE, 0, a.length);
        return s;
    }

    static MemorySegment copyIn(Arena arena, float[] a) {
        MemorySegment s = arena.allocate(ValueLayout.JAVA_FLOAT, Math.max(1, a.length));
        MemorySegment.copy(a, 0, s, ValueLayout.JAVA_FLOAT, 0, a.length);
        return s;
    }

    static MemorySegment doubles(Arena arena, long count) {
        return arena.allocate(ValueLayout.JAVA_DOUBLE, Math.max(1, count));
    }

    static MemorySegment floats(Arena arena, long count) {
        return arena.allocate(ValueLayout.JAVA_FLOAT, Math.max(1, count));
    }

    static double[] copyOutDouble(MemorySegment s, int count) {
        double[] out = new double[count];
        MemorySegment.copy(s, ValueLayout.JAVA_DOUBLE, 0, out, 0, count);
        return out;
    }

    static float[] copyOutFloat(MemorySegment s, int count) {
        float[] out = new float[count];
        MemorySegment.copy(s, ValueLayout.JAVA_FLOAT, 0, out, 0, count);
        return out;
    }

    /** Throws unless LAPACK returned INFO = 0. */
    static void info(String function, int info) {
        if (info < 0) throw new IllegalStateException(function + ": argument " + (-info) + " was invalid (INFO " + info + ")");
        if (info > 0) throw new ArithmeticException(function + " did not converge (INFO " + info + ")");
    }
}
