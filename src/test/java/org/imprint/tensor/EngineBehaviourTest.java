package org.imprint.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

    /** Large enough that elementwise kernels split across threads (Kernels.PARALLEL_GRAIN). */
    private static double[] bigComputation(int threads) {
        int before = org.imprint.kernels.Blas.threads();
        org.imprint.kernels.Blas.setThreads(threads);
        try {
            Rng rng = new Rng(5);
            Tensor a = Tensor.normal(DType.F64, rng, 0, 1, 3, 300, 401).requiresGrad(true);
            Tensor row = Tensor.normal(DType.F64, rng, 0, 1, 401);
            Tensor col = Tensor.normal(DType.F64, rng, 0, 1, 300, 1);
            Tensor y = Tensor.where(a.gt(0.5), a.mul(row).sigmoid(), a.add(col).relu()).exp();
            Tensor g = Autograd.grad(y.sum(), java.util.List.of(a), false).get(0);
            Tensor upd = y.detach().copy().axpy_(-0.25, g);
            double[] out = new double[2 * y.size()];
            System.arraycopy(y.toDoubleArray(), 0, out, 0, y.size());
            System.arraycopy(upd.toDoubleArray(), 0, out, y.size(), y.size());
            return out;
        } finally {
            org.imprint.kernels.Blas.setThreads(before);
        }
    }

    @Test void parallelElementwiseKernelsGiveTheSameBitsAsOneThread() {
        double[] one = bigComputation(1), two = bigComputation(2);
        assertArrayEquals(one, two);
        // and the values are the formula's, checked at a few positions against plain Java
        Rng rng = new Rng(5);
        double[] a = Tensor.normal(DType.F64, rng, 0, 1, 3, 300, 401).toDoubleArray();
        double[] row = Tensor.normal(DType.F64, rng, 0, 1, 401).toDoubleArray();
        double[] col = Tensor.normal(DType.F64, rng, 0, 1, 300, 1).toDoubleArray();
        for (int k : new int[] {0, 12345, 200000, a.length - 1}) {
            int r = (k / 401) % 300, c = k % 401;
            double v = a[k] > 0.5 ? 1 / (1 + Math.exp(-a[k] * row[c])) : Math.max(a[k] + col[r], 0);
            assertEquals(Math.exp(v), one[k], 1e-12 * Math.exp(v));
        }
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
