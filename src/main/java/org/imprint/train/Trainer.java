package org.imprint.train;

import java.util.ArrayList;
import java.util.List;
import org.imprint.io.BadInputException;
import org.imprint.models.Mlp;
import org.imprint.models.MlpBackprop;
import org.imprint.optim.Optimizer;
import org.imprint.tensor.Autograd;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;

/**
 * The training loop. Epoch e starts from θ_e (the parameters after e epochs of updates): the loss of θ_e is
 * computed, logged every {@code logEvery} epochs together with the margins, and then the update is applied.
 * Training stops when the loss of θ_e is below the threshold or after {@code epochs} epochs; the final
 * parameters are evaluated once more. Deterministic: the same model, data and config give the same bits,
 * and a run resumed from a checkpoint at epoch e continues exactly as the uninterrupted run.
 */
public final class Trainer {
    /** One line of the training log, describing θ_epoch. testAccuracy is NaN without a test set. */
    public record LogEntry(long epoch, double loss, double trainAccuracy, double testAccuracy, double minMargin,
                           double normalizedMargin, double parameterNorm, double lr, double wallSeconds) {}

    /** Receives log entries and checkpoint requests while training runs. */
    public interface Listener {
        void onLog(LogEntry entry);

        /** Called at the start of an epoch that {@link #wantsCheckpoint} selected, before its update. */
        default void onCheckpoint(long epoch, double wallSeconds) {}

        /** Whether θ_epoch should be checkpointed. */
        default boolean wantsCheckpoint(long epoch) { return false; }
    }

    /** Why a run ended. */
    public enum Stop {
        EPOCH_BUDGET("epoch budget used"),
        LOSS_THRESHOLD("loss threshold reached"),
        LOSS_UNDERFLOW("the loss underflowed to 0 in floating point: the normalised step lr/loss is undefined");

        public final String description;

        Stop(String description) {
            this.description = description;
        }
    }

    /** How a run ended. */
    public record Result(long epochs, LogEntry last, Stop stop) {
        public boolean reachedThreshold() { return stop == Stop.LOSS_THRESHOLD; }
    }

    private final Mlp model;
    private final Optimizer optimizer;
    private final TrainConfig config;
    private final Tensor xTrain, xTest;
    private final int[] yTrain, yTest;

    public Trainer(Mlp model, Optimizer optimizer, TrainConfig config, Tensor xTrain, int[] yTrain, Tensor xTest, int[] yTest) {
        if (xTrain.dim(0) != yTrain.length) throw new BadInputException(xTrain.dim(0) + " training inputs but " + yTrain.length + " labels");
        if (xTest != null && xTest.dim(0) != yTest.length) throw new BadInputException(xTest.dim(0) + " test inputs but " + yTest.length + " labels");
        this.model = model;
        this.optimizer = optimizer;
        this.config = config;
        this.xTrain = xTrain.to(model.dtype());
        this.yTrain = yTrain;
        this.xTest = xTest == null ? null : xTest.to(model.dtype());
        this.yTest = yTest;
    }

    /**
     * Trains from θ_startEpoch (the model's current parameters) until the budget or the threshold.
     *
     * @param wallSecondsBefore training time already spent before startEpoch (for resumed runs)
     */
    public Result run(long startEpoch, double wallSecondsBefore, Listener listener) {
        long t0 = System.nanoTime();
        int n = xTrain.dim(0);
        boolean fullBatch = config.batchSize() == 0 || config.batchSize() >= n;
        // The layers' forward and backward are written out (MlpBackprop); autograd sees only the loss of the outputs.
        MlpBackprop pass = new MlpBackprop(model, fullBatch ? n : config.batchSize());
        for (long epoch = startEpoch; ; epoch++) {
            double wall = wallSecondsBefore + (System.nanoTime() - t0) * 1e-9;
            if (listener.wantsCheckpoint(epoch)) listener.onCheckpoint(epoch, wall);
            double lr = config.schedule().rate(config.lr(), epoch, config.epochs());
            Tensor outputs, loss;
            if (fullBatch) {
                outputs = pass.forward(xTrain);
                try (var mode = Autograd.gradMode(true)) {
                    loss = config.loss().compute(outputs, yTrain);
                }
            } else {
                try (var mode = Autograd.noGrad()) { // mini-batch epochs need this pass for the log only
                    outputs = model.forward(xTrain);
                    loss = config.loss().compute(outputs, yTrain);
                }
            }
            double lossValue = loss.item();
            if (!Double.isFinite(lossValue)) {
                throw new BadInputException("training diverged at epoch " + epoch + ": the loss is " + lossValue + " (try a smaller --lr)");
            }
            Stop stop = config.lossThreshold() > 0 && lossValue < config.lossThreshold() ? Stop.LOSS_THRESHOLD
                    : epoch >= config.epochs() ? Stop.EPOCH_BUDGET
                    : config.normalized() && !Double.isFinite(lr / lossValue) ? Stop.LOSS_UNDERFLOW : null;
            if (stop != null || epoch % config.logEvery() == 0) {
                LogEntry entry = evaluate(epoch, outputs.detach(), lossValue, lr, wall);
                listener.onLog(entry);
                if (stop != null) return new Result(epoch, entry, stop);
            }
            if (fullBatch) {
                pass.backward(loss, outputs);
                optimizer.setLearningRate(config.normalized() ? lr / lossValue : lr);
                optimizer.step();
                optimizer.zeroGrad();
            } else {
                miniBatchEpoch(epoch, lr, pass);
            }
        }
    }

    private void miniBatchEpoch(long epoch, double lr, MlpBackprop pass) {
        int n = xTrain.dim(0), b = config.batchSize();
        // A stream per (seed, epoch): a resumed run shuffles exactly like the uninterrupted one.
        int[] order = new Rng(config.seed() * 0x9E3779B97F4A7C15L + epoch).permutation(n);
        for (int start = 0; start < n; start += b) {
            int end = Math.min(n, start + b);
            int[] rows = java.util.Arrays.copyOfRange(order, start, end);
            int[] labels = new int[rows.length];
            for (int i = 0; i < rows.length; i++) labels[i] = yTrain[rows[i]];
            Tensor outputs = pass.forward(xTrain.indexSelect(rows));
            Tensor loss;
            try (var mode = Autograd.gradMode(true)) {
                loss = config.loss().compute(outputs, labels);
            }
            double v = loss.item();
            if (!Double.isFinite(v)) throw new BadInputException("training diverged at epoch " + epoch + ": a mini-batch loss is " + v + " (try a smaller --lr)");
            pass.backward(loss, outputs);
            // A mini-batch whose loss underflowed has a zero gradient: any finite step leaves it unchanged.
            optimizer.setLearningRate(config.normalized() ? (Double.isFinite(lr / v) ? lr / v : 0) : lr);
            optimizer.step();
            optimizer.zeroGrad();
        }
    }

    private LogEntry evaluate(long epoch, Tensor outputs, double loss, double lr, double wall) {
        double[] q = Loss.margins(outputs, yTrain);
        double qMin = Double.POSITIVE_INFINITY;
        int correct = 0;
        for (double v : q) {
            qMin = Math.min(qMin, v);
            if (v > 0) correct++;
        }
        double norm = model.parameterNorm();
        double testAcc = Double.NaN;
        if (xTest != null) {
            try (var ignored = Autograd.noGrad()) {
                double[] qt = Loss.margins(model.forward(xTest), yTest);
                int ok = 0;
                for (double v : qt) if (v > 0) ok++;
                testAcc = (double) ok / qt.length;
            }
        }
        return new LogEntry(epoch, loss, (double) correct / q.length, testAcc, qMin,
                qMin / Math.pow(norm, model.depth()), norm, lr, wall);
    }

    /** Names of the columns of a {@link LogEntry}, in JSONL order. */
    public static List<String> logFields() {
        List<String> f = new ArrayList<>();
        for (var c : LogEntry.class.getRecordComponents()) f.add(c.getName());
        return f;
    }
}
