package org.imprint.models.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.imprint.io.BadInputException;
import org.imprint.optim.Optimizer;
import org.imprint.optim.Optimizers;
import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;
import org.imprint.train.Schedule;
import org.junit.jupiter.api.Test;

/** The LLaMA-style decoder: gradients against finite differences, causality, shapes and the training loop. */
class LlamaTest {
    static final LlamaConfig TINY = new LlamaConfig(11, 8, 2, 2, 12, 5, 1e-5, 10000);

    static int[] ids(int n, int vocab, long seed) {
        Rng rng = new Rng(seed);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = rng.nextInt(vocab);
        return out;
    }

    /** Every parameter's gradient against central differences in float64 (eps 1e-6, atol 1e-5, rtol 1e-3). */
    @Test void gradientMatchesFiniteDifferences() {
        Llama model = Llama.initialise(TINY, DType.F64, new Rng(1));
        // larger weights than the 0.02 initialisation so that attention and norms are far from linear
        for (Tensor p : model.parameters()) {
            Tensor noise = Tensor.normal(DType.F64, new Rng(p.size()), 0, 0.5, p.shape());
            p.axpy_(1, noise);
        }
        int[] in = ids(2 * 5, 11, 2), out = ids(2 * 5, 11, 3);
        model.loss(in, out, 2, 5).backward();
        double eps = 1e-6;
        int checked = 0;
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
            Tensor p = e.getValue();
            double[] w = p.doubleData(), analytic = p.grad().toDoubleArray();
            for (int i = 0; i < w.length; i++) {
                double keep = w[i];
                w[i] = keep + eps;
                double up = model.loss(in, out, 2, 5).item();
                w[i] = keep - eps;
                double down = model.loss(in, out, 2, 5).item();
                w[i] = keep;
                double numeric = (up - down) / (2 * eps);
                if (Math.abs(analytic[i] - numeric) > 1e-5 + 1e-3 * Math.abs(numeric)) {
                    fail(e.getKey() + "[" + i + "]: autograd " + analytic[i] + ", finite difference " + numeric);
                }
                checked++;
            }
        }
        assertEquals(TINY.parameterCount(), checked);
    }

    @Test void attentionIsCausal() {
        Llama model = Llama.initialise(TINY, DType.F64, new Rng(4));
        int[] a = ids(5, 11, 5), b = a.clone();
        b[4] = (b[4] + 3) % 11;
        b[3] = (b[3] + 1) % 11;
        double[] la = model.logits(a, 1, 5).toDoubleArray(), lb = model.logits(b, 1, 5).toDoubleArray();
        assertArrayEquals(java.util.Arrays.copyOf(la, 3 * 11), java.util.Arrays.copyOf(lb, 3 * 11), 1e-14, "positions 0..2 cannot see 3, 4");
        double diff = 0;
        for (int i = 3 * 11; i < la.length; i++) diff = Math.max(diff, Math.abs(la[i] - lb[i]));
        assertTrue(diff > 1e-6, "positions 3 and 4 see their own tokens");
    }

    @Test void shortSequencesAndRouting() {
        Llama model = Llama.initialise(TINY, DType.F32, new Rng(6));
        assertArrayEquals(new int[] {3 * 3, 11}, model.logits(ids(9, 11, 7), 3, 3).shape());
        assertEquals(2 * 7, model.hiddenMatrices().size());
        assertEquals(1 + 2 * 2 + 1 + 1, model.otherParameters().size());
        long total = model.parameters().stream().mapToLong(Tensor::size).sum();
        assertEquals(TINY.parameterCount(), total);
        assertThrows(IllegalArgumentException.class, () -> model.logits(ids(12, 11, 8), 2, 6));
        assertThrows(IllegalArgumentException.class, () -> new LlamaConfig(11, 8, 2, 3, 12, 5, 1e-5, 10000));
        BadInputException bad = assertThrows(BadInputException.class,
                () -> Llama.fromTensors(TINY, DType.F32, Map.of("tok_embeddings.weight", Tensor.zeros(DType.F32, 11, 8)), "x.safetensors"));
        assertTrue(bad.getMessage().contains("missing tensor"), bad.getMessage());
    }

    @Test void corpusSplitAndBatchesAreDeterministic() {
        byte[] text = "abcdefghijklmnopqrstuvwxyz0123456789".repeat(10).getBytes(StandardCharsets.US_ASCII);
        TextCorpus c = new TextCorpus(Path.of("mem"), text, 0.9);
        assertEquals(324, c.trainBytes());
        assertEquals(36, c.validationBytes());
        TextCorpus.Batch a = c.trainBatch(3, 17, 4, 8), b = c.trainBatch(3, 17, 4, 8), other = c.trainBatch(3, 18, 4, 8);
        assertArrayEquals(a.inputs(), b.inputs());
        assertTrue(!java.util.Arrays.equals(a.inputs(), other.inputs()));
        for (int i = 0; i < 4 * 8; i++) {
            if (i % 8 != 7) assertEquals(a.targets()[i], a.inputs()[i + 1], "targets are the inputs shifted by one");
        }
        assertThrows(BadInputException.class, () -> c.validationBatch(2, 40));
    }

    @Test void trainingLowersTheLossAndResumesIdentically() {
        byte[] text = "to be or not to be, that is the question. ".repeat(40).getBytes(StandardCharsets.US_ASCII);
        TextCorpus corpus = new TextCorpus(Path.of("mem"), text, 0.9);
        LlamaConfig c = new LlamaConfig(256, 16, 1, 2, 24, 8, 1e-5, 10000);
        for (String name : List.of("adamw", "sumo")) {
            Llama straight = Llama.initialise(c, DType.F32, new Rng(9));
            Optimizer o = Optimizers.create(name, straight.hiddenMatrices(), straight.otherParameters(), 0.02, optionsOf(name));
            LmTrainer t = new LmTrainer(straight, o, corpus, new Schedule.Constant(), 4, 12, 5, 6, 4, 0);
            List<LmTrainer.Eval> evals = t.run(0, 0, e -> {});
            assertTrue(evals.get(evals.size() - 1).validationLoss() < evals.get(0).validationLoss() - 0.5, name + ": " + evals);

            Llama first = Llama.initialise(c, DType.F32, new Rng(9));
            Optimizer o1 = Optimizers.create(name, first.hiddenMatrices(), first.otherParameters(), 0.02, optionsOf(name));
            new LmTrainer(first, o1, corpus, new Schedule.Constant(), 4, 7, 5, 6, 4, 0).run(0, 0, e -> {});
            Map<String, Tensor> saved = o1.stateDict();
            Llama second = Llama.fromTensors(c, DType.F32, first.namedParameters(), "memory");
            Optimizer o2 = Optimizers.create(name, second.hiddenMatrices(), second.otherParameters(), 0.02, optionsOf(name));
            o2.loadStateDict(saved);
            new LmTrainer(second, o2, corpus, new Schedule.Constant(), 4, 12, 5, 6, 4, 0).run(7, 0, e -> {});
            for (String k : straight.namedParameters().keySet()) {
                assertArrayEquals(straight.namedParameters().get(k).toFloatArray(), second.namedParameters().get(k).toFloatArray(), 0f, name + " " + k);
            }
        }
    }

    private static Map<String, String> optionsOf(String name) {
        return name.equals("sumo") ? Map.of("adam_lr", "0.01", "rank", "4", "update_gap", "3") : Map.of();
    }
}
