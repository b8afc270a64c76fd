package org.imprint.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.imprint.analysis.Roc;
import org.imprint.attacks.provable.HighDimensionalProtocol;
import org.imprint.attacks.provable.HighDimensionalProtocol.Distribution;
import org.imprint.attacks.provable.HighDimensionalProtocol.Trial;
import org.imprint.io.BadInputException;
import org.imprint.kernels.Blas;
import org.imprint.report.Plot;
import org.imprint.tensor.DType;
import picocli.CommandLine.Option;

/**
 * The options and the loop shared by {@code experiment provable-sphere} and {@code provable-gmm}: the authors'
 * protocol ({@link HighDimensionalProtocol}) over a sweep of d, several trials each, with the figures of
 * provable.md §6 printed next to their targets.
 */
final class ProvableHighDimExperiment {
    @Option(names = "--dims", split = ",", description = "Input dimensions to sweep (default: sphere 20,50,100,200,500,1000; gmm 100,200,500,1000).")
    int[] dims;

    @Option(names = "--trials", defaultValue = "5", description = "Trials per dimension (fresh data and init). Default: ${DEFAULT-VALUE}.")
    int trials;

    @Option(names = "--n", defaultValue = "20", description = "Training points. Default: ${DEFAULT-VALUE}.")
    int n;

    @Option(names = "--width", defaultValue = "10000", description = "Hidden neurons k. Default: ${DEFAULT-VALUE}.")
    int width;

    @Option(names = "--test-n", defaultValue = "2000", description = "Fresh test points per trial (the authors use 5000). Default: ${DEFAULT-VALUE}.")
    int testN;

    @Option(names = "--steps", defaultValue = "100", description = "Full-batch SGD steps (lr 1, StepLR(30, 0.7)). Default: ${DEFAULT-VALUE}.")
    long steps;

    @Option(names = "--fraction", defaultValue = "0.5", description = "c of the label-free test |f| >= c*m. Default: ${DEFAULT-VALUE}.")
    double fraction;

    @Option(names = "--seed", defaultValue = "0", description = "Base seed (trial seeds are derived from it, d and the trial index). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--dtype", defaultValue = "f64", description = "f64 or f32 (the authors' PyTorch code runs f32). Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Option(names = "--threads", defaultValue = "2", description = "BLAS threads. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--out", description = "Output folder (default: runs/provable-<dist>-<time>).")
    Path out;

    static long trialSeed(long base, int d, int trial) {
        return base * 1_000_003L + d * 1009L + trial * 7919L;
    }

    int run(Distribution dist, PrintWriter o, PrintWriter err) {
        if (trials < 1 || threads < 1) throw new BadInputException("--trials and --threads must be >= 1");
        int[] ds = dims != null ? dims : dist == Distribution.SPHERE ? new int[] {20, 50, 100, 200, 500, 1000} : new int[] {100, 200, 500, 1000};
        for (int d : ds) if (d < 1) throw new BadInputException("--dims must be positive, got " + d);
        DType type = TrainCommand.parseDType(dtype);
        HighDimensionalProtocol.Config c = new HighDimensionalProtocol.Config(dist, n, width, testN, 1e-3, 1.0, steps, 30, 0.7, 0.33, fraction, type);
        Blas.setThreads(threads);
        String name = "provable-" + dist.name().toLowerCase(Locale.ROOT);
        if (out == null) out = ProvableSupport.defaultOut(name);
        ProvableSupport.createDirectories(out);
        ObjectNode doc = ProvableSupport.JSON.createObjectNode();
        doc.put("command", "experiment " + name);
        ObjectNode cfg = doc.putObject("config");
        cfg.put("distribution", dist == Distribution.SPHERE ? "uniform on the sphere of radius sqrt(d), parity labels" : "balanced N(+-d^0.33 e1, I), y = sign of the mean");
        cfg.put("n", n);
        cfg.put("width", width);
        cfg.put("test_n", testN);
        cfg.put("init", "PyTorch default U(+-1/sqrt(fan_in)) x 1e-3, first-layer bias, no output bias");
        cfg.put("training", "mean logistic loss, full-batch SGD lr 1, " + steps + " steps, StepLR(30, 0.7)");
        cfg.put("c", fraction);
        cfg.put("dtype", type.name());
        cfg.put("trials", trials);
        cfg.put("seed", seed);
        cfg.put("seed_rule", "trial seed = seed*1000003 + d*1009 + trial*7919; data from Rng(trial seed), init from Rng(trial seed + 1), leaked member from Rng(trial seed + 2)");
        cfg.set("dims", ProvableSupport.JSON.valueToTree(ds));
        ArrayNode perD = doc.putArray("results");
        Map<String, Roc> pooled = new LinkedHashMap<>();
        List<double[]> summary = new ArrayList<>();
        Progress progress = new Progress(err, name, (long) ds.length * trials, Progress.interactive(), 10);
        long done = 0;
        for (int d : ds) {
            List<Trial> ts = new ArrayList<>();
            for (int t = 0; t < trials; t++) {
                ts.add(HighDimensionalProtocol.run(c, d, t, trialSeed(seed, d, t)));
                progress.update(++done, "d = " + d);
            }
            ObjectNode r = perD.addObject();
            r.put("d", d);
            ObjectNode mean = r.putObject("mean");
            double[] row = new double[13];
            row[0] = d;
            row[1] = mean(ts, Trial::marginalRatio, mean, "marginal_ratio");
            row[2] = mean(ts, Trial::testReachingMargin, mean, "test_reaching_margin");
            row[3] = mean(ts, Trial::labelFreeFpr, mean, "label_free_fpr");
            row[4] = mean(ts, Trial::labelFreeTpr, mean, "label_free_tpr");
            row[5] = mean(ts, Trial::aucAbs, mean, "auc_abs");
            row[6] = mean(ts, Trial::aucConfidence, mean, "auc_confidence");
            row[7] = mean(ts, Trial::tprAt1Percent, mean, "tpr_at_1pct_fpr");
            row[8] = mean(ts, Trial::trainAccuracy, mean, "train_accuracy");
            row[9] = mean(ts, Trial::testAccuracy, mean, "test_accuracy");
            row[10] = mean(ts, Trial::medianTestRatio, mean, "median_test_abs_f_over_m");
            row[11] = mean(ts, Trial::leakedMemberFpr, mean, "leaked_member_fpr");
            row[12] = mean(ts, t -> t.maxImbalanceFinal() / t.maxImbalanceInit(), mean, "max_imbalance_final_over_init");
            mean(ts, t -> t.maxImbalanceFinal() / t.maxVSquared(), mean, "max_imbalance_over_max_v2");
            mean(ts, Trial::tprAt01Percent, mean, "tpr_at_0.1pct_fpr");
            mean(ts, Trial::leakedMemberTpr, mean, "leaked_member_tpr");
            mean(ts, Trial::advantage, mean, "advantage");
            mean(ts, Trial::trainSeconds, mean, "train_seconds");
            r.set("targets", ProvableSupport.JSON.valueToTree(targets(dist, d)));
            ArrayNode tj = r.putArray("trials");
            List<Double> memb = new ArrayList<>(), non = new ArrayList<>();
            for (Trial t : ts) {
                ObjectNode j = ProvableSupport.JSON.valueToTree(t);
                j.remove("memberScores");
                j.remove("nonMemberScores");
                tj.add(j);
                for (double v : t.memberScores()) memb.add(v);
                for (double v : t.nonMemberScores()) non.add(v);
            }
            Roc roc = Roc.ofMembers(memb.stream().mapToDouble(Double::doubleValue).toArray(), non.stream().mapToDouble(Double::doubleValue).toArray());
            r.set("pooled_roc_abs_f_over_m", ProvableSupport.rocJson(roc, false));
            pooled.put("d = " + d, roc);
            summary.add(row);
        }
        progress.finish();
        doc.set("provenance", Provenance.json(ProvableSupport.JSON));
        ProvableSupport.writeJson(out.resolve("results.json"), doc);
        ProvableSupport.rocPlot(out.resolve("roc.png"), name + ": ROC of |f|/m (trials pooled)", pooled);
        double[] dx = summary.stream().mapToDouble(r -> r[0]).toArray();
        new Plot(name + ": ratios vs d (n = " + n + ", k = " + width + ")", "d", "ratio")
                .line("marginal training points (0 < yf < 1.1 m)", dx, summary.stream().mapToDouble(r -> r[1]).toArray())
                .line("test points with yf >= m", dx, summary.stream().mapToDouble(r -> r[2]).toArray())
                .line("test points with |f| >= c m", dx, summary.stream().mapToDouble(r -> r[3]).toArray())
                .line("AUC of |f|", dx, summary.stream().mapToDouble(r -> r[5]).toArray())
                .yRange(0, 1).writePng(out.resolve("ratios-vs-d.png"));
        o.printf(Locale.ROOT, "%s: n = %d, width %d, %d steps, %d trials x %d test points, c = %.2g, %s%n", name, n, width, steps, trials, testN, fraction, type.name());
        o.printf(Locale.ROOT, "%6s %9s %11s %11s %8s %8s %8s %9s %6s %6s %8s %10s%n", "d", "marginal", "test yf>=m", "|f|>=cm FPR",
                "TPR", "AUC|f|", "AUC yf", "TPR@1%", "trAcc", "teAcc", "med|f|/m", "imb fin/init");
        for (double[] r : summary) {
            o.printf(Locale.ROOT, "%6d %9.3f %11.4g %11.4g %8.3f %8.4f %8.4f %9.3f %6.3f %6.3f %8.3f %10.2e%n", (int) r[0], r[1], r[2], r[3],
                    r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[12]);
            Map<String, String> tg = targets(dist, (int) r[0]);
            if (!tg.isEmpty()) o.println("       targets: " + tg);
        }
        o.println("wrote " + out.resolve("results.json") + ", roc.png, ratios-vs-d.png");
        o.flush();
        return Main.OK;
    }

    private static double mean(List<Trial> ts, java.util.function.ToDoubleFunction<Trial> f, ObjectNode into, String key) {
        double s = 0;
        for (Trial t : ts) s += f.applyAsDouble(t);
        double m = s / ts.size();
        into.put(key, m);
        return m;
    }

    /** The targets of provable.md §6 (items 2–5) at this d, if any. */
    static Map<String, String> targets(Distribution dist, int d) {
        Map<String, String> t = new LinkedHashMap<>();
        if (dist == Distribution.SPHERE) {
            switch (d) {
                case 1000 -> {
                    t.put("marginal", ">= 0.70");
                    t.put("test yf>=m", "0");
                    t.put("AUC|f|", ">= 0.999");
                    t.put("|f|>=m/2 FPR", "<= 0.002");
                    t.put("TPR", "1.0");
                }
                case 500 -> t.put("|f|>=m/2 FPR", "~0.002 (digest)");
                case 200 -> {
                    t.put("marginal", "~0.5");
                    t.put("test yf>=m", "<= 0.001");
                    t.put("AUC|f|", ">= 0.99");
                    t.put("|f|>=m/2 FPR", "~0.05 (digest)");
                }
                case 100 -> {
                    t.put("marginal", "0.2-0.4");
                    t.put("test yf>=m", "<= 0.01");
                    t.put("AUC|f|", ">= 0.99 (n/d = 0.2, past the theory)");
                }
                case 20 -> {
                    t.put("test yf>=m", "~0.2");
                    t.put("AUC|f|", "~0.8");
                }
                default -> { }
            }
            if (d >= 10) t.put("train acc", "1.0");
        } else {
            if (d >= 100) t.put("test acc", ">= 0.99");
            if (d >= 500) {
                t.put("AUC|f|", ">= 0.999");
                t.put("test yf>=m", "<= 0.001");
            }
        }
        return t;
    }
}
