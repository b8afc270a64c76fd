package org.imprint.attacks.reconstruction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.imprint.models.Mlp;
import org.imprint.optim.Sgd;
import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;
import org.imprint.train.Loss;
import org.imprint.train.Schedule;
import org.imprint.train.TrainConfig;
import org.imprint.train.Trainer;
import org.junit.jupiter.api.Test;

/** Attack runs, the search, and the evaluation on small, fast victims. */
class AttackRunTest {
    /** A 2-layer victim trained to a small loss on 8 points in R^6 (a near-KKT point). */
    private static Mlp trainedVictim(Tensor x, int[] y) {
        Mlp m = Mlp.initialise(new int[] {6, 40, 1}, Mlp.BiasMode.FIRST, Mlp.InitDistribution.NORMAL, new double[] {1e-3, 1}, new Rng(3), DType.F64);
        new Trainer(m, new Sgd(m.parameters(), 0.05), new TrainConfig(Loss.LOGISTIC, 0.05, 0, new Schedule.Constant(), true,
                3000, 1e-6, 1000, 0), x, y, null, null).run(0, 0, e -> {});
        return m;
    }

    @Test void theAttackDrivesTheStationarityResidualDownAndIsDeterministic() {
        Tensor x = Tensor.normal(DType.F64, new Rng(1), 0, 1, 8, 6);
        int[] y = {0, 1, 0, 1, 0, 1, 0, 1};
        Mlp victim = trainedVictim(x, y);
        AttackConfig cfg = new AttackConfig(16, 50, 0.05, 1e-3, 0.1, 0.05, 300, false, -1, 1, Variant.BINARY, 7);
        KktAttack.Result a = new KktAttack(victim, 2, 0, 1).run(cfg, 100, null);
        assertEquals(KktAttack.Outcome.COMPLETED, a.outcome());
        double first = a.history().get(0).stationarity(), last = a.last().stationarity();
        assertTrue(last < 0.5 * first, "stationarity " + first + " -> " + last);
        KktAttack.Result b = new KktAttack(victim, 2, 0, 1).run(cfg, 100, null);
        assertArrayEquals(a.candidates().toDoubleArray(), b.candidates().toDoubleArray(), "same seed, same bits");
    }

    /**
     * {@link AttackObjective#of} picks the hand-written objective for float64 KKT variants and the graph otherwise;
     * both give the same loss through the interface, and float32 victims and the naive baseline run on the graph.
     */
    @Test void bothObjectivesDriveTheSameRun() {
        Tensor x = Tensor.normal(DType.F64, new Rng(1), 0, 1, 8, 6);
        int[] y = {0, 1, 0, 1, 0, 1, 0, 1};
        Mlp victim = trainedVictim(x, y);
        AttackConfig cfg = new AttackConfig(16, 50, 0.05, 1e-3, 0.1, 0.05, 100, true, -1, 1, Variant.BINARY, 7);
        int[] labels = KktAttack.candidateLabels(16, 2, Variant.BINARY);
        assertTrue(AttackObjective.of(victim, labels, cfg) instanceof ExplicitKktLoss);
        AttackObjective graph = new KktLoss(victim, labels, cfg);
        Tensor cx = Tensor.normal(DType.F64, new Rng(cfg.seed()), 0, cfg.sigmaX(), 16, 6).requiresGrad(true);
        Tensor cl = Tensor.uniform(DType.F64, new Rng(cfg.seed()), 0, 1, 16).requiresGrad(true);
        AttackObjective.Value g = graph.evaluateWithGradients(cx, cl);
        AttackObjective.Value e = new ExplicitKktLoss(victim, labels, cfg).evaluateWithGradients(cx.detach().copy().requiresGrad(true), cl.detach().copy().requiresGrad(true));
        assertEquals(g.total(), e.total(), 1e-12 * Math.abs(g.total()));
        assertEquals(g.stationarity(), e.stationarity(), 1e-12 * g.stationarity());

        Mlp f32 = Mlp.fromTensors(victim.namedParameters(), DType.F32, "test");
        assertTrue(AttackObjective.of(f32, labels, cfg) instanceof KktLoss);
        KktAttack.Result r32 = new KktAttack(f32, 2, 0, 1).run(cfg, 50, null);
        assertEquals(KktAttack.Outcome.COMPLETED, r32.outcome());
        assertTrue(r32.last().stationarity() < r32.history().get(0).stationarity(), "float32 through the graph also descends");
        AttackConfig naive = new AttackConfig(16, 50, 0.05, 1e-3, 0.1, 0.05, 20, true, -1, 1, Variant.NAIVE, 7);
        assertTrue(AttackObjective.of(victim, labels, naive) instanceof KktLoss);
        assertEquals(KktAttack.Outcome.COMPLETED, new KktAttack(victim, 2, 0, 1).run(naive, 10, null).outcome());
    }

    @Test void divergenceStopsCleanlyAndHopelessRunsAreAbandoned() {
        Tensor x = Tensor.normal(DType.F64, new Rng(1), 0, 1, 8, 6);
        Mlp victim = trainedVictim(x, new int[] {0, 1, 0, 1, 0, 1, 0, 1});
        AttackConfig wild = new AttackConfig(8, 50, 1e9, 1e9, 1, 0.1, 50, false, -1, 1, Variant.BINARY, 1);
        assertEquals(KktAttack.Outcome.DIVERGED, new KktAttack(victim, 2, 0, 1).run(wild, 10, null).outcome());
        AttackConfig frozen = new AttackConfig(8, 50, 0, 0, 1e-6, 0.1, 50, false, -1, 1, Variant.BINARY, 1);
        KktAttack.Result r = new KktAttack(victim, 2, 10, 0.5).run(frozen, 10, null);
        assertEquals(KktAttack.Outcome.ABORTED, r.outcome());
        assertEquals(10, r.iterationsRun());
    }

    @Test void searchConfigurationsAreSeededAndWithinTheRanges() {
        AttackConfig base = new AttackConfig(10, 1, 1, 1e-4, 1, 0.1, 5, true, -1, 1, Variant.BINARY, 0);
        List<AttackConfig> a = RandomSearch.configurations(SearchSpace.papers(), base, 20, 42);
        assertEquals(a, RandomSearch.configurations(SearchSpace.papers(), base, 20, 42));
        for (AttackConfig c : a) {
            assertTrue(c.lrX() >= 1e-5 && c.lrX() <= 1 && c.sigmaX() >= 1e-6 && c.sigmaX() <= 0.1);
            assertTrue(c.lambdaMin() >= 0.01 && c.lambdaMin() <= 0.5 && c.alpha() >= 10 && c.alpha() <= 500);
        }
        AttackConfig fixed = RandomSearch.configurations(SearchSpace.papers().withFixed(0.3, Double.NaN, Double.NaN, 77), base, 3, 1).get(2);
        assertEquals(0.3, fixed.lrX());
        assertEquals(77, fixed.alpha());
    }

    @Test void parallelSearchGivesTheSameResultsAsSequential() {
        Tensor x = Tensor.normal(DType.F64, new Rng(1), 0, 1, 8, 6);
        Mlp victim = trainedVictim(x, new int[] {0, 1, 0, 1, 0, 1, 0, 1});
        AttackConfig base = new AttackConfig(8, 50, 0.05, 1e-3, 0.1, 0.05, 40, true, -1, 1, Variant.BINARY, 0);
        List<AttackConfig> cfgs = RandomSearch.configurations(SearchSpace.papers().withFixed(0.01, Double.NaN, Double.NaN, Double.NaN), base, 3, 5);
        RandomSearch.Listener quiet = new RandomSearch.Listener() {
            public void onStep(int run, KktAttack.Step step) {}
            public void onRunDone(int run, KktAttack.Result result) {}
        };
        java.util.function.Supplier<Mlp> copy = () -> Mlp.fromTensors(victim.namedParameters(), DType.F64, "victim");
        List<KktAttack.Result> seq = RandomSearch.run(cfgs, copy, 2, 0, 1, 1, 10, quiet);
        List<KktAttack.Result> par = RandomSearch.run(cfgs, copy, 2, 0, 1, 2, 10, quiet);
        for (int k = 0; k < 3; k++) assertArrayEquals(seq.get(k).candidates().toDoubleArray(), par.get(k).candidates().toDoubleArray());
    }

    @Test void evaluationFindsExactCopiesAndScoresThem() {
        int h = 4, w = 5, d = h * w, n = 3;
        Rng rng = new Rng(2);
        double[] mean = Tensor.uniform(DType.F64, rng, 0.2, 0.4, d).toDoubleArray();
        double[] train = Tensor.uniform(DType.F64, rng, -0.2, 0.6, n * d).toDoubleArray();
        // Candidate 1 is an exact copy of training image 2 (mean-subtracted); the rest is noise.
        double[] cands = Tensor.normal(DType.F64, rng, 0, 0.3, 3 * d).toDoubleArray();
        System.arraycopy(train, 2 * d, cands, d, d);
        Evaluation.Pool pool = new Evaluation.Pool(cands, 3, new int[] {0, 0, 1}, new double[] {0.1, 0.2, 0.3});
        List<Evaluation.Match> m = Evaluation.evaluate(pool, train, n, d, mean, new int[] {0, 1, 1}, null, new double[] {1, 2, 3}, h, w);
        assertEquals(1, m.get(2).candidate());
        // The copy, mean added back and min-max rescaled, equals the image only up to the rescaling: SSIM is high, not 1.
        assertTrue(m.get(2).ssim() > 0.9, "ssim " + m.get(2).ssim());
        assertEquals(0.2, m.get(2).lambda());
        Evaluation.Summary s = Evaluation.summarize(m, 3);
        assertTrue(s.reconstructed() >= 1);
        assertEquals(0.0, Evaluation.extractionScore(train, n, train, n, d), 1e-12, "exact copies give distance 0");
        assertTrue(Evaluation.extractionScore(cands, 3, train, n, d) > 0.1, "noise candidates are far");
    }

    /**
     * A match that passes SSIM with a low correlation is counted as reconstructed and flagged; a true copy is not
     * flagged and is the only one in the strict count; a correlated candidate that fails SSIM is not in it either.
     */
    @Test void summaryFlagsSsimPassesWithoutCorrelation() {
        List<Evaluation.Match> m = List.of(
                new Evaluation.Match(0, 0, 0, 0.55, 0.225, 1, 0, 0, 0.5, 0.4, 0.3, 0.30),  // SSIM passes, r 0.30: a blob
                new Evaluation.Match(1, 1, 1, 0.90, 0.05, 2, 1, 0, 0.5, 0.1, 0.3, 0.97),   // a copy
                new Evaluation.Match(2, 2, 1, 0.20, 0.40, 3, 2, 0, 0.5, 0.9, 0.3, 0.10),   // neither
                new Evaluation.Match(3, 3, 0, 0.25, 0.375, 4, 3, 0, 0.5, 0.2, 0.3, 0.91)); // correlated, grey background: SSIM fails
        Evaluation.Summary s = Evaluation.summarize(m, 4);
        assertEquals(2, s.reconstructed());
        assertEquals(1, s.reconstructedLowCorrelation());
        assertEquals(2, s.highCorrelation());
        assertEquals(1, s.reconstructedHighCorrelation());
    }
}
