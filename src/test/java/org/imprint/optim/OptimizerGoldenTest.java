package org.imprint.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.function.Function;
import org.imprint.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Six steps of SGD (Nesterov; momentum with dampening), Adam and AdamW against torch.optim in float64
 * ({@code src/test/resources/golden/make_optim_golden.py} made {@code optim_golden.json}; same θ₀ and gradients).
 */
class OptimizerGoldenTest {
    private static JsonNode golden() throws IOException {
        try (InputStream in = OptimizerGoldenTest.class.getResourceAsStream("/golden/optim_golden.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static double[] run(Function<List<Tensor>, Optimizer> make, int steps) {
        double[] theta = new double[12], target = new double[12];
        for (int i = 0; i < 12; i++) {
            theta[i] = Math.sin(i + 1);
            target[i] = Math.cos(2 * i) / 2;
        }
        Tensor p = Tensor.of(theta, 3, 4).requiresGrad(true);
        Optimizer o = make.apply(List.of(p));
        for (int t = 1; t <= steps; t++) {
            double[] w = p.toDoubleArray(), g = new double[12];
            for (int i = 0; i < 12; i++) g[i] = w[i] * w[i] * w[i] - target[i] + 0.1 * t;
            p.mul(Tensor.of(g, 3, 4)).sum().backward();
            o.step();
            o.zeroGrad();
        }
        return p.toDoubleArray();
    }

    private static void check(String name, Function<List<Tensor>, Optimizer> make) throws IOException {
        JsonNode g = golden();
        JsonNode values = g.get("results").get(name);
        double[] expected = new double[values.size()];
        for (int i = 0; i < expected.length; i++) expected[i] = values.get(i).asDouble();
        assertArrayEquals(expected, run(make, g.get("steps").asInt()), 1e-13, name);
    }

    @Test void sgdNesterov() throws IOException {
        check("sgd_nesterov", ps -> new Sgd(ps, 0.05, 0.9, 0, 0.01, true));
    }

    @Test void sgdMomentumWithDampening() throws IOException {
        check("sgd_momentum_dampening", ps -> new Sgd(ps, 0.05, 0.8, 0.3, 0.02, false));
    }

    @Test void adam() throws IOException {
        check("adam", ps -> new Adam(ps, 0.01, 0.9, 0.999, 1e-8, 0.1, false));
    }

    @Test void adamW() throws IOException {
        check("adamw", ps -> new Adam(ps, 0.01, 0.8, 0.99, 1e-6, 0.1, true));
    }
}
