package org.imprint.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.imprint.io.BadInputException;
import org.imprint.models.Mlp;
import org.imprint.optim.Sgd;
import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;
import org.junit.jupiter.api.Test;

class TrainerTest {
    private static final int N = 40, D = 6;
    private static final Tensor X = Tensor.normal(DType.F64, new Rng(1), 0, 1, N, D);
    private static final int[] Y = labels();

    private static int[] labels() {
        int[] y = new int[N];
        for (int i = 0; i < N; i++) y[i] = X.get(i, 0) + 0.5 * X.get(i, 1) > 0 ? 1 : 0;
        return y;
    }

    private static Mlp model() {
        return Mlp.initialise(new int[] {D, 16, 16, 1}, Mlp.BiasMode.FIRST, Mlp.InitDistribution.PYTORCH_UNIFORM,
                new double[] {1.0}, new Rng(2), DType.F64);
    }

    private static double[] flat(Mlp m) {
        List<Double> v = new ArrayList<>();
        for (Tensor p : m.parameters()) for (double x : p.toDoubleArray()) v.add(x);
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static final Trainer.Listener QUIET = e -> {};

    private static TrainConfig config(long epochs, int batch, double momentumUnused) {
        return new TrainConfig(Loss.LOGISTIC, 0.2, batch, new Schedule.Step(30, 0.9), false, epochs, 0, 10, 5);
    }

    @Test void gradientDescentFitsSeparableDataAndMarginsGrow() {
        Mlp m = model();
        List<Trainer.LogEntry> log = new ArrayList<>();
        Trainer.Result r = new Trainer(m, new Sgd(m.parameters(), 0.5), new TrainConfig(Loss.LOGISTIC, 0.5, 0,
                new Schedule.Constant(), false, 3000, 0, 100, 0), X, Y, X, Y).run(0, 0, log::add);
        assertEquals(3000, r.epochs());
        assertEquals(1.0, r.last().trainAccuracy());
        assertTrue(r.last().minMargin() > 0);
        assertTrue(log.get(log.size() - 1).loss() < log.get(1).loss());
        assertEquals(31, log.size(), "epochs 0, 100, …, 3000");
    }

    @Test void resumedRunEqualsUninterruptedRun() {
        for (int batch : new int[] {0, 8}) {
            Mlp straight = model();
            Sgd o1 = new Sgd(straight.parameters(), 0.2, 0.9, 0, 1e-3, false);
            new Trainer(straight, o1, config(120, batch, 0), X, Y, null, null).run(0, 0, QUIET);

            Mlp first = model();
            Sgd o2 = new Sgd(first.parameters(), 0.2, 0.9, 0, 1e-3, false);
            new Trainer(first, o2, config(50, batch, 0), X, Y, null, null).run(0, 0, QUIET);
            // "Checkpoint": copy parameters and optimizer state into a fresh model and optimizer.
            Map<String, Tensor> saved = o2.stateDict();
            Mlp resumed = Mlp.fromTensors(first.namedParameters(), DType.F64, "checkpoint");
            Sgd o3 = new Sgd(resumed.parameters(), 0.2, 0.9, 0, 1e-3, false);
            o3.loadStateDict(saved);
            new Trainer(resumed, o3, config(120, batch, 0), X, Y, null, null).run(50, 0, QUIET);
            assertArrayEquals(flat(straight), flat(resumed), "batch " + batch);
        }
    }

    @Test void stopsAtTheLossThreshold() {
        Mlp m = model();
        Trainer.Result r = new Trainer(m, new Sgd(m.parameters(), 1.0), new TrainConfig(Loss.LOGISTIC, 1.0, 0,
                new Schedule.Constant(), true, 100_000, 1e-3, 1000, 0), X, Y, null, null).run(0, 0, QUIET);
        assertTrue(r.reachedThreshold());
        assertTrue(r.last().loss() < 1e-3);
        assertTrue(r.epochs() < 100_000);
    }

    @Test void normalisedGradientDescentStopsCleanlyWhenTheLossUnderflows() {
        Mlp m = model();
        new Trainer(m, new Sgd(m.parameters(), 0.5), new TrainConfig(Loss.LOGISTIC, 0.5, 0, new Schedule.Constant(), false,
                3000, 0, 1000, 0), X, Y, null, null).run(0, 0, QUIET);
        m.weight(2).scale_(1e6); // margins now in the thousands: log(1 + e^(−q)) is exactly 0 in float64
        Trainer.Result r = new Trainer(m, new Sgd(m.parameters(), 1.0), new TrainConfig(Loss.LOGISTIC, 1.0, 0,
                new Schedule.Constant(), true, 100, 0, 10, 0), X, Y, null, null).run(0, 0, QUIET);
        assertEquals(Trainer.Stop.LOSS_UNDERFLOW, r.stop());
        assertEquals(0.0, r.last().loss());
        assertEquals(1.0, r.last().trainAccuracy());
    }

    @Test void divergenceNamesTheEpoch() {
        Mlp m = model();
        Tensor huge = X.mul(1e200);
        BadInputException e = assertThrows(BadInputException.class, () -> new Trainer(m, new Sgd(m.parameters(), 1e30),
                new TrainConfig(Loss.EXPONENTIAL, 1e30, 0, new Schedule.Constant(), false, 100, 0, 10, 0), huge, Y, null, null).run(0, 0, QUIET));
        assertTrue(e.getMessage().startsWith("training diverged at epoch "), e.getMessage());
    }

    @Test void schedules() {
        assertEquals(0.343, new Schedule.Step(30, 0.7).rate(1, 95, 100), 1e-12);
        assertEquals(1.0, new Schedule.Step(30, 0.7).rate(1, 29, 100), 0);
        Schedule c = Schedule.parse("cosine:10");
        assertEquals(0.1, c.rate(1, 0, 110), 1e-12);
        assertEquals(1.0, c.rate(1, 10, 110), 1e-12);
        assertEquals(0.5, c.rate(1, 60, 110), 1e-12);
        assertEquals("step:30:0.7", Schedule.parse("step:30:0.7").spec());
        assertThrows(BadInputException.class, () -> Schedule.parse("linear"));
    }

    @Test void marginsBinaryAndMulticlass() {
        Tensor f = Tensor.of(new double[] {2, -3, 0.5}, 3, 1);
        assertArrayEquals(new double[] {2, 3, -0.5}, Loss.margins(f, new int[] {1, 0, 0}));
        Tensor g = Tensor.of(new double[] {1, 4, 2, 0, 0, 5}, 2, 3);
        assertArrayEquals(new double[] {2, -5}, Loss.margins(g, new int[] {1, 0}));
    }
}
