package org.imprint.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.imprint.tensor.DType;
import org.imprint.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path tmp;

    static final Path FIXTURES = Path.of("src/test/resources/fixtures");

    @Test
    void roundTripF64AndF32WithMetadata() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("w", Tensor.of(new double[] {1, -2.5, Math.PI, Double.MIN_VALUE, -0.0, 1e300}, 2, 3));
        t.put("b", Tensor.of(new float[] {0.1f, Float.MAX_VALUE, -7f}, 3));
        t.put("s", Tensor.scalar(4.25));
        t.put("empty", Tensor.of(new double[0], 0, 5));
        Map<String, String> meta = Map.of("format", "pt", "note", "ünïcode \"quoted\"");
        Path p = tmp.resolve("sub/dir/m.safetensors");
        Safetensors.write(p, t, meta);
        SafetensorsFile f = Safetensors.read(p);
        assertEquals(meta, f.metadata());
        assertEquals(t.keySet(), f.tensors().keySet());
        for (String k : t.keySet()) {
            Tensor a = t.get(k), b = f.tensor(k);
            assertEquals(a.dtype(), b.dtype(), k);
            assertArrayEquals(a.shape(), b.shape(), k);
            assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), 0.0, k); // bit-exact (0 tolerance)
        }
        assertEquals(0, f.tensor("s").rank());
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(f.tensor("w").getFlat(4)));
        // order of the returned map = data order: F64 tensors by name, then F32
        assertEquals(List.of("empty", "s", "w", "b"), List.copyOf(f.tensors().keySet()));
    }

    @Test
    void headerLayoutIsByteExact() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("zeta", Tensor.of(new float[] {1f, 2f}, 2));
        t.put("alpha", Tensor.of(new float[] {3f}, 1));
        t.put("mid", Tensor.of(new double[] {5, 6}, 1, 2));
        Path p = tmp.resolve("h.safetensors");
        Safetensors.write(p, t, Map.of("k", "v"));
        byte[] bytes = Files.readAllBytes(p);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8);
        String json = "{\"__metadata__\":{\"k\":\"v\"},"
                + "\"mid\":{\"dtype\":\"F64\",\"shape\":[1,2],\"data_offsets\":[0,16]},"
                + "\"alpha\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]},"
                + "\"zeta\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[20,28]}}";
        String padded = json + " ".repeat((8 - json.length() % 8) % 8);
        assertEquals(padded, new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
        assertEquals(8 + n + 28, bytes.length);
        ByteBuffer data = ByteBuffer.wrap(bytes, (int) (8 + n), 28).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(5.0, data.getDouble());
        assertEquals(6.0, data.getDouble());
        assertEquals(3f, data.getFloat());
        assertEquals(1f, data.getFloat());
        assertEquals(2f, data.getFloat());
    }

    @Test
    void torchFixtureLoads() {
        for (String name : new String[] {"f32", "f64"}) {
            SafetensorsFile f = Safetensors.read(FIXTURES.resolve("torch_mlp_" + name + ".safetensors"));
            DType dt = name.equals("f32") ? DType.F32 : DType.F64;
            assertEquals("pt", f.meta("format"));
            assertEquals("0", f.meta("seed"));
            assertEquals(name, f.meta("dtype"));
            assertTrue(f.meta("architecture").startsWith("Sequential(Linear(6,5)"));
            assertEquals(List.of("0.bias", "0.weight", "2.weight", "4.weight", "inputs", "outputs"), List.copyOf(f.tensors().keySet()));
            int[][] shapes = {{5}, {5, 6}, {4, 5}, {1, 4}, {7, 6}, {7, 1}};
            int i = 0;
            for (Tensor t : f.tensors().values()) {
                assertEquals(dt, t.dtype());
                assertArrayEquals(shapes[i++], t.shape());
            }
            // PyTorch default init: |w| ≤ 1/sqrt(fan_in)
            for (double w : f.tensor("0.weight", 5, 6).toDoubleArray()) assertTrue(Math.abs(w) <= 1 / Math.sqrt(6) + 1e-7);
            // a plain forward pass reproduces PyTorch's outputs (full check belongs to the models package)
            double[] out = forward(f);
            double[] ref = f.tensor("outputs").toDoubleArray();
            assertArrayEquals(ref, out, dt == DType.F64 ? 1e-14 : 1e-5);
        }
        // the f64 file holds the f32 parameters exactly, widened
        SafetensorsFile a = Safetensors.read(FIXTURES.resolve("torch_mlp_f32.safetensors"));
        SafetensorsFile b = Safetensors.read(FIXTURES.resolve("torch_mlp_f64.safetensors"));
        assertArrayEquals(a.tensor("0.weight").toDoubleArray(), b.tensor("0.weight").toDoubleArray(), 0.0);
    }

    private static double[] forward(SafetensorsFile f) {
        double[] x = f.tensor("inputs").toDoubleArray();
        double[] w0 = f.tensor("0.weight").toDoubleArray(), b0 = f.tensor("0.bias").toDoubleArray();
        double[] w2 = f.tensor("2.weight").toDoubleArray(), w4 = f.tensor("4.weight").toDoubleArray();
        double[] out = new double[7];
        for (int r = 0; r < 7; r++) {
            double[] h = new double[5];
            for (int o = 0; o < 5; o++) {
                double s = b0[o];
                for (int k = 0; k < 6; k++) s += w0[o * 6 + k] * x[r * 6 + k];
                h[o] = Math.max(0, s);
            }
            double[] g = new double[4];
            for (int o = 0; o < 4; o++) {
                double s = 0;
                for (int k = 0; k < 5; k++) s += w2[o * 5 + k] * h[k];
                g[o] = Math.max(0, s);
            }
            double s = 0;
            for (int k = 0; k < 4; k++) s += w4[k] * g[k];
            out[r] = s;
        }
        return out;
    }

    @Test
    void rewritingTheFixtureGivesTheSameBytes() throws IOException {
        for (String name : new String[] {"f32", "f64"}) {
            Path src = FIXTURES.resolve("torch_mlp_" + name + ".safetensors");
            SafetensorsFile f = Safetensors.read(src);
            Path out = tmp.resolve(name + ".safetensors");
            Safetensors.write(out, f.tensors(), f.metadata());
            assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(out), name);
        }
    }

    @Test
    void halfPrecisionAndIntegersAreWidened() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(2 * 3 + 2 * 2 + 8 * 2 + 4).order(ByteOrder.LITTLE_ENDIAN);
        data.putShort(Float.floatToFloat16(1.5f)).putShort(Float.floatToFloat16(-0.25f)).putShort(Float.floatToFloat16(65504f));
        data.putShort((short) (Float.floatToRawIntBits(3.0f) >>> 16)).putShort((short) (Float.floatToRawIntBits(-2.0f) >>> 16));
        data.putLong(-5).putLong(1L << 40);
        data.putInt(7);
        Path p = file(tmp.resolve("mixed.safetensors"),
                "{\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},"
                        + "\"bf\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[6,10]},"
                        + "\"i\":{\"dtype\":\"I64\",\"shape\":[2,1],\"data_offsets\":[10,26]},"
                        + "\"j\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[26,30]}}",
                data.array());
        SafetensorsFile f = Safetensors.read(p);
        assertEquals(DType.F32, f.tensor("h").dtype());
        assertArrayEquals(new double[] {1.5, -0.25, 65504}, f.tensor("h").toDoubleArray());
        assertArrayEquals(new double[] {3, -2}, f.tensor("bf").toDoubleArray());
        assertEquals(DType.F64, f.tensor("i").dtype());
        assertArrayEquals(new double[] {-5, 1L << 40}, f.tensor("i").toDoubleArray());
        assertEquals(7.0, f.tensor("j").item());
    }

    // ------------------------------------------------------------------ corrupt files

    static Path file(Path p, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Files.write(p, b.array());
        return p;
    }

    void rejects(String name, String header, int dataBytes, String fragment) throws IOException {
        Path p = file(tmp.resolve(name), header, new byte[dataBytes]);
        rejects(p, fragment);
    }

    static void rejects(Path p, String fragment) {
        BadInputException e = assertThrows(BadInputException.class, () -> Safetensors.read(p));
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    static final String ONE = "{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}";

    @Test
    void truncatedFilesRejected() throws IOException {
        Path good = tmp.resolve("good.safetensors");
        Safetensors.write(good, Map.of("a", Tensor.of(new double[] {1, 2, 3}, 3)));
        byte[] bytes = Files.readAllBytes(good);
        Path cut = tmp.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 3));
        rejects(cut, "run past the end of the data buffer");
        Files.write(cut, Arrays.copyOf(bytes, 20));
        rejects(cut, "runs past the end of the file");
        Files.write(cut, Arrays.copyOf(bytes, 5));
        rejects(cut, "too short");
        rejects("extra.safetensors", ONE, 17, "1 bytes after the last tensor");
    }

    @Test
    void headerLengthTooLargeRejected() throws IOException {
        Path p = tmp.resolve("huge.safetensors");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(200_000_000L).putLong(0);
        Files.write(p, b.array());
        rejects(p, "exceeds the 100 MB limit");
        b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).putLong(0);
        Files.write(p, b.array());
        rejects(p, "exceeds the 100 MB limit");
    }

    @Test
    void badJsonRejected() throws IOException {
        rejects("json1.safetensors", "{\"a\":{\"dtype\":\"F64\",", 0, "bad JSON header");
        rejects("json2.safetensors", "[1, 2]  ", 0, "does not begin with '{'");
        rejects("json3.safetensors", "{\"a\": 1}", 0, "not described by a JSON object");
        rejects("dup.safetensors", "{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]}}", 16, "bad JSON header");
        rejects("trail.safetensors", ONE + " x", 16, "bad JSON header");
        rejects("meta.safetensors", "{\"__metadata__\":{\"k\":1}}", 0, "__metadata__ value of 'k' is not a string");
    }

    @Test
    void dtypeAndShapeProblemsRejected() throws IOException {
        rejects("dtype.safetensors", ONE.replace("F64", "F128"), 16, "unknown dtype F128");
        rejects("f8.safetensors", ONE.replace("F64", "F8_E4M3"), 16, "unsupported dtype F8_E4M3");
        rejects("size.safetensors", ONE.replace("[2]", "[3]"), 16, "needs 24 bytes but its data_offsets [0,16] span 16");
        rejects("size2.safetensors", ONE.replace("F64", "F32"), 16, "needs 8 bytes");
        rejects("neg.safetensors", ONE.replace("[2]", "[-2]"), 16, "invalid shape");
        rejects("noshape.safetensors", "{\"a\":{\"dtype\":\"F64\",\"data_offsets\":[0,16]}}", 16, "no shape");
    }

    @Test
    void offsetProblemsRejected() throws IOException {
        rejects("range.safetensors", ONE.replace("[0,16]", "[8,24]").replace("[2]", "[2]"), 16, "run past the end");
        rejects("backwards.safetensors", ONE.replace("[0,16]", "[16,0]"), 16, "end before they begin");
        rejects("overlap.safetensors", "{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]}}", 16, "overlap those of 'a'");
        rejects("hole.safetensors", "{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[16,24]}}", 24, "hole in the data buffer");
        rejects("start.safetensors", ONE.replace("[0,16]", "[8,24]"), 24, "hole in the data buffer: bytes 0..8");
    }

    @Test
    void missingTensorNamesTheFile() {
        SafetensorsFile f = Safetensors.read(FIXTURES.resolve("torch_mlp_f32.safetensors"));
        BadInputException e = assertThrows(BadInputException.class, () -> f.tensor("1.weight"));
        assertTrue(e.getMessage().contains("torch_mlp_f32.safetensors has no tensor '1.weight' (it has: 0.bias"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> f.tensor("0.weight", 6, 5));
        assertTrue(e.getMessage().contains("has shape [5, 6], expected [6, 5]"), e.getMessage());
    }
}
