package org.imprint.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path tmp;

    static byte[] imagesFile(int magic, int n, int rows, int cols, int payload) {
        ByteBuffer b = ByteBuffer.allocate(16 + payload);
        b.putInt(magic).putInt(n).putInt(rows).putInt(cols);
        for (int i = 0; i < payload; i++) b.put((byte) (i * 37));
        return b.array();
    }

    static byte[] labelsFile(int magic, int n, int payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload);
        b.putInt(magic).putInt(n);
        for (int i = 0; i < payload; i++) b.put((byte) (i % 10));
        return b.array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bo)) {
            gz.write(raw);
        }
        return bo.toByteArray();
    }

    Path put(String name, byte[] bytes) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    static void rejects(Path p, Consumer<Path> reader, String fragment) {
        BadInputException e = assertThrows(BadInputException.class, () -> reader.accept(p));
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void readsPlainAndGzipImagesAndLabels() throws IOException {
        byte[] raw = imagesFile(2051, 3, 2, 4, 24);
        for (Path p : new Path[] {put("im", raw), put("im.gz", gzip(raw))}) {
            Idx.Images im = Idx.readImages(p);
            assertEquals(3, im.count());
            assertEquals(2, im.rows());
            assertEquals(4, im.cols());
            assertArrayEquals(Arrays.copyOfRange(raw, 16, 40), im.pixels());
            assertEquals((byte) (9 * 37) & 0xff, im.pixel(1, 0, 1));
        }
        byte[] lab = labelsFile(2049, 12, 12);
        Idx.Labels l = Idx.readLabels(put("lab.gz", gzip(lab)));
        assertEquals(12, l.count());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1}, l.labels());
    }

    @Test
    void badMagicRejected() throws IOException {
        rejects(put("bad.gz", gzip(imagesFile(2050, 1, 2, 2, 4))), Idx::readImages, "bad magic number 2050");
        rejects(put("swap.gz", gzip(labelsFile(2049, 4, 4))), Idx::readImages, "label file");
        rejects(put("swap2", imagesFile(2051, 1, 2, 2, 4)), Idx::readLabels, "image file");
    }

    @Test
    void truncatedPayloadRejected() throws IOException {
        byte[] raw = imagesFile(2051, 3, 2, 4, 20);
        rejects(put("short", raw), Idx::readImages, "truncated");
        rejects(put("short.gz", gzip(raw)), Idx::readImages, "truncated");
        rejects(put("shortlab", labelsFile(2049, 10, 9)), Idx::readLabels, "truncated");
        rejects(put("header", Arrays.copyOf(raw, 10)), Idx::readImages, "truncated");
    }

    @Test
    void cutGzipRejected() throws IOException {
        byte[] gz = Files.readAllBytes(Path.of("data/mnist/t10k-labels-idx1-ubyte.gz"));
        rejects(put("cut.gz", Arrays.copyOf(gz, gz.length / 2)), Idx::readLabels, "truncated or corrupt gzip");
        byte[] im = gzip(imagesFile(2051, 50, 28, 28, 50 * 784));
        rejects(put("cut-im.gz", Arrays.copyOf(im, im.length - 12)), Idx::readImages, "gzip");
        byte[] corrupt = gz.clone();
        for (int i = 40; i < 60; i++) corrupt[i] ^= (byte) 0x5a;
        rejects(put("corrupt.gz", corrupt), Idx::readLabels, "gzip");
    }

    @Test
    void trailingBytesRejected() throws IOException {
        rejects(put("extra", imagesFile(2051, 1, 2, 2, 5)), Idx::readImages, "1 unexpected bytes");
        rejects(put("extra.gz", gzip(labelsFile(2049, 3, 6))), Idx::readLabels, "3 unexpected bytes");
    }

    @Test
    void missingFileRejected() {
        Path p = tmp.resolve("nope.gz");
        rejects(p, Idx::readImages, "no such file");
    }
}
