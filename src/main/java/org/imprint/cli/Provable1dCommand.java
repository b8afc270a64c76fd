package org.imprint.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.imprint.attacks.provable.Margin;
import org.imprint.attacks.provable.ReconstructionScore;
import org.imprint.attacks.provable.UnivariateNetwork;
import org.imprint.attacks.provable.UnivariateReconstruction;
import org.imprint.attacks.provable.UnivariateTraining;
import org.imprint.data.Dataset;
import org.imprint.data.Synthetic;
import org.imprint.io.BadInputException;
import org.imprint.io.Safetensors;
import org.imprint.report.Plot;
import org.imprint.tensor.Rng;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code imprint experiment provable-1d}: the univariate attack on nets trained into the KKT regime, over seeds. */
@Command(
        name = "provable-1d",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "The univariate reconstruction attack (Smorodinsky, Vardi & Safran 2024, Sec. 3) on 1-k-1 ReLU nets trained",
            "into the KKT regime: n = 20 points x ~ U[-1,1], labels sign(sin(k pi x / 2)), width 1000 (w,b ~ N(0,1),",
            "v ~ N(0,1/k)); GD lr 0.05 until the loss < 1e-2, then normalised GD for 150k steps. Per seed: Algorithm 1's",
            "precision against the 1/4 guarantee and chance, |S|, the practical variant's recall of the margin points.",
            "Writes results.json, precision.png and f(x) plots per seed (seed-N.png), and each net (seed-N.safetensors)."})
public final class Provable1dCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--seeds", defaultValue = "10", description = "Seeds 0..N-1 (data and init). Default: ${DEFAULT-VALUE}.")
    int seeds;

    @Option(names = "--n", defaultValue = "20", description = "Training points. Default: ${DEFAULT-VALUE}.")
    int n;

    @Option(names = "--k", defaultValue = "3", description = "Labels sign(sin(k pi x / 2)). Default: ${DEFAULT-VALUE}.")
    int k;

    @Option(names = "--width", defaultValue = "1000", description = "Hidden neurons. Default: ${DEFAULT-VALUE}.")
    int width;

    @Option(names = "--fit-lr", defaultValue = "0.05", description = "Plain GD step until the loss < --fit-loss. Default: ${DEFAULT-VALUE}.")
    double fitLr;

    @Option(names = "--fit-loss", defaultValue = "1e-2", description = "Default: ${DEFAULT-VALUE}.")
    double fitLoss;

    @Option(names = "--max-fit-steps", defaultValue = "200000", description = "Default: ${DEFAULT-VALUE}.")
    long maxFitSteps;

    @Option(names = "--normalized-lr", defaultValue = "0.03", description = "Normalised GD step (see UnivariateTraining). Default: ${DEFAULT-VALUE}.")
    double normalizedLr;

    @Option(names = "--kkt-steps", defaultValue = "150000", description = "Normalised GD steps. Default: ${DEFAULT-VALUE}.")
    long kktSteps;

    @Option(names = "--prune", defaultValue = "1e-3", description = "Default: ${DEFAULT-VALUE}.")
    double prune;

    @Option(names = "--merge-tol", defaultValue = "1e-6", description = "Default: ${DEFAULT-VALUE}.")
    double mergeTol;

    @Option(names = "--on-margin-tol", defaultValue = "1e-3", description = "Default: ${DEFAULT-VALUE}.")
    double onMarginTol;

    @Option(names = "--epsilon", defaultValue = "1e-3", description = "Match distance. Default: ${DEFAULT-VALUE}.")
    double epsilon;

    @Option(names = "--threads", defaultValue = "2", description = "Seeds trained in parallel. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--out", description = "Output folder (default: runs/provable-1d-<time>).")
    Path out;

    /** One seed's outcome. */
    record SeedResult(int seed, UnivariateTraining.Result training, double[] x, double[] y, Margin margin,
                      UnivariateReconstruction.Result attack, ReconstructionScore algorithm1, ReconstructionScore practical, double seconds) {}

    @Override
    public Integer call() throws InterruptedException {
        if (seeds < 1 || threads < 1 || n < 2) throw new BadInputException("--seeds and --threads must be >= 1, --n >= 2");
        if (!(epsilon > 0)) throw new BadInputException("--epsilon must be > 0");
        UnivariateTraining.Config tc = new UnivariateTraining.Config(width, fitLr, fitLoss, maxFitSteps, normalizedLr, kktSteps);
        UnivariateReconstruction.Options opts = new UnivariateReconstruction.Options(prune, mergeTol, onMarginTol);
        if (out == null) out = ProvableSupport.defaultOut("provable-1d");
        ProvableSupport.createDirectories(out);
        PrintWriter err = spec.commandLine().getErr();
        Progress progress = new Progress(err, "provable-1d", seeds, Progress.interactive(), 10);
        List<SeedResult> results = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<SeedResult>> fs = new ArrayList<>();
            for (int s = 0; s < seeds; s++) {
                int seed = s;
                fs.add(pool.submit(() -> runSeed(seed, tc, opts)));
            }
            for (Future<SeedResult> f : fs) {
                results.add(f.get());
                progress.update(results.size(), "seed " + results.getLast().seed());
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        progress.finish();

        ObjectNode doc = ProvableSupport.JSON.createObjectNode();
        doc.put("command", "experiment provable-1d");
        ObjectNode cfg = doc.putObject("config");
        cfg.put("n", n);
        cfg.put("labels", "sign(sin(" + k + " pi x / 2)), x ~ U[-1, 1]");
        cfg.put("width", width);
        cfg.put("init", "w, b ~ N(0, 1), v ~ N(0, 1/k)");
        cfg.set("training", ProvableSupport.JSON.valueToTree(tc));
        cfg.set("attack", ProvableSupport.JSON.valueToTree(opts));
        cfg.put("epsilon", epsilon);
        cfg.put("margin", "oracle: the true min margin over the training set (the theorem assumes m known)");
        cfg.put("seed_rule", "data from Rng(seed), init from Rng(seed + 1000)");
        ArrayNode arr = doc.putArray("seeds");
        double[] prec = new double[results.size()];
        int atLeastQuarter = 0, fitted = 0;
        double sumSize = 0, sumPrec = 0, sumChance = 0, sumRecall = 0, sumPracPrec = 0;
        int recallCount = 0, precCount = 0;
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "%4s %6s %9s %8s %6s %4s %4s %10s %9s %8s %8s %8s%n", "seed", "fitted", "ln L", "m", "bps", "on", "|S|",
                "precision", "|S_prac|", "prec", "recall", "chance");
        for (SeedResult r : results) {
            ObjectNode j = arr.addObject();
            j.put("seed", r.seed());
            j.put("fitted", r.training().fitted());
            j.put("fit_steps", r.training().fitSteps());
            j.put("kkt_steps", r.training().kktSteps());
            j.put("ln_loss", r.training().logLoss());
            j.put("normalized_margin", r.training().normalizedMargin());
            j.put("seconds", r.seconds());
            j.put("max_relative_imbalance", r.training().network().maxRelativeImbalance());
            j.set("attack", Reconstruct1dCommand.resultJson(r.attack()));
            j.set("algorithm1_score", ProvableSupport.JSON.valueToTree(r.algorithm1()));
            j.set("practical_score", ProvableSupport.JSON.valueToTree(r.practical()));
            j.set("training_x", ProvableSupport.array(r.x()));
            j.set("training_y", ProvableSupport.array(r.y()));
            prec[results.indexOf(r)] = r.algorithm1().precision();
            if (r.training().fitted()) fitted++;
            if (r.algorithm1().precision() >= 0.25) atLeastQuarter++;
            if (!Double.isNaN(r.algorithm1().precision())) {
                sumPrec += r.algorithm1().precision();
                precCount++;
            }
            sumSize += r.algorithm1().candidates();
            sumChance += r.algorithm1().chancePrecision();
            sumPracPrec += Double.isNaN(r.practical().precision()) ? 0 : r.practical().precision();
            if (!Double.isNaN(r.practical().recall())) {
                sumRecall += r.practical().recall();
                recallCount++;
            }
            o.printf(Locale.ROOT, "%4d %6s %9.1f %8.3g %6d %4d %4d %10.3f %9d %8.3f %8.3f %8.4f%n", r.seed(), r.training().fitted(),
                    r.training().logLoss(), r.margin().value(), r.attack().breakpoints().length, r.attack().onMarginPieces(),
                    r.algorithm1().candidates(), r.algorithm1().precision(), r.practical().candidates(), r.practical().precision(),
                    r.practical().recall(), r.algorithm1().chancePrecision());
            Reconstruct1dCommand.plot(out.resolve("seed-" + r.seed() + ".png"), r.training().network(), r.attack(), r.x(), r.y(),
                    "seed " + r.seed() + ": f(x), +-m, breakpoints, training points, candidates");
            UnivariateNetwork net = r.training().network();
            Safetensors.write(out.resolve("seed-" + r.seed() + ".safetensors"), net.toMlp().namedParameters(),
                    java.util.Map.of("imprint.format", "mlp", "arch", "1-" + net.width() + "-1", "bias", "first", "seed", Integer.toString(r.seed())));
        }
        double minPrec = java.util.Arrays.stream(prec).filter(v -> !Double.isNaN(v)).min().orElse(Double.NaN);
        ObjectNode sum = doc.putObject("summary");
        sum.put("seeds", results.size());
        sum.put("fitted", fitted);
        sum.put("algorithm1_mean_size", sumSize / results.size());
        sum.put("algorithm1_mean_precision", sumPrec / Math.max(1, precCount));
        sum.put("algorithm1_min_precision", minPrec);
        sum.put("algorithm1_share_of_seeds_with_precision_at_least_quarter", (double) atLeastQuarter / results.size());
        sum.put("practical_mean_precision", sumPracPrec / results.size());
        sum.put("practical_mean_recall_of_margin_points", recallCount == 0 ? Double.NaN : sumRecall / recallCount);
        sum.put("chance_precision_mean", sumChance / results.size());
        ObjectNode targets = doc.putObject("targets");
        targets.put("algorithm1_mean_size", "<= ~12 (digest: 6.8)");
        targets.put("algorithm1_share_of_seeds_with_precision_at_least_quarter", ">= 0.8 (digest: mean .47, min .33)");
        targets.put("practical_mean_recall_of_margin_points", "1.0");
        targets.put("chance_precision_mean", "~0.02");
        doc.set("provenance", Provenance.json(ProvableSupport.JSON));
        ProvableSupport.writeJson(out.resolve("results.json"), doc);
        double[] sx = new double[results.size()];
        for (int i = 0; i < sx.length; i++) sx[i] = results.get(i).seed();
        double[] ends = {-0.5, results.size() - 0.5};
        new Plot("Algorithm 1 precision per seed", "seed", "share of S within epsilon of a training point")
                .scatter("Algorithm 1", sx, prec)
                .dashed("1/4 guarantee", ends, new double[] {0.25, 0.25})
                .dashed("chance", ends, new double[] {sumChance / results.size(), sumChance / results.size()})
                .yRange(0, 1).writePng(out.resolve("precision.png"));
        o.printf(Locale.ROOT, "fitted %d/%d; Algorithm 1: mean |S| %.2f (target <= ~12), mean precision %.3f, min %.3f, precision >= 1/4 in %.0f%% of seeds (target >= 80%%)%n",
                fitted, results.size(), sumSize / results.size(), sumPrec / Math.max(1, precCount), minPrec, 100.0 * atLeastQuarter / results.size());
        o.printf(Locale.ROOT, "practical variant: mean precision %.3f, recall of margin points %.3f (target 1.0); chance %.4f (target ~0.02)%n",
                sumPracPrec / results.size(), recallCount == 0 ? Double.NaN : sumRecall / recallCount, sumChance / results.size());
        o.println("wrote " + out.resolve("results.json") + ", precision.png, seed-N.png");
        o.flush();
        return Main.OK;
    }

    private SeedResult runSeed(int seed, UnivariateTraining.Config tc, UnivariateReconstruction.Options opts) {
        long t0 = System.nanoTime();
        Dataset data = Synthetic.univariate(n, k, new Rng(seed));
        double[] x = data.x().toDoubleArray(), y = data.signs();
        UnivariateTraining.Result tr = UnivariateTraining.train(UnivariateTraining.initialise(width, new Rng(seed + 1000L)), x, y, tc);
        double[] f = tr.network().values(x);
        Margin m = Margin.oracle(f, y);
        UnivariateReconstruction.Result attack = UnivariateReconstruction.attack(tr.network(), m, opts);
        ReconstructionScore a1 = ReconstructionScore.evaluate(attack.algorithm1(), x, f, y, m.value(), epsilon, 0.01, -1, 1);
        ReconstructionScore pr = ReconstructionScore.evaluate(attack.practical(), x, f, y, m.value(), epsilon, 0.01, -1, 1);
        return new SeedResult(seed, tr, x, y, m, attack, a1, pr, (System.nanoTime() - t0) * 1e-9);
    }
}
