package org.imprint.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Determinism (same seed, same bits) and flat memory over many training steps. */
class EngineBehaviourTest {
    private static double[] trainSteps(long seed, int steps) {
        Rng rng = new Rng(seed);
        Tensor x = Tensor.normal(DType.F64, rng, 0, 1, 32, 10);
        Tensor y = Tensor.uniform(DType.F64, rng, -1, 1, 32).gt(0.0).mul(2.0).sub(1.0);
        Tensor w1 = Tensor.uniform(DType.F64, rng, -0.3, 0.3, 10, 16).requiresGrad(true);
        Tensor w2 = Tensor.uniform(DType.F64, rng, -0.3, 0.3, 16, 1).requiresGrad(true);
        for (int s = 0; s < steps; s++) {
            Tensor f = x.matmul(w1).relu().matmul(w2).reshape(-1);
            Functional.logisticLoss(f.mul(y)).mean().backward();
            w1.axpy_(-0.1, w1.grad());
            w2.axpy_(-0.1, w2.grad());
            w1.zeroGrad();
            w2.zeroGrad();
        }
        double[] out = new double[w1.size() + w2.size()];
        System.arraycopy(w1.doubleData(), 0, out, 0, w1.size());
        System.arraycopy(w2.doubleData(), 0, out, w1.size(), w2.size());
        return out;
    }

    @Test void sameSeedGivesIdenticalBits() {
        assertArrayEquals(trainSteps(3, 50), trainSteps(3, 50));
        double[] a = Tensor.normal(DType.F32, new Rng(9), 0, 1, 1000).toDoubleArray();
        double[] b = Tensor.normal(DType.F32, new Rng(9), 0, 1, 1000).toDoubleArray();
        assertArrayEquals(a, b);
    }

    @Test void randomInitIsTheSameOnAnyThread() throws Exception {
        double[][] seen = new double[4][];
        Thread[] ts = new Thread[4];
        for (int i = 0; i < 4; i++) {
            int k = i;
            ts[i] = new Thread(() -> seen[k] = Tensor.uniform(DType.F64, new Rng(77), -1, 1, 500).toDoubleArray());
            ts[i].start();
        }
        for (Thread t : ts) t.join();
        for (int i = 1; i < 4; i++) assertArrayEquals(seen[0], seen[i]);
    }

    private static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test void memoryStaysFlatOverTenThousandDoubleBackpropSteps() {
        Rng rng = new Rng(1);
        Tensor w = Tensor.uniform(DType.F64, rng, -0.5, 0.5, 20, 20).requiresGrad(true);
        Tensor x = Tensor.normal(DType.F64, rng, 0, 1, 8, 20).requiresGrad(true);
        long at1000 = 0;
        for (int s = 1; s <= 10_000; s++) {
            Tensor f = x.matmul(w).smoothRelu(3.0).sum();
            Tensor g = Autograd.grad(f, List.of(w), true).get(0);
            Tensor loss = w.sub(g).square().sum();
            Tensor gx = Autograd.grad(loss, List.of(x), false).get(0);
            x.axpy_(-1e-4, gx);
            if (s == 1000) at1000 = usedAfterGc();
        }
        long at10000 = usedAfterGc();
        assertTrue(at10000 < at1000 + 8L * 1024 * 1024,
                "heap grew from " + at1000 / 1024 + " KiB at step 1000 to " + at10000 / 1024 + " KiB at step 10000");
    }
}
