package org.imprint.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.imprint.io.BadInputException;
import org.imprint.io.Csv;
import org.imprint.io.Npy;
import org.imprint.tensor.Tensor;

/**
 * A user's own data: inputs X (n rows, d features) and labels y.
 *
 * <p>Files ending in {@code .npy} are NumPy arrays; anything else is read as numeric CSV ({@link Csv}:
 * comma or whitespace separated, optional header row).
 * <ul>
 *   <li>X: a 2-D array (n, d). In .npy, dtype float64, float32 or uint8; uint8 is taken as pixel
 *       intensities and scaled by 1/255 to [0, 1]. Values must be finite.
 *   <li>y: a separate file holding a vector of n labels (.npy of shape (n,) or (n, 1), any integer, bool or
 *       float dtype with whole-number values; or a one-column CSV). When no y file is given, X must be a CSV
 *       file and its <b>last column</b> is y (the remaining columns are X).
 *   <li>Labels: {−1, +1} (−1 → class 0, +1 → class 1), {0, 1}, or class ids 0..C−1 (C = largest id + 1,
 *       at least 2). Anything else (other negative values, fractions) is an error.
 * </ul>
 * Rows keep their file order; {@link Dataset#sourceIndex()} is the row number in the file (0-based, data
 * rows only). The sample shape is {d}; use {@link Dataset#withSampleShape} for images.
 */
public final class UserData {
    private UserData() {}

    /** The most classes accepted from a label file. */
    public static final int MAX_CLASSES = 10_000;

    /** Loads X and y; {@code yFile} may be null when X is a CSV file whose last column is y. */
    public static Dataset load(Path xFile, Path yFile) {
        double[][] xy = null;
        Tensor x;
        if (isNpy(xFile)) {
            Npy.NpyArray a = Npy.readArray(xFile);
            String dt = a.descr();
            if (!dt.equals("<f8") && !dt.equals("<f4") && !dt.equals("|u1")) {
                throw new BadInputException(xFile + ": X has dtype " + dt + "; expected float64, float32 or uint8");
            }
            if (a.shape().length != 2) {
                throw new BadInputException(xFile + ": X has shape " + Arrays.toString(a.shape()).replace('[', '(').replace(']', ')')
                        + "; expected a 2-D array (n, d) (flatten samples with X.reshape(len(X), -1))");
            }
            double[] v = a.tensor().toDoubleArray();
            if (dt.equals("|u1")) for (int i = 0; i < v.length; i++) v[i] /= 255.0;
            x = Tensor.of(v, a.shape()[0], a.shape()[1]);
        } else {
            double[][] rows = Csv.readMatrix(xFile);
            if (yFile == null) {
                if (rows[0].length < 2) throw new BadInputException(xFile + ": needs at least 2 columns (features, then the label), has 1");
                xy = rows;
                rows = new double[xy.length][];
                for (int i = 0; i < xy.length; i++) rows[i] = Arrays.copyOf(xy[i], xy[i].length - 1);
            }
            int n = rows.length, d = rows[0].length;
            double[] v = new double[n * d];
            for (int i = 0; i < n; i++) System.arraycopy(rows[i], 0, v, i * d, d);
            x = Tensor.of(v, n, d);
        }
        int n = x.dim(0), d = x.dim(1);
        if (n == 0 || d == 0) throw new BadInputException(xFile + ": X has shape (" + n + ", " + d + "); it needs at least one row and one column");
        for (int i = 0; i < x.size(); i++) {
            double v = x.getFlat(i);
            if (!Double.isFinite(v)) throw new BadInputException(xFile + ": X[" + (i / d) + ", " + (i % d) + "] is " + v + ", not finite");
        }

        double[] raw;
        Path labelSource;
        if (yFile == null) {
            if (xy == null) throw new BadInputException(xFile + ": a .npy X file needs a separate labels file");
            raw = new double[n];
            for (int i = 0; i < n; i++) raw[i] = xy[i][xy[i].length - 1];
            labelSource = xFile;
        } else {
            raw = readLabelValues(yFile);
            labelSource = yFile;
        }
        if (raw.length != n) {
            throw new BadInputException(labelSource + ": " + raw.length + " labels for the " + n + " rows of X in " + xFile);
        }
        int[] classes = new int[n];
        int numClasses = toClasses(raw, classes, labelSource);
        int[] src = new int[n];
        for (int i = 0; i < n; i++) src[i] = i;
        String desc = "user data " + xFile.getFileName() + (yFile == null ? " (labels: last column)" : " with labels " + yFile.getFileName());
        return new Dataset(x, classes, numClasses, new int[] {d}, src, desc);
    }

    private static double[] readLabelValues(Path yFile) {
        if (isNpy(yFile)) {
            Npy.NpyArray a = Npy.readArray(yFile);
            int[] s = a.shape();
            if (!(s.length == 1 || (s.length == 2 && s[1] == 1))) {
                throw new BadInputException(yFile + ": labels must have shape (n,) or (n, 1), got " + Arrays.toString(s));
            }
            return a.tensor().toDoubleArray();
        }
        double[][] rows = Csv.readMatrix(yFile);
        if (rows[0].length != 1) throw new BadInputException(yFile + ": a labels CSV must have one column, has " + rows[0].length);
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) out[i] = rows[i][0];
        return out;
    }

    /**
     * Maps raw label values to class ids in {@code out} and returns the number of classes: {−1, +1} → {0, 1};
     * non-negative whole numbers are the class ids themselves.
     */
    static int toClasses(double[] raw, int[] out, Path where) {
        boolean hasMinusOne = false, pmOne = true;
        double max = 0;
        for (int i = 0; i < raw.length; i++) {
            double v = raw[i];
            if (!Double.isFinite(v) || v != Math.rint(v)) {
                throw new BadInputException(where + ": label " + v + " at row " + i + " is not a whole number (labels must be 0/1, -1/+1 or class ids 0..C-1)");
            }
            if (v == -1) hasMinusOne = true;
            if (v != -1 && v != 1) pmOne = false;
            max = Math.max(max, v);
        }
        if (hasMinusOne) {
            if (!pmOne) {
                for (int i = 0; i < raw.length; i++) {
                    if (raw[i] != -1 && raw[i] != 1) {
                        throw new BadInputException(where + ": labels mix -1 with " + fmt(raw[i]) + " (row " + i
                                + "); use -1/+1, 0/1 or class ids 0..C-1");
                    }
                }
            }
            for (int i = 0; i < raw.length; i++) out[i] = raw[i] == 1 ? 1 : 0;
            return 2;
        }
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] < 0) throw new BadInputException(where + ": label " + fmt(raw[i]) + " at row " + i + " is negative (labels must be 0/1, -1/+1 or class ids 0..C-1)");
        }
        if (max >= MAX_CLASSES) throw new BadInputException(where + ": label " + fmt(max) + " implies more than " + MAX_CLASSES + " classes");
        for (int i = 0; i < raw.length; i++) out[i] = (int) raw[i];
        return Math.max(2, (int) max + 1);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static boolean isNpy(Path p) {
        return p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy");
    }
}
