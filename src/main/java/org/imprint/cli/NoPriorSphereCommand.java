package org.imprint.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.imprint.analysis.kkt.SphereInitAttack;
import org.imprint.attacks.reconstruction.AttackConfig;
import org.imprint.attacks.reconstruction.Variant;
import org.imprint.data.Dataset;
import org.imprint.data.Synthetic;
import org.imprint.io.BadInputException;
import org.imprint.kernels.Blas;
import org.imprint.models.Mlp;
import org.imprint.report.Plot;
import org.imprint.tensor.Rng;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code imprint no-prior sphere}: the synthetic experiment of "No Prior, No Leakage" (same loss, different quality). */
@Command(
        name = "sphere",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "n points uniform on the unit sphere in R^d labelled by the sign of the first coordinate; a 2-layer ReLU net",
            "trained by normalised GD to the loss threshold; then the KKT attack WITHOUT the box prior, its candidates",
            "initialised on spheres of several radii (the same seeds for every radius). Reports, per radius, the final",
            "attack loss and the mean distance of the best candidates to the training set (Refael et al. 2025, §5: the",
            "loss is about the same for every radius while the distance grows away from radius 1).",
            "Defaults are sized for 2 cores (paper: n = 500, d = 784, width 1000, 500K epochs)."},
        footer = {"", "Example: imprint no-prior sphere --radii 1,2,4 --restarts 2 --out runs/no-prior-sphere"})
public final class NoPriorSphereCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--n", defaultValue = "60", description = "Training points. Default: ${DEFAULT-VALUE}.")
    int n;

    @Option(names = "--d", defaultValue = "120", description = "Dimension. Default: ${DEFAULT-VALUE}.")
    int d;

    @Option(names = "--width", defaultValue = "300", description = "Hidden width. Default: ${DEFAULT-VALUE}.")
    int width;

    @Option(names = "--train-lr", defaultValue = "0.05", description = "Normalised-GD learning rate (step lr/loss). Default: ${DEFAULT-VALUE}.")
    double trainLr;

    @Option(names = "--epochs", defaultValue = "200000", description = "Training epoch budget. Default: ${DEFAULT-VALUE}.")
    long epochs;

    @Option(names = "--loss-threshold", defaultValue = "1e-6", description = "Stop training below this loss. Default: ${DEFAULT-VALUE}.")
    double lossThreshold;

    @Option(names = "--radii", split = ",", defaultValue = "1,1.5,2,4,8", description = "Initialisation radii. Default: ${DEFAULT-VALUE}.")
    double[] radii;

    @Option(names = "--restarts", defaultValue = "2", description = "Attack runs per radius (seeds shared across radii). Default: ${DEFAULT-VALUE}.")
    int restarts;

    @Option(names = "--iterations", defaultValue = "4000", description = "Attack iterations. Default: ${DEFAULT-VALUE}.")
    int iterations;

    @Option(names = "--lr-x", defaultValue = "0.01", description = "Attack learning rate of the candidates. Default: ${DEFAULT-VALUE}.")
    double lrX;

    @Option(names = "--lr-lambda", defaultValue = "1e-4", description = "Attack learning rate of λ. Default: ${DEFAULT-VALUE}.")
    double lrLambda;

    @Option(names = "--alpha", defaultValue = "100", description = "α of the smoothed ReLU derivative. Default: ${DEFAULT-VALUE}.")
    double alpha;

    @Option(names = "--lambda-min", defaultValue = "0.1", description = "λ_min. Default: ${DEFAULT-VALUE}.")
    double lambdaMin;

    @Option(names = "--top", defaultValue = "5", description = "Best candidates averaged (the paper: 5). Default: ${DEFAULT-VALUE}.")
    int top;

    @Option(names = "--parallel", defaultValue = "2", description = "Attack runs at once. Default: ${DEFAULT-VALUE}.")
    int parallel;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of data, training and attacks. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", defaultValue = "no-prior-sphere", description = "Output folder. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (n < 2 || d < 2 || width < 1 || restarts < 1 || iterations < 0 || top < 1 || parallel < 1 || radii.length == 0) {
            throw new BadInputException("--n and --d must be >= 2, --width/--restarts/--top/--parallel >= 1, --iterations >= 0, --radii non-empty");
        }
        for (double r : radii) NoPriorSupport.requirePositive("--radii", r);
        Dataset data = Synthetic.sphere(n, d, 1.0, Synthetic.SphereLabels.FIRST_COORDINATE, new Rng(seed));
        double[] x = data.x().toDoubleArray();
        NoPriorSupport.log(err, "training %d-%d-1 on %s", d, width, data.description());
        NoPriorSupport.Victim v = NoPriorSupport.train(new int[] {d, width, 1}, x, n, data.labels(), trainLr, epochs, lossThreshold, seed);
        double kktResidual = org.imprint.analysis.kkt.TrueDataKkt.fit(new org.imprint.analysis.kkt.PerSampleGradients(v.model(), x, n),
                org.imprint.analysis.kkt.TrueDataKkt.signs(data.labels())).relative();
        NoPriorSupport.log(err, "trained %d epochs: loss %.3e, q_min %.3e, true-data KKT residual r*/|θ| %.4f", v.epochs(), v.last().loss(), v.last().minMargin(), kktResidual);
        double thetaSq = Math.pow(v.model().parameterNorm(), 2);

        record Job(int radius, int restart) {}
        List<Job> jobs = new ArrayList<>();
        for (int a = 0; a < radii.length; a++) for (int k = 0; k < restarts; k++) jobs.add(new Job(a, k));
        int blas = Blas.threads();
        Blas.setThreads(1);
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        List<Future<SphereInitAttack.Result>> futures = new ArrayList<>();
        try {
            for (Job j : jobs) {
                AttackConfig cfg = new AttackConfig(2 * n, alpha, lrX, lrLambda, 0, lambdaMin, iterations, false, -1, 1, Variant.BINARY, seed * 1000 + j.restart());
                Mlp copy = Mlp.fromTensors(v.model().namedParameters(), v.model().dtype(), "victim");
                futures.add(pool.submit(() -> SphereInitAttack.run(copy, cfg, radii[j.radius()])));
            }
            ObjectNode json = NoPriorSupport.JSON.createObjectNode();
            json.put("experiment", "no-prior sphere (Refael et al. 2025, synthetic experiment)");
            json.put("n", n);
            json.put("d", d);
            json.put("width", width);
            json.put("train_epochs", v.epochs());
            json.put("train_loss", v.last().loss());
            json.put("q_min", v.last().minMargin());
            json.put("relative_kkt_residual", kktResidual);
            json.put("attack", String.format(Locale.ROOT, "no box prior, m = 2n = %d, %d iterations, lr_x %g, lr_λ %g, α %g, λ_min %g", 2 * n, iterations, lrX, lrLambda, alpha, lambdaMin));
            ArrayNode rows = json.putArray("runs");
            Plot plot = new Plot("Sphere: attack loss vs distance of the best " + top + " candidates", "mean distance of the best " + top + " candidates to the training set",
                    "final attack loss");
            o.printf(Locale.ROOT, "%-7s %7s %13s %13s %12s %12s%n", "radius", "restart", "final loss", "L_stat/|θ|²", "top-" + top + " dist", "min dist");
            double[][] perRadius = new double[radii.length][3];
            for (int a = 0; a < radii.length; a++) {
                double[] lx = new double[restarts], ly = new double[restarts];
                for (int k = 0; k < restarts; k++) {
                    SphereInitAttack.Result r = futures.get(a * restarts + k).get();
                    double[] dist = SphereInitAttack.sortedNearestDistances(r.candidates(), r.m(), x, n, d);
                    double topMean = SphereInitAttack.meanOfSmallest(dist, top);
                    o.printf(Locale.ROOT, "%-7.3g %7d %13.5e %13.5e %12.5f %12.5f%s%n", radii[a], k, r.loss(), r.stationarity() / thetaSq, topMean, dist[0], r.diverged() ? " (diverged)" : "");
                    ObjectNode row = rows.addObject();
                    row.put("radius", radii[a]);
                    row.put("restart", k);
                    row.put("final_loss", r.loss());
                    row.put("relative_stationarity", r.stationarity() / thetaSq);
                    row.put("top_mean_distance", topMean);
                    row.put("min_distance", dist[0]);
                    row.put("diverged", r.diverged());
                    lx[k] = topMean;
                    ly[k] = r.loss();
                    perRadius[a][0] += r.loss() / restarts;
                    perRadius[a][1] += topMean / restarts;
                    perRadius[a][2] += r.stationarity() / thetaSq / restarts;
                }
                plot.scatter(String.format(Locale.ROOT, "radius %g", radii[a]), lx, ly);
            }
            o.printf(Locale.ROOT, "%nper radius (mean over %d restarts):%n%-7s %13s %13s %12s%n", restarts, "radius", "final loss", "L_stat/|θ|²", "top-" + top + " dist");
            ArrayNode summary = json.putArray("per_radius");
            for (int a = 0; a < radii.length; a++) {
                o.printf(Locale.ROOT, "%-7.3g %13.5e %13.5e %12.5f%n", radii[a], perRadius[a][0], perRadius[a][2], perRadius[a][1]);
                ObjectNode s = summary.addObject();
                s.put("radius", radii[a]);
                s.put("mean_final_loss", perRadius[a][0]);
                s.put("mean_relative_stationarity", perRadius[a][2]);
                s.put("mean_top_distance", perRadius[a][1]);
            }
            NoPriorSupport.writeJson(out, "sphere.json", json);
            plot.writePng(out.resolve("sphere.png"));
            o.println("wrote " + out.resolve("sphere.json") + " and " + out.resolve("sphere.png"));
            o.flush();
            return Main.OK;
        } finally {
            pool.shutdownNow();
            Blas.setThreads(blas);
        }
    }
}
