package org.imprint.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.imprint.attacks.reconstruction.AttackConfig;
import org.imprint.attacks.reconstruction.Evaluation;
import org.imprint.attacks.reconstruction.KktAttack;
import org.imprint.attacks.reconstruction.RandomSearch;
import org.imprint.data.Dataset;
import org.imprint.io.AtomicFiles;
import org.imprint.io.BadInputException;
import org.imprint.models.Mlp;
import org.imprint.optim.Sgd;
import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.imprint.train.Loss;
import org.imprint.train.Schedule;
import org.imprint.train.TrainConfig;
import org.imprint.train.Trainer;

/** What the "No Prior, No Leakage" experiment commands share: training a victim, attacking it, writing results. */
final class NoPriorSupport {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private NoPriorSupport() {}

    /** A trained victim and how its training ended. */
    record Victim(Mlp model, Trainer.LogEntry last, long epochs) {}

    /**
     * Trains a Haim-style victim (first layer with bias, N(0, 10⁻⁸) initialisation; later layers PyTorch-uniform,
     * no bias) by full-batch normalised GD on the logistic loss (step lr/L) until the loss is below the threshold.
     */
    static Victim train(int[] widths, double[] x, int n, int[] labels, double lr, long epochs, double threshold, long seed) {
        Mlp.InitDistribution[] dists = new Mlp.InitDistribution[widths.length - 1];
        double[] scales = new double[widths.length - 1];
        java.util.Arrays.fill(dists, Mlp.InitDistribution.PYTORCH_UNIFORM);
        java.util.Arrays.fill(scales, 1.0);
        dists[0] = Mlp.InitDistribution.NORMAL;
        scales[0] = 1e-4;
        Mlp model = Mlp.initialise(widths, Mlp.BiasMode.FIRST, dists, scales, new Rng(seed), DType.F64);
        TrainConfig cfg = new TrainConfig(Loss.LOGISTIC, lr, 0, Schedule.parse("constant"), true, epochs, threshold, Math.max(1, epochs / 20), seed);
        Trainer trainer = new Trainer(model, new Sgd(model.parameters(), lr), cfg, org.imprint.tensor.Tensor.of(x.clone(), n, widths[0]), labels, null, null);
        List<Trainer.LogEntry> log = new ArrayList<>();
        Trainer.Result r = trainer.run(0, 0, log::add);
        return new Victim(model, r.last(), r.epochs());
    }

    /** The attack with the standard (Gaussian) initialisation, {@code configs} run two at a time. */
    static List<KktAttack.Result> attack(Mlp model, List<AttackConfig> configs, int parallel) {
        return RandomSearch.run(configs, () -> Mlp.fromTensors(model.namedParameters(), model.dtype(), "victim"), 2, 0, 1, parallel, 1_000_000,
                new RandomSearch.Listener() {
                    @Override public void onStep(int run, KktAttack.Step step) {}

                    @Override public void onRunDone(int run, KktAttack.Result result) {}
                });
    }

    /** Pools the completed runs and evaluates them against {@code train} (auditor mode). */
    static Evaluation.Summary evaluate(List<KktAttack.Result> results, Dataset train, double[] mean, double[] margins) {
        int d = train.d();
        List<KktAttack.Result> ok = results.stream().filter(r -> r.outcome() != KktAttack.Outcome.DIVERGED).toList();
        if (ok.isEmpty()) return null;
        int m = ok.get(0).candidates().dim(0), count = m * ok.size();
        double[] px = new double[count * d], pl = new double[count];
        int[] pr = new int[count];
        for (int k = 0; k < ok.size(); k++) {
            System.arraycopy(ok.get(k).candidates().toDoubleArray(), 0, px, k * m * d, m * d);
            for (int j = 0; j < m; j++) {
                pl[k * m + j] = ok.get(k).lambda()[j];
                pr[k * m + j] = k;
            }
        }
        int h = train.sampleShape()[0], w = d / h;
        List<Evaluation.Match> matches = Evaluation.evaluate(new Evaluation.Pool(px, count, pr, pl), train.x().toDoubleArray(), train.n(), d,
                mean, train.labels(), train.sourceIndex(), margins, h, w);
        return Evaluation.summarize(matches, count);
    }

    static void writeJson(Path out, String name, ObjectNode json) {
        try {
            json.set("provenance", Provenance.json(JSON));
            AtomicFiles.writeString(out.resolve(name), JSON.writeValueAsString(json) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static void requirePositive(String option, double v) {
        if (!(v > 0)) throw new BadInputException(option + " must be > 0, got " + v);
    }

    static void log(PrintWriter err, String format, Object... args) {
        err.println("imprint: " + String.format(Locale.ROOT, format, args));
        err.flush();
    }
}
