package org.imprint.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.imprint.analysis.Ranks;
import org.imprint.analysis.kkt.SphereInitAttack;
import org.imprint.attacks.reconstruction.AttackConfig;
import org.imprint.attacks.reconstruction.KktAttack;
import org.imprint.attacks.reconstruction.RandomSearch;
import org.imprint.attacks.reconstruction.SearchSpace;
import org.imprint.attacks.reconstruction.Variant;
import org.imprint.data.Dataset;
import org.imprint.data.Synthetic;
import org.imprint.io.BadInputException;
import org.imprint.report.Plot;
import org.imprint.tensor.Rng;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code imprint no-prior duplication}: how often attack restarts land on training points, against their loss. */
@Command(
        name = "duplication",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "One victim (the sphere setup: n points on the unit sphere in R^d, 2-layer ReLU, normalised GD), attacked by",
            "many restarts of the KKT attack without the box prior, each with a configuration drawn from Haim et al.'s",
            "ranges (lr_x, σ_x, λ_min, α) and its own seed, started on the sphere of radius --init-radius. For every restart: the final attack loss and how many",
            "candidates land within --radius of a training point. 'Duplication only by chance' (Refael et al. 2025)",
            "predicts restarts with about the same loss that do and do not land on training points.",
            "Defaults are sized for 2 cores."},
        footer = {"", "Example: imprint no-prior duplication --restarts 24 --out runs/no-prior-duplication"})
public final class NoPriorDuplicationCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--n", defaultValue = "40", description = "Training points. Default: ${DEFAULT-VALUE}.")
    int n;

    @Option(names = "--d", defaultValue = "60", description = "Dimension. Default: ${DEFAULT-VALUE}.")
    int d;

    @Option(names = "--width", defaultValue = "200", description = "Hidden width. Default: ${DEFAULT-VALUE}.")
    int width;

    @Option(names = "--train-lr", defaultValue = "0.05", description = "Normalised-GD learning rate. Default: ${DEFAULT-VALUE}.")
    double trainLr;

    @Option(names = "--epochs", defaultValue = "200000", description = "Training epoch budget. Default: ${DEFAULT-VALUE}.")
    long epochs;

    @Option(names = "--loss-threshold", defaultValue = "1e-6", description = "Stop training below this loss. Default: ${DEFAULT-VALUE}.")
    double lossThreshold;

    @Option(names = "--restarts", defaultValue = "16", description = "Attack restarts. Default: ${DEFAULT-VALUE}.")
    int restarts;

    @Option(names = "--iterations", defaultValue = "3000", description = "Attack iterations per restart. Default: ${DEFAULT-VALUE}.")
    int iterations;

    @Option(names = "--lr-x-max", defaultValue = "0.1", description = "Upper end of the lr_x range logU[1e-5, max] (the paper's code: 1). Default: ${DEFAULT-VALUE}.")
    double lrXMax;

    @Option(names = "--init-radius", defaultValue = "1", description = "Candidates start uniformly on the sphere of this radius (the data's own norm); 0: Haim et al.'s N(0, σ_x²) start. Default: ${DEFAULT-VALUE}.")
    double initRadius;

    @Option(names = "--radius", defaultValue = "0.1", description = "A candidate within this distance of a training point counts as a duplicate. Default: ${DEFAULT-VALUE}.")
    double radius;

    @Option(names = "--loss-band", defaultValue = "0.1", description = "Restarts whose final loss is within this relative band of the best count as 'the same loss'. Default: ${DEFAULT-VALUE}.")
    double lossBand;

    @Option(names = "--parallel", defaultValue = "2", description = "Restarts at once. Default: ${DEFAULT-VALUE}.")
    int parallel;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of data, training and the search. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", defaultValue = "no-prior-duplication", description = "Output folder. Default: ${DEFAULT-VALUE}.")
    Path out;

    /** Runs each configuration from the sphere of radius --init-radius, as {@link KktAttack.Result}s. */
    private List<KktAttack.Result> sphereStarts(org.imprint.models.Mlp model, List<AttackConfig> configs) {
        int blas = org.imprint.kernels.Blas.threads();
        org.imprint.kernels.Blas.setThreads(1);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(parallel);
        try {
            List<java.util.concurrent.Future<KktAttack.Result>> futures = new java.util.ArrayList<>();
            for (AttackConfig c : configs) {
                org.imprint.models.Mlp copy = org.imprint.models.Mlp.fromTensors(model.namedParameters(), model.dtype(), "victim");
                futures.add(pool.submit(() -> {
                    SphereInitAttack.Result r = SphereInitAttack.run(copy, c, initRadius);
                    KktAttack.Step last = new KktAttack.Step(c.iterations(), r.loss(), r.stationarity(), 0, Double.NaN);
                    return new KktAttack.Result(c, org.imprint.tensor.Tensor.of(r.candidates(), r.m(), model.inputs()), r.lambda(), r.labels(),
                            r.diverged() ? KktAttack.Outcome.DIVERGED : KktAttack.Outcome.COMPLETED, c.iterations(), r.diverged() ? null : last, List.of());
                }));
            }
            List<KktAttack.Result> out = new java.util.ArrayList<>();
            for (var f : futures) out.add(f.get());
            return out;
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            pool.shutdownNow();
            org.imprint.kernels.Blas.setThreads(blas);
        }
    }

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (n < 2 || d < 2 || width < 1 || restarts < 1 || iterations < 0 || parallel < 1) {
            throw new BadInputException("--n and --d must be >= 2, --width/--restarts/--parallel >= 1, --iterations >= 0");
        }
        NoPriorSupport.requirePositive("--radius", radius);
        NoPriorSupport.requirePositive("--lr-x-max", lrXMax);
        Dataset data = Synthetic.sphere(n, d, 1.0, Synthetic.SphereLabels.FIRST_COORDINATE, new Rng(seed));
        double[] x = data.x().toDoubleArray();
        NoPriorSupport.log(err, "training %d-%d-1 on %s", d, width, data.description());
        NoPriorSupport.Victim v = NoPriorSupport.train(new int[] {d, width, 1}, x, n, data.labels(), trainLr, epochs, lossThreshold, seed);
        NoPriorSupport.log(err, "trained %d epochs: loss %.3e; %d restarts x %d iterations", v.epochs(), v.last().loss(), restarts, iterations);
        double thetaSq = Math.pow(v.model().parameterNorm(), 2);
        SearchSpace space = new SearchSpace(1e-5, lrXMax, 1e-6, 0.1, 0.01, 0.5, 10, 500, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        AttackConfig base = new AttackConfig(2 * n, 100, 0.01, 1e-4, 0.01, 0.1, iterations, false, -1, 1, Variant.BINARY, 0);
        List<AttackConfig> configs = RandomSearch.configurations(space, base, restarts, seed);
        if (!(initRadius >= 0)) throw new BadInputException("--init-radius must be >= 0, got " + initRadius);
        List<KktAttack.Result> results = initRadius > 0 ? sphereStarts(v.model(), configs) : NoPriorSupport.attack(v.model(), configs, parallel);

        double[] rel = new double[restarts], minDist = new double[restarts];
        int[] near = new int[restarts], covered = new int[restarts];
        double best = Double.POSITIVE_INFINITY;
        for (int k = 0; k < restarts; k++) {
            KktAttack.Result r = results.get(k);
            rel[k] = r.relativeResidual(thetaSq);
            if (Double.isFinite(rel[k])) best = Math.min(best, rel[k]);
            double[] cand = r.candidates().toDoubleArray();
            double[] dist = org.imprint.analysis.kkt.NonIdentifiability.nearestDistances(cand, 2 * n, x, n, d);
            double[] toTrain = org.imprint.analysis.kkt.NonIdentifiability.nearestDistances(x, n, cand, 2 * n, d);
            minDist[k] = Double.POSITIVE_INFINITY;
            for (double dd : dist) {
                minDist[k] = Math.min(minDist[k], dd);
                if (dd < radius) near[k]++;
            }
            for (double dd : toTrain) if (dd < radius) covered[k]++;
        }
        ObjectNode json = NoPriorSupport.JSON.createObjectNode();
        json.put("experiment", "no-prior duplication by chance");
        json.put("n", n);
        json.put("d", d);
        json.put("width", width);
        json.put("train_epochs", v.epochs());
        json.put("train_loss", v.last().loss());
        json.put("duplicate_radius", radius);
        json.put("init", initRadius > 0 ? "uniform on the sphere of radius " + initRadius : "N(0, σ_x²) (Haim et al.)");
        json.put("loss_band", lossBand);
        ArrayNode rows = json.putArray("restarts");
        o.printf(Locale.ROOT, "%-7s %10s %10s %8s %8s %13s %10s %12s %12s%n", "restart", "lr_x", "σ_x", "λ_min", "α", "L_stat/|θ|²", "min dist", "cands<r", "train hit");
        int withDup = 0, inBand = 0, inBandNoDup = 0, inBandDup = 0, finite = 0;
        double[] fx = new double[restarts], fy = new double[restarts];
        int f = 0;
        for (int k = 0; k < restarts; k++) {
            AttackConfig c = configs.get(k);
            o.printf(Locale.ROOT, "%-7d %10.3e %10.3e %8.3f %8.1f %13.5e %10.4f %12d %12d%n", k, c.lrX(), c.sigmaX(), c.lambdaMin(), c.alpha(), rel[k], minDist[k], near[k], covered[k]);
            ObjectNode row = rows.addObject();
            row.putPOJO("config", c);
            row.put("outcome", results.get(k).outcome().name().toLowerCase(Locale.ROOT));
            row.put("relative_stationarity", Double.isFinite(rel[k]) ? rel[k] : null);
            row.put("final_loss", results.get(k).last() == null ? null : results.get(k).last().loss());
            row.put("min_distance", minDist[k]);
            row.put("candidates_within_radius", near[k]);
            row.put("training_points_hit", covered[k]);
            if (!Double.isFinite(rel[k])) continue;
            finite++;
            fx[f] = minDist[k];
            fy[f++] = rel[k];
            if (near[k] > 0) withDup++;
            if (rel[k] <= best * (1 + lossBand)) {
                inBand++;
                if (near[k] > 0) inBandDup++;
                else inBandNoDup++;
            }
        }
        double rho = f >= 3 ? Ranks.spearman(java.util.Arrays.copyOf(fx, f), java.util.Arrays.copyOf(fy, f)) : Double.NaN;
        o.printf(Locale.ROOT, "%n%d of %d finished restarts put a candidate within %.3g of a training point.%n", withDup, finite, radius);
        o.printf(Locale.ROOT, "%d restarts reach the best relative stationarity within %.0f%% (%.4e): %d of them with a duplicate, %d far from every training point.%n",
                inBand, 100 * lossBand, best, inBandDup, inBandNoDup);
        o.printf(Locale.ROOT, "Spearman(min distance, L_stat/|θ|²) over restarts: %.3f%n", rho);
        json.put("restarts_with_duplicate", withDup);
        json.put("finished_restarts", finite);
        json.put("best_relative_stationarity", best);
        json.put("restarts_in_loss_band", inBand);
        json.put("in_band_with_duplicate", inBandDup);
        json.put("in_band_without_duplicate", inBandNoDup);
        json.put("spearman_min_distance_vs_loss", Double.isFinite(rho) ? rho : null);
        NoPriorSupport.writeJson(out, "duplication.json", json);
        new Plot("Duplication by chance: attack residual vs closest candidate", "distance of the closest candidate to a training point",
                "final L_stat / |θ|²").scatter("restarts", java.util.Arrays.copyOf(fx, f), java.util.Arrays.copyOf(fy, f))
                .dashed("duplicate radius", new double[] {radius, radius}, new double[] {best, best * (1 + lossBand) * 2})
                .writePng(out.resolve("duplication.png"));
        o.println("wrote " + out.resolve("duplication.json") + " and " + out.resolve("duplication.png"));
        o.flush();
        return Main.OK;
    }
}
