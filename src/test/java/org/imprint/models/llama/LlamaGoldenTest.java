package org.imprint.models.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The decoder against PyTorch: loss and every gradient of a tiny config in float64, from the weights and tokens
 * described in {@code src/test/resources/golden/make_llama_golden.py} (which made {@code llama_golden.json}).
 */
class LlamaGoldenTest {
    @Test void lossAndGradientsMatchPyTorch() throws IOException {
        JsonNode golden;
        try (InputStream in = LlamaGoldenTest.class.getResourceAsStream("/golden/llama_golden.json")) {
            golden = new ObjectMapper().readTree(in);
        }
        LlamaConfig c = new LlamaConfig(11, 8, 2, 2, 12, 5, 1e-5, 10000);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        int k = 0;
        for (Map.Entry<String, Tensor> e : Llama.initialise(c, DType.F64, new Rng(0)).namedParameters().entrySet()) {
            double[] v = new double[e.getValue().size()];
            for (int i = 0; i < v.length; i++) v[i] = e.getKey().endsWith("norm.weight") ? 1 + 0.1 * Math.sin(i + k) : 0.3 * Math.sin(1.7 * i + k);
            tensors.put(e.getKey(), Tensor.of(v, e.getValue().shape()));
            k++;
        }
        Llama model = Llama.fromTensors(c, DType.F64, tensors, "golden");
        int[] ids = new int[10], targets = new int[10];
        for (int j = 0; j < 10; j++) {
            ids[j] = (3 * j + 1) % 11;
            targets[j] = (5 * j + 2) % 11;
        }
        Tensor loss = model.loss(ids, targets, 2, 5);
        assertEquals(golden.get("loss").asDouble(), loss.item(), 1e-12);
        loss.backward();
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
            JsonNode g = golden.get("grads").get(e.getKey());
            double[] expected = new double[g.size()];
            for (int i = 0; i < expected.length; i++) expected[i] = g.get(i).asDouble();
            assertArrayEquals(expected, e.getValue().grad().toDoubleArray(), 1e-12, e.getKey());
        }
    }
}
