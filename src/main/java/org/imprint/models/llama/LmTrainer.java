package org.imprint.models.llama;

import java.util.ArrayList;
import java.util.List;
import org.imprint.optim.Optimizer;
import org.imprint.tensor.Autograd;
import org.imprint.tensor.DType;
import org.imprint.tensor.Tensor;
import org.imprint.train.Schedule;

/**
 * The language-model training loop: step s draws {@link TextCorpus#trainBatch} (seed, s), computes the loss,
 * back-propagates, scales every optimizer group by the schedule's factor at s and steps. Validation loss is
 * evaluated on the fixed validation windows before step 0, every {@code evalEvery} steps and after the last.
 * Deterministic: the same model, optimizer state, seed and step continue with the same bits, so a run resumed
 * from a checkpoint at step s matches the uninterrupted run.
 */
public final class LmTrainer {
    /** One evaluation: the model after {@code step} updates. trainLoss is the mean over the steps since the last one. */
    public record Eval(long step, double trainLoss, double validationLoss, double lrFactor, double wallSeconds) {}

    /** Receives evaluations, per-step losses and checkpoint requests. */
    public interface Listener {
        default void onStep(long step, double loss, double wallSeconds) {}

        void onEval(Eval e);

        /** Called after step {@code step} (the model has had {@code step} updates) when {@code step % checkpointEvery == 0}. */
        default void onCheckpoint(long step, double wallSeconds) {}
    }

    /** Wall time split into the model's forward/backward and the optimizer step (nanoseconds, summed). */
    public static final class Timing {
        public long forwardBackwardNanos, optimizerNanos, steps;
    }

    private final Llama model;
    private final Optimizer optimizer;
    private final TextCorpus corpus;
    private final Schedule schedule;
    private final int batch, length, evalWindows;
    private final long steps, seed, evalEvery, checkpointEvery;
    private final Timing timing = new Timing();
    private double lossSum;   // training losses since the last evaluation (saved with checkpoints so a resumed log matches)
    private int lossCount;

    public LmTrainer(Llama model, Optimizer optimizer, TextCorpus corpus, Schedule schedule, int batch, long steps, long seed,
                     long evalEvery, int evalWindows, long checkpointEvery) {
        if (batch < 1) throw new IllegalArgumentException("batch size should be >= 1 but is: " + batch);
        if (steps < 1) throw new IllegalArgumentException("steps should be >= 1 but is: " + steps);
        if (evalEvery < 1) throw new IllegalArgumentException("evaluation period should be >= 1 but is: " + evalEvery);
        if (evalWindows < 1) throw new IllegalArgumentException("validation windows should be >= 1 but is: " + evalWindows);
        this.model = model;
        this.optimizer = optimizer;
        this.corpus = corpus;
        this.schedule = schedule;
        this.batch = batch;
        this.length = model.config().context();
        this.steps = steps;
        this.seed = seed;
        this.evalEvery = evalEvery;
        this.evalWindows = evalWindows;
        this.checkpointEvery = checkpointEvery;
    }

    public Timing timing() { return timing; }

    /** Sum and count of the training losses since the last evaluation (to store in a checkpoint). */
    public double[] runningLoss() { return new double[] {lossSum, lossCount}; }

    /** Restores {@link #runningLoss()} from a checkpoint before {@link #run}. */
    public void restoreRunningLoss(double sum, int count) {
        lossSum = sum;
        lossCount = count;
    }

    /** Mean validation loss over the fixed windows, evaluated in chunks of the training batch size. */
    public double validationLoss() {
        TextCorpus.Batch v = corpus.validationBatch(evalWindows, length);
        double total = 0;
        try (var g = Autograd.noGrad()) {
            for (int start = 0; start < v.batch(); start += batch) {
                int n = Math.min(batch, v.batch() - start);
                int[] in = java.util.Arrays.copyOfRange(v.inputs(), start * length, (start + n) * length);
                int[] out = java.util.Arrays.copyOfRange(v.targets(), start * length, (start + n) * length);
                total += model.loss(in, out, n, length).item() * n;
            }
        }
        return total / v.batch();
    }

    /** Trains from step {@code start} (the model and optimizer hold the state after {@code start} updates) to the budget. */
    public List<Eval> run(long start, double wallBefore, Listener listener) {
        List<Eval> evals = new ArrayList<>();
        long t0 = System.nanoTime();
        if (start == 0) {
            Eval e = new Eval(0, Double.NaN, validationLoss(), schedule.rate(1, 0, steps), wallBefore);
            evals.add(e);
            listener.onEval(e);
        }
        // float32: the written-out step (LlamaBackprop); float64 models go through autograd. Same loss and gradients.
        LlamaBackprop step = model.dtype() == DType.F32 ? new LlamaBackprop(model, batch) : null;
        for (long s = start; s < steps; s++) {
            TextCorpus.Batch b = corpus.trainBatch(seed, s, batch, length);
            long a = System.nanoTime();
            double value;
            if (step != null) {
                value = step.lossAndGradients(b.inputs(), b.targets());
            } else {
                Tensor loss = model.loss(b.inputs(), b.targets(), batch, length);
                loss.backward();
                value = loss.item();
            }
            long c = System.nanoTime();
            optimizer.scaleLearningRates(schedule.rate(1, s, steps));
            optimizer.step();
            optimizer.zeroGrad();
            long d = System.nanoTime();
            timing.forwardBackwardNanos += c - a;
            timing.optimizerNanos += d - c;
            timing.steps++;
            if (!Double.isFinite(value)) throw new IllegalStateException("the training loss became " + value + " at step " + s + " (learning rate too high?)");
            lossSum += value;
            lossCount++;
            double wall = wallBefore + (System.nanoTime() - t0) * 1e-9;
            listener.onStep(s + 1, value, wall);
            if ((s + 1) % evalEvery == 0 || s + 1 == steps) {
                double validation = validationLoss();
                wall = wallBefore + (System.nanoTime() - t0) * 1e-9;
                Eval e = new Eval(s + 1, lossSum / lossCount, validation, schedule.rate(1, s, steps), wall);
                lossSum = 0;
                lossCount = 0;
                evals.add(e);
                listener.onEval(e);
            }
            if (checkpointEvery > 0 && (s + 1) % checkpointEvery == 0) listener.onCheckpoint(s + 1, wall);
        }
        return evals;
    }
}
