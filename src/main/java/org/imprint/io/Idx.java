package org.imprint.io;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX files MNIST and Fashion-MNIST are distributed in, gzip-compressed (detected by the gzip
 * magic {@code 1f 8b}, not by the name) or plain.
 *
 * <p>Layout, all integers big-endian u32: an image file holds the magic 2051 ({@code 00 00 08 03}: unsigned
 * bytes, 3 dimensions), the count n, rows, cols, then n·rows·cols pixel bytes (0–255), image after image,
 * row by row. A label file holds the magic 2049 ({@code 00 00 08 01}), the count n, then n label bytes. The
 * data must be exactly that long: a short file or trailing bytes are errors.
 */
public final class Idx {
    private Idx() {}

    public static final int IMAGES_MAGIC = 2051;
    public static final int LABELS_MAGIC = 2049;

    /** {@code count} images of {@code rows × cols} unsigned bytes; pixel (k, r, c) is {@code pixels[(k·rows + r)·cols + c] & 0xff}. */
    public record Images(int count, int rows, int cols, byte[] pixels) {
        /** Pixel value 0–255. */
        public int pixel(int image, int row, int col) {
            return pixels[(image * rows + row) * cols + col] & 0xff;
        }
    }

    /** {@code count} labels, each 0–255. */
    public record Labels(int count, int[] labels) {}

    /** Reads an image file (magic 2051). */
    public static Images readImages(Path path) {
        try (DataInputStream in = open(path)) {
            int magic = header(path, in, "magic number");
            if (magic != IMAGES_MAGIC) {
                throw bad(path, "bad magic number " + magic + " (an IDX image file has " + IMAGES_MAGIC
                        + (magic == LABELS_MAGIC ? "; this is a label file)" : ")"));
            }
            int count = header(path, in, "image count");
            int rows = header(path, in, "row count");
            int cols = header(path, in, "column count");
            if (count < 0 || rows <= 0 || cols <= 0) {
                throw bad(path, "invalid dimensions " + count + " x " + rows + " x " + cols);
            }
            long bytes = (long) count * rows * cols;
            if (bytes > Integer.MAX_VALUE - 8) throw bad(path, "too large: " + bytes + " pixel bytes");
            byte[] pixels = payload(path, in, (int) bytes, count + " images of " + rows + "x" + cols);
            return new Images(count, rows, cols, pixels);
        } catch (IOException e) {
            throw io(path, e);
        }
    }

    /** Reads a label file (magic 2049). */
    public static Labels readLabels(Path path) {
        try (DataInputStream in = open(path)) {
            int magic = header(path, in, "magic number");
            if (magic != LABELS_MAGIC) {
                throw bad(path, "bad magic number " + magic + " (an IDX label file has " + LABELS_MAGIC
                        + (magic == IMAGES_MAGIC ? "; this is an image file)" : ")"));
            }
            int count = header(path, in, "label count");
            if (count < 0) throw bad(path, "invalid label count " + count);
            byte[] b = payload(path, in, count, count + " labels");
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) labels[i] = b[i] & 0xff;
            return new Labels(count, labels);
        } catch (IOException e) {
            throw io(path, e);
        }
    }

    private static DataInputStream open(Path path) {
        try {
            InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
            raw.mark(2);
            int b0 = raw.read(), b1 = raw.read();
            raw.reset();
            InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
            return new DataInputStream(in);
        } catch (ZipException | EOFException e) {
            throw bad(path, "corrupt gzip header (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw MappedFile.cannotRead(path, e);
        }
    }

    private static int header(Path path, DataInputStream in, String what) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw bad(path, "truncated: the file ends inside the header (" + what + ")");
        }
    }

    private static byte[] payload(Path path, DataInputStream in, int n, String what) throws IOException {
        byte[] out = new byte[n];
        int got = in.readNBytes(out, 0, n);
        if (got < n) throw bad(path, "truncated: " + what + " need " + n + " data bytes, the file has " + got);
        long extra = 0;
        byte[] buf = new byte[8192];
        for (int r; (r = in.read(buf)) > 0; ) extra += r;
        if (extra > 0) throw bad(path, "has " + extra + " unexpected bytes after the " + what);
        return out;
    }

    private static BadInputException io(Path path, IOException e) {
        if (e instanceof EOFException) {
            return new BadInputException(path + ": truncated or corrupt gzip stream (" + e.getMessage() + ")", e);
        }
        if (e instanceof ZipException) {
            return new BadInputException(path + ": corrupt gzip data (" + e.getMessage() + ")", e);
        }
        return MappedFile.cannotRead(path, e);
    }

    private static BadInputException bad(Path path, String what) {
        return new BadInputException(path + ": " + what);
    }
}
