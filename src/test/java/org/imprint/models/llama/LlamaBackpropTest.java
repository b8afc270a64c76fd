package org.imprint.models.llama;

import static org.imprint.testing.Agreement.relativeError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The written-out float32 training step against autograd through {@link Llama#loss} (itself checked against
 * finite differences and PyTorch golden values): the same loss and the same gradient for every parameter, to
 * float32 round-off. Compared with the model in float64 too, so a float32-sized error cannot hide a wrong rule.
 */
class LlamaBackpropTest {
    private static int[] tokens(int count, int vocab, long seed) {
        Rng rng = new Rng(seed);
        int[] out = new int[count];
        for (int i = 0; i < count; i++) out[i] = (int) (rng.nextDouble() * vocab);
        return out;
    }

    private static void compare(LlamaConfig c, int batch) {
        Llama f32 = Llama.initialise(c, DType.F32, new Rng(3));
        // Larger weights than the 0.02 init, so that attention is far from uniform and every path carries signal.
        for (Tensor p : f32.parameters()) {
            float[] v = p.floatData();
            for (int i = 0; i < v.length; i++) v[i] *= p.rank() == 2 ? 20f : 1f;
        }
        Llama f64 = Llama.fromTensors(c, DType.F64, f32.namedParameters(), "test");
        int[] in = tokens(batch * c.context(), c.vocab(), 5), out = tokens(batch * c.context(), c.vocab(), 6);

        Tensor reference = f64.loss(in, out, batch, c.context());
        reference.backward();
        LlamaBackprop step = new LlamaBackprop(f32, batch);
        double loss = step.lossAndGradients(in, out);
        assertEquals(reference.item(), loss, 1e-5 * Math.abs(reference.item()), "loss");
        for (Map.Entry<String, Tensor> e : f64.namedParameters().entrySet()) {
            Tensor mine = f32.namedParameters().get(e.getKey()).grad();
            double err = relativeError(e.getValue().grad().toDoubleArray(), mine.toDoubleArray());
            assertTrue(err < 2e-4, c + " batch " + batch + ": gradient of " + e.getKey() + " rel. error " + err);
        }
    }

    @Test void matchesAutogradOnSmallModels() {
        compare(new LlamaConfig(11, 8, 2, 2, 12, 5, 1e-5, 10000), 3);
        compare(new LlamaConfig(17, 12, 1, 3, 20, 7, 1e-5, 500), 2);
        compare(new LlamaConfig(256, 64, 2, 4, 172, 16, 1e-5, 10000), 2); // the benchmark's widths, shorter context
    }

    @Test void repeatedStepsGiveTheSameBits() {
        LlamaConfig c = new LlamaConfig(11, 8, 2, 2, 12, 5, 1e-5, 10000);
        Llama m = Llama.initialise(c, DType.F32, new Rng(3));
        LlamaBackprop step = new LlamaBackprop(m, 2);
        int[] in = tokens(10, 11, 1), out = tokens(10, 11, 2);
        double first = step.lossAndGradients(in, out);
        float[] g = m.namedParameters().get("layers.0.attention.wq.weight").grad().floatData().clone();
        assertEquals(first, step.lossAndGradients(in, out), 0.0);
        assertEquals(java.util.Arrays.toString(g), java.util.Arrays.toString(m.namedParameters().get("layers.0.attention.wq.weight").grad().floatData()));
    }

    @Test void rejectsBadInput() {
        LlamaConfig c = new LlamaConfig(11, 8, 2, 2, 12, 5, 1e-5, 10000);
        assertThrows(IllegalArgumentException.class, () -> new LlamaBackprop(Llama.initialise(c, DType.F64, new Rng(1)), 2));
        LlamaBackprop step = new LlamaBackprop(Llama.initialise(c, DType.F32, new Rng(1)), 2);
        assertThrows(IllegalArgumentException.class, () -> step.lossAndGradients(new int[9], new int[10]));
        int[] bad = new int[10];
        bad[3] = 11;
        assertThrows(IllegalArgumentException.class, () -> step.lossAndGradients(bad, new int[10]));
    }
}
