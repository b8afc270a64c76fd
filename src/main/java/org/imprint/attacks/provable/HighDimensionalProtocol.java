package org.imprint.attacks.provable;

import java.util.Arrays;
import org.imprint.analysis.Roc;
import org.imprint.data.Dataset;
import org.imprint.data.Synthetic;
import org.imprint.io.BadInputException;
import org.imprint.models.Mlp;
import org.imprint.optim.Sgd;
import org.imprint.tensor.Autograd;
import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;
import org.imprint.train.Loss;
import org.imprint.train.Schedule;
import org.imprint.train.TrainConfig;
import org.imprint.train.Trainer;

/**
 * The high-dimensional experiment of Smorodinsky, Vardi &amp; Safran (2024, §5), as in the authors' code
 * ({@code multi_dim/main.py}): a (d, k, 1) ReLU net with a first-layer bias and no output bias, every parameter
 * drawn from PyTorch's default U(±1/√fan_in) and multiplied by 1e-3, trained on n points with the mean logistic
 * loss (BCE with logits on (y+1)/2), full-batch SGD at lr 1 for 100 steps, StepLR(30, 0.7). Data: uniform on
 * the sphere of radius √d with parity labels, or the balanced mixture N(±d^0.33·e₁, I) (the authors' code
 * makes every label + by mistake; here half the points are in each class).
 *
 * <p>One trial measures the authors' figures — the margin m̂ = min positive y_i f(x_i), the ratio of marginal
 * points 0 &lt; y_i f(x_i) &lt; 1.1·m̂, the fraction of test points with y·f(x) ≥ m̂ — and the paper's label-free
 * test |f(x)| ≥ c·m̂ with its ROC.
 */
public final class HighDimensionalProtocol {
    private HighDimensionalProtocol() {}

    /** Which data distribution. */
    public enum Distribution { SPHERE, GMM }

    /**
     * The protocol's parameters (authors' values in {@link #DEFAULTS}, except testN, which they set to 5000).
     *
     * @param muExponent GMM means ±d^muExponent·e₁
     * @param fraction   c of the label-free test |f| ≥ c·m̂
     */
    public record Config(Distribution distribution, int n, int width, int testN, double initScale, double lr, long steps,
                         long stepEvery, double gamma, double muExponent, double fraction, DType dtype) {
        public static final Config DEFAULTS = new Config(Distribution.SPHERE, 20, 10_000, 2000, 1e-3, 1.0, 100, 30, 0.7, 0.33, 0.5, DType.F64);

        public Config {
            if (n < 2 || width < 1 || testN < 1 || steps < 0 || stepEvery < 1) throw new BadInputException("n >= 2, width >= 1, test points >= 1 and steps >= 0 are needed");
            if (!(initScale > 0) || !(lr > 0) || !(gamma > 0)) throw new BadInputException("init scale, lr and gamma must be > 0");
            if (distribution == Distribution.GMM && n % 2 != 0) throw new BadInputException("the balanced mixture needs an even n, got " + n);
            if (!(fraction > 0 && fraction <= 1)) throw new BadInputException("the threshold fraction c must be in (0, 1], got " + fraction);
        }

        public Config with(Distribution d) {
            return new Config(d, n, width, testN, initScale, lr, steps, stepEvery, gamma, muExponent, fraction, dtype);
        }
    }

    /**
     * One trial's figures.
     *
     * @param margin               m̂ = min over correctly classified training points of y·f
     * @param marginalRatio        share of training points with 0 &lt; y·f &lt; 1.1·m̂ (authors' figure a)
     * @param testReachingMargin   share of test points with y·f ≥ m̂ (authors' figures b, c; label-aware)
     * @param labelFreeTpr         share of training points with |f| ≥ c·m̂
     * @param labelFreeFpr         share of test points with |f| ≥ c·m̂
     * @param leakedMemberFpr      the same with m := |f(x₀)| of one random member x₀ (Cor. 4.4)
     * @param leakedMemberTpr      TPR of that test
     * @param aucAbs               AUC of |f|
     * @param aucConfidence        AUC of y·f (equal to the loss-threshold AUC)
     * @param medianTestRatio      median over test points of |f|/m̂
     * @param maxImbalanceInit     max_j |v_j² − ‖w_j‖² − b_j²| at initialisation
     * @param maxImbalanceFinal    the same after training (gradient flow conserves each; GD nearly)
     * @param maxVSquared          max_j v_j² after training, the scale to compare the imbalance with
     * @param memberScores         |f(x_i)|/m̂ of the training points (for pooled ROCs)
     * @param nonMemberScores      |f(x)|/m̂ of the test points
     */
    public record Trial(int d, int trial, long seed, double trainAccuracy, double testAccuracy, double finalLoss, double margin,
                        double marginalRatio, double testReachingMargin, double labelFreeTpr, double labelFreeFpr,
                        double leakedMemberTpr, double leakedMemberFpr, double aucAbs, double aucConfidence,
                        double tprAt1Percent, double tprAt01Percent, double advantage, double medianTestRatio,
                        double maxImbalanceInit, double maxImbalanceFinal, double maxVSquared,
                        double trainSeconds, double testSeconds, double[] memberScores, double[] nonMemberScores) {}

    /** The training and test sets of a trial, drawn from {@code new Rng(seed)}: training first, then test. */
    public static Dataset[] data(Config c, int d, long seed) {
        Rng rng = new Rng(seed);
        return new Dataset[] {draw(c, d, c.n(), rng), draw(c, d, c.testN(), rng)};
    }

    private static Dataset draw(Config c, int d, int count, Rng rng) {
        return switch (c.distribution()) {
            case SPHERE -> Synthetic.sphere(count, d, Math.sqrt(d), Synthetic.SphereLabels.PARITY, rng);
            case GMM -> Synthetic.gaussianMixture(count % 2 == 0 ? count : count + 1, d, Math.pow(d, c.muExponent()), rng);
        };
    }

    /** The initial network of a trial: PyTorch's default init × initScale, from {@code new Rng(seed + 1)}. */
    public static Mlp initialModel(Config c, int d, long seed) {
        return Mlp.initialise(new int[] {d, c.width(), 1}, Mlp.BiasMode.FIRST, Mlp.InitDistribution.PYTORCH_UNIFORM,
                new double[] {c.initScale()}, new Rng(seed + 1), c.dtype());
    }

    /** Trains {@code model} in place with the protocol; returns the trainer's result. */
    public static Trainer.Result train(Config c, Mlp model, Dataset train) {
        TrainConfig tc = new TrainConfig(Loss.LOGISTIC, c.lr(), 0, new Schedule.Step(c.stepEvery(), c.gamma()), false,
                c.steps(), 0, Math.max(1, c.steps()), 0);
        return new Trainer(model, new Sgd(model.parameters(), c.lr()), tc, train.x(), train.labels(), null, null)
                .run(0, 0, e -> {});
    }

    /** f(x) for each row, without building a graph. */
    public static double[] outputs(Mlp model, Tensor x) {
        try (var g = Autograd.noGrad()) {
            return model.forward(x.to(model.dtype())).to(DType.F64).toDoubleArray();
        }
    }

    /** Runs one trial at dimension d. */
    public static Trial run(Config c, int d, int trial, long seed) {
        Dataset[] data = data(c, d, seed);
        Dataset train = data[0], test = data[1];
        Mlp model = initialModel(c, d, seed);
        double imbalanceInit = maxImbalance(model)[0];
        long t0 = System.nanoTime();
        Trainer.Result result = train(c, model, train);
        long t1 = System.nanoTime();
        double[] fTest = outputs(model, test.x());
        long t2 = System.nanoTime();
        double[] fTrain = outputs(model, train.x());
        double[] yTrain = train.signs(), yTest = test.signs();
        Margin m = Margin.oracle(fTrain, yTrain);
        double mh = m.value();
        int marginal = 0, trainCorrect = 0;
        for (int i = 0; i < fTrain.length; i++) {
            double q = yTrain[i] * fTrain[i];
            if (q > 0 && q < 1.1 * mh) marginal++;
            if (q > 0) trainCorrect++;
        }
        int reaching = 0, testCorrect = 0;
        double[] ratio = new double[fTest.length];
        for (int i = 0; i < fTest.length; i++) {
            double q = yTest[i] * fTest[i];
            if (q >= mh) reaching++;
            if (q > 0) testCorrect++;
            ratio[i] = Math.abs(fTest[i]) / mh;
        }
        MembershipInference.Report report = MembershipInference.evaluate(fTrain, yTrain, fTest, yTest, m, c.fraction());
        int leaked = new Rng(seed + 2).nextInt(fTrain.length);
        MembershipInference.Report leakedReport = MembershipInference.evaluate(fTrain, yTrain, fTest, yTest,
                Margin.fromKnownPoint(fTrain[leaked], "#" + leaked), c.fraction());
        Roc absRoc = report.score(MembershipInference.Score.ABS_OUTPUT).roc();
        double[] memberScores = new double[fTrain.length];
        for (int i = 0; i < fTrain.length; i++) memberScores[i] = Math.abs(fTrain[i]) / mh;
        double[] imbalanceFinal = maxImbalance(model);
        double[] sorted = ratio.clone();
        Arrays.sort(sorted);
        return new Trial(d, trial, seed, (double) trainCorrect / fTrain.length, (double) testCorrect / fTest.length,
                result.last().loss(), mh, (double) marginal / fTrain.length, (double) reaching / fTest.length,
                report.test().rates().tpr(), report.test().rates().fpr(), leakedReport.test().rates().tpr(), leakedReport.test().rates().fpr(),
                absRoc.auc(), report.score(MembershipInference.Score.CONFIDENCE).roc().auc(),
                absRoc.tprAtFpr(0.01), absRoc.tprAtFpr(0.001), absRoc.advantage(), median(sorted),
                imbalanceInit, imbalanceFinal[0], imbalanceFinal[1], (t1 - t0) * 1e-9, (t2 - t1) * 1e-9, memberScores, ratio);
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }

    /** {max_j |v_j² − ‖w_j‖² − b_j²|, max_j v_j²} of a (d, k, 1) network with a first-layer bias. */
    public static double[] maxImbalance(Mlp model) {
        Tensor w = model.weight(0).to(DType.F64), v = model.weight(1).to(DType.F64);
        Tensor b = model.bias(0) == null ? null : model.bias(0).to(DType.F64);
        int k = w.dim(0), d = w.dim(1);
        double[] wd = w.toDoubleArray(), vd = v.toDoubleArray(), bd = b == null ? new double[k] : b.toDoubleArray();
        double worst = 0, vmax = 0;
        for (int j = 0; j < k; j++) {
            double n2 = bd[j] * bd[j];
            for (int i = 0; i < d; i++) n2 += wd[j * d + i] * wd[j * d + i];
            worst = Math.max(worst, Math.abs(vd[j] * vd[j] - n2));
            vmax = Math.max(vmax, vd[j] * vd[j]);
        }
        return new double[] {worst, vmax};
    }
}
