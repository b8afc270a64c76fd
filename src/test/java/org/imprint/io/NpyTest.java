package org.imprint.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.imprint.tensor.DType;
import org.imprint.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir
    Path tmp;

    static final Path FIX = Path.of("src/test/resources/fixtures");

    @Test
    void roundTripF64AndF32() throws IOException {
        Tensor a = Tensor.of(new double[] {1, -2, Math.E, 1e-300, 5, 6}, 3, 2);
        Tensor b = Tensor.of(new float[] {0.5f, -1.25f, 7f}, 3);
        Tensor s = Tensor.scalar(3.5);
        for (Tensor t : new Tensor[] {a, b, s}) {
            Path p = tmp.resolve("x.npy");
            Npy.write(p, t);
            assertEquals(0, (Files.readAllBytes(p).length - t.size() * t.dtype().bytes) % 64, "data starts on a 64-byte boundary");
            Tensor r = Npy.read(p);
            assertEquals(t.dtype(), r.dtype());
            assertArrayEquals(t.shape(), r.shape());
            assertArrayEquals(t.toDoubleArray(), r.toDoubleArray(), 0.0);
        }
    }

    @Test
    void headerMatchesNumpyDictLiteral() {
        byte[] pre = Npy.preamble("<f8", new int[] {2, 3});
        String h = new String(pre, 10, pre.length - 10, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(h.startsWith("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"), h);
        assertTrue(h.endsWith(" \n"));
        assertEquals(0, pre.length % 64);
        String h1 = new String(Npy.preamble("<f4", new int[] {5}), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(h1.contains("'shape': (5,)"), h1);
    }

    @Test
    void readsFilesWrittenByNumpy() {
        Tensor f8 = Npy.read(FIX.resolve("f8_2x3.npy"));
        assertEquals(DType.F64, f8.dtype());
        assertArrayEquals(new int[] {2, 3}, f8.shape());
        assertArrayEquals(new double[] {0, 1.5, -2, 3.25, 4, 5e-3}, f8.toDoubleArray(), 0.0);
        Tensor f4 = Npy.read(FIX.resolve("f4_4.npy"));
        assertEquals(DType.F32, f4.dtype());
        assertArrayEquals(new double[] {1, -2.5, 3.125, 0}, f4.toDoubleArray(), 0.0);
        Npy.NpyArray u1 = Npy.readArray(FIX.resolve("u1_2x2.npy"));
        assertEquals("|u1", u1.descr());
        assertTrue(u1.isInteger());
        assertArrayEquals(new double[] {0, 255, 7, 128}, u1.tensor().toDoubleArray(), 0.0);
        assertArrayEquals(new int[] {0, 1, 1, 0, 1}, Npy.readLabels(FIX.resolve("i8_5.npy")));
        assertArrayEquals(new int[] {-1, 1, -1}, Npy.readLabels(FIX.resolve("i4_3.npy")));
        assertArrayEquals(new int[] {1, 0, 1}, Npy.readLabels(FIX.resolve("b1_3.npy")));
        Tensor sc = Npy.read(FIX.resolve("f8_scalar.npy"));
        assertEquals(0, sc.rank());
        assertEquals(2.5, sc.item());
        assertArrayEquals(new double[] {1, 2, 3}, Npy.read(FIX.resolve("f8_v2.npy")).toDoubleArray(), 0.0);
    }

    static void rejects(Path p, String fragment) {
        BadInputException e = assertThrows(BadInputException.class, () -> Npy.read(p));
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void refusesFortranBigEndianObject() {
        rejects(FIX.resolve("fortran.npy"), "Fortran-order");
        rejects(FIX.resolve("bigendian.npy"), "big-endian");
        rejects(FIX.resolve("object.npy"), "object arrays");
    }

    @Test
    void refusesCorruptFiles() throws IOException {
        byte[] good = Files.readAllBytes(FIX.resolve("f8_2x3.npy"));
        Path p = tmp.resolve("bad.npy");
        Files.write(p, Arrays.copyOf(good, good.length - 8));
        rejects(p, "truncated");
        Files.write(p, Arrays.copyOf(good, good.length + 3));
        rejects(p, "3 unexpected bytes");
        Files.write(p, Arrays.copyOf(good, 40));
        rejects(p, "truncated");
        Files.write(p, "hello world, not numpy".getBytes());
        rejects(p, "not a .npy file");
        byte[] c = good.clone();
        c[6] = 9;
        Files.write(p, c);
        rejects(p, "version 9");
        String h = new String(good, java.nio.charset.StandardCharsets.ISO_8859_1).replace("'<f8'", "'<c8'");
        Files.write(p, h.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        rejects(p, "unsupported dtype '<c8'");
        rejects(tmp.resolve("missing.npy"), "no such file");
    }

    @Test
    void labelsMustBeWholeVectors() {
        BadInputException e = assertThrows(BadInputException.class, () -> Npy.readLabels(FIX.resolve("f8_2x3.npy")));
        assertTrue(e.getMessage().contains("shape (2, 3)"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> Npy.readLabels(FIX.resolve("f4_4.npy")));
        assertTrue(e.getMessage().contains("not an integer"), e.getMessage());
    }
}
