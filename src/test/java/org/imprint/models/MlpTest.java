package org.imprint.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.imprint.io.BadInputException;
import org.imprint.io.Safetensors;
import org.imprint.io.SafetensorsFile;
import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MlpTest {
    @TempDir
    Path tmp;

    private static SafetensorsFile fixture(String name) {
        return Safetensors.read(Path.of("src/test/resources/fixtures", name));
    }

    @Test void pytorchStateDictLoadsAndReproducesPytorchOutputs() {
        for (String[] c : new String[][] {{"torch_mlp_f64.safetensors", "F64"}, {"torch_mlp_f32.safetensors", "F32"}}) {
            SafetensorsFile f = fixture(c[0]);
            DType dtype = DType.valueOf(c[1]);
            Mlp m = Mlp.fromTensors(f.tensors(), dtype, c[0]);
            assertEquals("6-5-4-1", m.archString());
            assertEquals("first", m.biasString());
            assertTrue(m.isHomogeneous());
            double[] got = m.forward(f.tensor("inputs").to(dtype)).toDoubleArray();
            double[] want = f.tensor("outputs").toDoubleArray();
            assertArrayEquals(want, got, dtype == DType.F64 ? 1e-14 : 1e-6, c[0]);
        }
    }

    @Test void namesMatchPytorchSequentialAndRoundTrip() {
        Mlp m = Mlp.initialise(new int[] {5, 7, 3, 1}, Mlp.BiasMode.FIRST, Mlp.InitDistribution.PYTORCH_UNIFORM,
                new double[] {1}, new Rng(4), DType.F64);
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "4.weight"), List.copyOf(m.namedParameters().keySet()));
        Path p = tmp.resolve("m.safetensors");
        Safetensors.write(p, m.namedParameters());
        Mlp back = Mlp.fromTensors(Safetensors.read(p).tensors(), DType.F64, "m");
        Tensor x = Tensor.normal(DType.F64, new Rng(5), 0, 1, 4, 5);
        assertArrayEquals(m.forward(x).toDoubleArray(), back.forward(x).toDoubleArray(), 0.0);
    }

    @Test void layersAreOrderedNaturallyNotAlphabetically() {
        // 12 layers: "10.weight" sorts before "2.weight" alphabetically, as safetensors files store them.
        int[] widths = new int[13];
        java.util.Arrays.fill(widths, 3);
        Mlp m = Mlp.initialise(widths, Mlp.BiasMode.ALL, Mlp.InitDistribution.PYTORCH_UNIFORM, new double[] {1}, new Rng(1), DType.F64);
        Map<String, Tensor> shuffled = new java.util.TreeMap<>(m.namedParameters());
        Mlp back = Mlp.fromTensors(shuffled, DType.F64, "x");
        Tensor x = Tensor.normal(DType.F64, new Rng(2), 0, 1, 2, 3);
        assertArrayEquals(m.forward(x).toDoubleArray(), back.forward(x).toDoubleArray(), 0.0);
        assertFalse(back.isHomogeneous());
    }

    @Test void homogeneityDegreeIsTheDepth() {
        Mlp m = Mlp.initialise(new int[] {4, 6, 6, 1}, Mlp.BiasMode.FIRST, Mlp.InitDistribution.NORMAL, new double[] {0.5}, new Rng(3), DType.F64);
        Tensor x = Tensor.normal(DType.F64, new Rng(6), 0, 1, 5, 4);
        double[] f = m.forward(x).toDoubleArray();
        Map<String, Tensor> scaled = new LinkedHashMap<>();
        m.namedParameters().forEach((k, v) -> scaled.put(k, v.mul(2.0)));
        double[] f2 = Mlp.fromTensors(scaled, DType.F64, "scaled").forward(x).toDoubleArray();
        for (int i = 0; i < f.length; i++) assertEquals(8 * f[i], f2[i], 1e-12 * Math.abs(f2[i]) + 1e-15); // 2^L, L = 3
    }

    @Test void initialisationFollowsPytorchBoundsAndScales() {
        Mlp m = Mlp.initialise(new int[] {100, 50, 1}, Mlp.BiasMode.FIRST, Mlp.InitDistribution.PYTORCH_UNIFORM,
                new double[] {1e-3, 1}, new Rng(8), DType.F64);
        double bound1 = 1e-3 / Math.sqrt(100), bound2 = 1 / Math.sqrt(50);
        for (double v : m.weight(0).toDoubleArray()) assertTrue(Math.abs(v) <= bound1);
        for (double v : m.bias(0).toDoubleArray()) assertTrue(Math.abs(v) <= bound1);
        double max = 0;
        for (double v : m.weight(1).toDoubleArray()) max = Math.max(max, Math.abs(v));
        assertTrue(max <= bound2 && max > 0.8 * bound2);
    }

    @Test void badShapesAreClearErrors() {
        Map<String, Tensor> broken = new LinkedHashMap<>();
        broken.put("0.weight", Tensor.zeros(DType.F64, 4, 3));
        broken.put("2.weight", Tensor.zeros(DType.F64, 1, 5));
        BadInputException e = assertThrows(BadInputException.class, () -> Mlp.fromTensors(broken, DType.F64, "w.safetensors"));
        assertTrue(e.getMessage().contains("takes 5 inputs but the previous layer gives 4"), e.getMessage());
        assertThrows(BadInputException.class, () -> Mlp.parseArch("784-x-1"));
        Mlp m = Mlp.initialise(new int[] {3, 2, 1}, Mlp.BiasMode.NONE, Mlp.InitDistribution.NORMAL, new double[] {1}, new Rng(1), DType.F64);
        assertThrows(BadInputException.class, () -> m.forward(Tensor.zeros(DType.F64, 2, 4)));
    }
}
