package org.imprint.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.imprint.attacks.reconstruction.AttackConfig;
import org.imprint.attacks.reconstruction.Evaluation;
import org.imprint.attacks.reconstruction.KktAttack;
import org.imprint.attacks.reconstruction.RandomSearch;
import org.imprint.attacks.reconstruction.SearchSpace;
import org.imprint.attacks.reconstruction.Variant;
import org.imprint.io.AtomicFiles;
import org.imprint.io.BadInputException;
import org.imprint.io.Safetensors;
import org.imprint.report.Png;
import org.imprint.tensor.DType;
import org.imprint.tensor.Tensor;
import org.imprint.train.Victim;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code imprint reconstruct}: the KKT reconstruction attack with a built-in random search, and its evaluation. */
@Command(
        name = "reconstruct",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Searches for inputs x_j and multipliers λ_j with θ ≈ Σ_j λ_j y_j ∇_θ f(θ; x_j) (Haim et al. 2022; Buzaglo et al. 2023),",
            "over a seeded random search of the attack's hyperparameters, and pools the candidates of all runs.",
            "With the training set at hand (a run folder of imprint train, or --data) it also evaluates the result in",
            "AUDITOR MODE, which uses the secret training data: nearest candidate by NCC, SSIM, reconstructed = SSIM > 0.4."},
        footer = {"", "Example: imprint reconstruct runs/mnist100 --runs 8 --iterations 10000"})
public final class ReconstructCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_OR_MODEL", description = "A run folder of imprint train, or a safetensors model file.")
    Path victimPath;

    @Option(names = "--data", description = "Training data (safetensors with x, labels, mean) for a bare model file: enables auditor mode.")
    Path dataFile;

    @Option(names = "--variant", description = "binary, multiclass, weight-decay, regression, naive (default: binary for one output, multiclass otherwise).")
    String variant;

    @Option(names = "--candidates", description = "Candidates m per run (default: 2n with the training data, else required).")
    Integer candidates;

    @Option(names = "--runs", defaultValue = "4", description = "Random-search runs. Default: ${DEFAULT-VALUE}.")
    int runs;

    @Option(names = "--iterations", defaultValue = "5000", description = "SGD iterations per run (the papers: 50000). Default: ${DEFAULT-VALUE}.")
    int iterations;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the search (configurations and initialisations). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--parallel", description = "Runs executed at once (default: the number of cores).")
    Integer parallel;

    @Option(names = "--lr-x", description = "Fix lr_x instead of drawing it from logU[1e-5, 1].")
    Double lrX;

    @Option(names = "--sigma-x", description = "Fix σ_x instead of drawing it from logU[1e-6, 0.1].")
    Double sigmaX;

    @Option(names = "--lambda-min", description = "Fix λ_min instead of drawing it from U[0.01, 0.5].")
    Double lambdaMin;

    @Option(names = "--alpha", description = "Fix α instead of drawing it from U[10, 500].")
    Double alpha;

    @Option(names = "--lr-x-range", split = ",", defaultValue = "1e-5,1", description = "Range of lr_x (log-uniform). Default: ${DEFAULT-VALUE}.")
    double[] lrXRange;

    @Option(names = "--sigma-x-range", split = ",", defaultValue = "1e-6,0.1", description = "Range of σ_x (log-uniform). Default: ${DEFAULT-VALUE}.")
    double[] sigmaXRange;

    @Option(names = "--lambda-min-range", split = ",", defaultValue = "0.01,0.5", description = "Range of λ_min (uniform). Default: ${DEFAULT-VALUE}.")
    double[] lambdaMinRange;

    @Option(names = "--alpha-range", split = ",", defaultValue = "10,500", description = "Range of α (uniform). Default: ${DEFAULT-VALUE}.")
    double[] alphaRange;

    @Option(names = "--lr-lambda", defaultValue = "1e-4", description = "Learning rate of the multipliers. Default: ${DEFAULT-VALUE}.")
    double lrLambda;

    @Option(names = "--box", negatable = true, defaultValue = "true", fallbackValue = "true", description = "Box prior on the mean-subtracted pixels (default on).")
    boolean box;

    @Option(names = "--box-lo", defaultValue = "-1", description = "Lower bound of the box. Default: ${DEFAULT-VALUE}.")
    double boxLo;

    @Option(names = "--box-hi", defaultValue = "1", description = "Upper bound of the box. Default: ${DEFAULT-VALUE}.")
    double boxHi;

    @Option(names = "--pixel-box", description = "Put the box on the images' own pixels, x + mean in [0, 1] per pixel, instead of "
            + "[-1, 1] on the mean-subtracted x (Imprint's tighter prior; needs the training mean from the run's data). "
            + "--box-lo/--box-hi, if given, are then read on the pixel scale.")
    boolean pixelBox;

    @Option(names = "--abort-at", description = "Abandon a run at this iteration if L_stat/|θ|² is still above --abort-residual (default: iterations/5; 0: never).")
    Integer abortAt;

    @Option(names = "--abort-residual", defaultValue = "0.95", description = "See --abort-at. Default: ${DEFAULT-VALUE}.")
    double abortResidual;

    @Option(names = "--rank-by", defaultValue = "loss", description = "Rank runs by their final loss, or by the extraction score (auditor mode: uses the training set). Default: ${DEFAULT-VALUE}.")
    String rankBy;

    @Option(names = "--pool", description = "Pool the candidates of the best K runs (default: every run that was not abandoned).")
    Integer pool;

    @Option(names = "--dtype", defaultValue = "f64", description = "f64 or f32. Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Option(names = "--grid", defaultValue = "48", description = "Pairs in the reconstruction grid. Default: ${DEFAULT-VALUE}.")
    int gridPairs;

    @Option(names = "--log-every", defaultValue = "500", description = "Progress sample interval (iterations). Default: ${DEFAULT-VALUE}.")
    int logEvery;

    @Option(names = "--out", description = "Output folder (default: RUN/reconstruct-<time>, or reconstruct-<time> for a model file).")
    Path out;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr(), o = spec.commandLine().getOut();
        DType type = TrainCommand.parseDType(dtype);
        Victim victim = Victim.load(victimPath, dataFile, type);
        Victim.TrainingData data = victim.data();
        int outputs = victim.model().outputs();
        Variant v = variant != null ? Variant.parse(variant) : outputs == 1 ? Variant.BINARY : Variant.MULTICLASS;
        if ((v == Variant.MULTICLASS) != (outputs > 1)) {
            throw new BadInputException("variant " + v.id() + " does not fit a model with " + outputs + " output(s)");
        }
        int m = candidates != null ? candidates : data != null ? 2 * data.n() : -1;
        if (m < 1) throw new BadInputException("give --candidates (no training data to take 2n from)");
        if (runs < 1 || iterations < 0 || logEvery < 1) throw new BadInputException("--runs and --log-every must be >= 1, --iterations >= 0");
        boolean byExtraction = switch (rankBy.toLowerCase(Locale.ROOT)) {
            case "loss" -> false;
            case "extraction" -> true;
            default -> throw new BadInputException("--rank-by must be loss or extraction, got '" + rankBy + "'");
        };
        if (byExtraction && data == null) throw new BadInputException("--rank-by extraction needs the training data (auditor mode)");
        int abort = abortAt != null ? abortAt : iterations / 5;
        int threads = parallel != null ? parallel : Runtime.getRuntime().availableProcessors();
        if (threads < 1) throw new BadInputException("--parallel must be >= 1");
        if (out == null) {
            String stamp = "reconstruct-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            out = java.nio.file.Files.isDirectory(victimPath) ? victimPath.resolve(stamp) : Path.of(stamp);
        }

        AttackConfig base;
        try {
            if (pixelBox) {
                if (!box) throw new BadInputException("--pixel-box and --no-box contradict each other");
                if (data == null) throw new BadInputException("--pixel-box needs the training mean: give a run folder of imprint train or --data");
                var parsed = spec.commandLine().getParseResult();
                if (!parsed.hasMatchedOption("--box-lo")) boxLo = 0;
                if (!parsed.hasMatchedOption("--box-hi")) boxHi = 1;
            }
            base = new AttackConfig(m, 100, 0.1, lrLambda, 0.01, 0.1, iterations, box, boxLo, boxHi, v, 0);
            if (pixelBox) base = base.withBoxShift(data.mean());
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage());
        }
        checkRange("--lr-x-range", lrXRange, true);
        checkRange("--sigma-x-range", sigmaXRange, true);
        checkRange("--lambda-min-range", lambdaMinRange, false);
        checkRange("--alpha-range", alphaRange, true);
        SearchSpace space = SearchSpace.papers().withRanges(lrXRange, sigmaXRange, lambdaMinRange, alphaRange)
                .withFixed(nan(lrX), nan(sigmaX), nan(lambdaMin), nan(alpha));
        List<AttackConfig> configs = RandomSearch.configurations(space, base, runs, seed);
        int classes = outputs == 1 ? 2 : outputs;
        err.printf(Locale.ROOT, "imprint: attacking %s (%s, %d parameters) with %d runs × %d iterations, m = %d, variant %s, %d at a time%s%n",
                victim.modelFile(), victim.model().archString(), victim.model().parameterCount(), runs, iterations, m, v.id(), threads,
                data == null ? "" : "; auditor mode: the training set is used for evaluation" + (byExtraction ? " and ranking" : ""));

        long total = (long) runs * iterations;
        AtomicLong done = new AtomicLong();
        long[] lastSeen = new long[runs];
        Progress progress = new Progress(err, "reconstruct", total, Progress.interactive(), 15);
        List<KktAttack.Result> results = RandomSearch.run(configs, victim::copyOfModel, classes, abort, abortResidual, threads, logEvery,
                new RandomSearch.Listener() {
                    @Override
                    public void onStep(int run, KktAttack.Step step) {
                        long delta;
                        synchronized (lastSeen) {
                            delta = step.iteration() - lastSeen[run];
                            lastSeen[run] = step.iteration();
                        }
                        progress.update(done.addAndGet(delta), String.format(Locale.ROOT, "run %d loss %.3e", run, step.loss()));
                    }

                    @Override
                    public void onRunDone(int run, KktAttack.Result r) {
                        long delta;
                        synchronized (lastSeen) {
                            delta = iterations - lastSeen[run];
                            lastSeen[run] = iterations;
                        }
                        progress.update(done.addAndGet(delta), "run " + run + " " + r.outcome().name().toLowerCase(Locale.ROOT));
                    }
                });
        progress.finish();

        double thetaSq = victim.model().parameterNorm() * victim.model().parameterNorm();
        int d = victim.model().inputs();
        double[] trainX = data == null ? null : data.x().toDoubleArray();
        List<Integer> order = new ArrayList<>();
        double[] score = new double[runs];
        for (int k = 0; k < runs; k++) {
            KktAttack.Result r = results.get(k);
            score[k] = byExtraction ? Evaluation.extractionScore(r.candidates().toDoubleArray(), m, trainX, data.n(), d)
                                    : r.last() == null ? Double.POSITIVE_INFINITY : r.last().loss();
            if (r.outcome() != KktAttack.Outcome.COMPLETED || !Double.isFinite(score[k])) score[k] = Double.POSITIVE_INFINITY;
            order.add(k);
        }
        order.sort(Comparator.comparingDouble(k -> score[k]));
        List<Integer> pooled = new ArrayList<>();
        for (int k : order) if (Double.isFinite(score[k]) && (pool == null || pooled.size() < pool)) pooled.add(k);
        if (pooled.isEmpty()) {
            throw new BadInputException("every run diverged or was abandoned (see " + out.resolve("runs.json")
                    + "); try other --lr-x/--sigma-x, more --iterations, or --abort-at 0");
        }

        ObjectNode config = JSON.createObjectNode();
        config.put("command", "reconstruct");
        config.put("victim", victim.modelFile().toString());
        config.put("arch", victim.model().archString());
        config.put("variant", v.id());
        config.put("candidates_per_run", m);
        config.put("runs", runs);
        config.put("iterations", iterations);
        config.put("search_seed", seed);
        config.put("abort_at", abort);
        config.put("abort_residual", abortResidual);
        config.put("rank_by", byExtraction ? "extraction score (auditor mode)" : "final attack loss");
        config.putPOJO("search_space", space);
        config.put("dtype", type.name());
        config.put("box_prior", !box ? "off" : pixelBox ? "[" + boxLo + ", " + boxHi + "] on x + mean (pixel box)" : "[" + boxLo + ", " + boxHi + "]");
        config.put("auditor_mode", data != null);
        config.set("provenance", Provenance.json(JSON));
        ArrayNode runsJson = config.putArray("run_results");
        for (int k = 0; k < runs; k++) {
            KktAttack.Result r = results.get(k);
            ObjectNode rj = runsJson.addObject();
            rj.put("run", k);
            rj.putPOJO("config", r.config());
            rj.put("outcome", r.outcome().name().toLowerCase(Locale.ROOT));
            rj.put("iterations_run", r.iterationsRun());
            if (r.last() != null) {
                rj.put("final_loss", r.last().loss());
                if (v != Variant.NAIVE) {
                    rj.put("stationarity", r.last().stationarity());
                    rj.put("relative_residual", r.relativeResidual(thetaSq));
                }
            }
            rj.put("rank_score", Double.isFinite(score[k]) ? score[k] : null);
            rj.put("pooled", pooled.contains(k));
        }
        AtomicFiles.writeString(out.resolve("runs.json"), JSON.writeValueAsString(config) + "\n");

        int poolCount = pooled.size() * m;
        double[] px = new double[poolCount * d], plambda = new double[poolCount];
        int[] prun = new int[poolCount], plabel = new int[poolCount];
        int at = 0;
        for (int k : pooled) {
            KktAttack.Result r = results.get(k);
            System.arraycopy(r.candidates().toDoubleArray(), 0, px, at * d, m * d);
            for (int j = 0; j < m; j++) {
                plambda[at + j] = r.lambda()[j];
                prun[at + j] = k;
                plabel[at + j] = r.labels()[j];
            }
            at += m;
        }
        Map<String, Tensor> candidatesFile = new LinkedHashMap<>();
        candidatesFile.put("x", Tensor.of(px, poolCount, d));
        candidatesFile.put("lambda", Tensor.of(plambda, poolCount));
        candidatesFile.put("run", Tensor.of(java.util.Arrays.stream(prun).asDoubleStream().toArray(), poolCount));
        candidatesFile.put("label", Tensor.of(java.util.Arrays.stream(plabel).asDoubleStream().toArray(), poolCount));
        Safetensors.write(out.resolve("candidates.safetensors"), candidatesFile, Map.of("description",
                "pooled candidates (mean-subtracted, as the model sees inputs) of runs " + pooled + " of " + victim.modelFile()));

        KktAttack.Result best = results.get(order.get(0));
        o.printf(Locale.ROOT, "runs: %d completed, %d abandoned, %d diverged; best run %d: loss %.4e, %s (lr_x %.3g, σ_x %.3g, λ_min %.3g, α %.1f)%n",
                count(results, KktAttack.Outcome.COMPLETED), count(results, KktAttack.Outcome.ABORTED), count(results, KktAttack.Outcome.DIVERGED),
                order.get(0), best.last().loss(), v == Variant.NAIVE ? "naive objective (no stationarity residual)"
                        : String.format(Locale.ROOT, "L_stat/|θ|² %.4e", best.relativeResidual(thetaSq)),
                best.config().lrX(), best.config().sigmaX(), best.config().lambdaMin(), best.config().alpha());
        o.println("pooled " + poolCount + " candidates from " + pooled.size() + " run(s) into " + out.resolve("candidates.safetensors"));

        if (data != null) {
            Evaluation.Pool p = new Evaluation.Pool(px, poolCount, prun, plambda);
            int h = data.sampleShape()[0], w = data.sampleShape()[data.sampleShape().length - 1];
            List<Evaluation.Match> matches = Evaluation.evaluate(p, trainX, data.n(), d, data.mean(), data.labels(),
                    data.sourceIndex(), victim.trainingMargins(), h, w);
            Evaluation.Summary s = Evaluation.summarize(matches, poolCount);
            writeMatches(matches);
            Png.write(Evaluation.grid(matches, p, trainX, data.mean(), d, h, w, gridPairs), out.resolve("grid.png"));
            Evaluation.ssimVersusMargin(matches, s).writePng(out.resolve("ssim-vs-margin.png"));
            ObjectNode summary = JSON.createObjectNode();
            summary.put("mode", "auditor (uses the training set)");
            summary.putPOJO("summary", s);
            summary.put("reconstructed_means", "SSIM > 0.4 between a training image and its nearest candidate (NCC), candidate min-max rescaled");
            summary.put("mean_image_baseline_means", "training images that the training-mean image alone scores SSIM > 0.4 against; "
                    + "a 'reconstruction' that does not beat it shows the class average, not the image");
            summary.put("high_correlation_means", "Imprint's supplementary count, not the papers' measure: training images whose nearest candidate has "
                    + "Pearson correlation > 0.8 with them (mean-subtracted values); independent of the min-max rescaling that SSIM depends on");
            summary.put("reconstructed_high_correlation_means", "the strict count: reconstructed (SSIM > 0.4) and correlation > "
                    + Evaluation.HIGH_CORRELATION + " with the image, so that neither a dark background (which SSIM rewards) nor a grey one "
                    + "(which correlation ignores) decides it");
            summary.put("reconstructed_low_correlation_means", "of the reconstructed (SSIM > 0.4), those whose candidate has Pearson correlation < "
                    + Evaluation.LOW_CORRELATION + " with the image: the SSIM count passes them, the picture does not show the image");
            summary.set("config", config);
            AtomicFiles.writeString(out.resolve("summary.json"), JSON.writeValueAsString(summary) + "\n");
            o.printf(Locale.ROOT, "AUDITOR MODE (uses the training set): %d of %d training images reconstructed (SSIM > 0.4, %.1f%%), "
                    + "%d of them better than the training-mean image (which alone scores > 0.4 on %d); "
                    + "mean SSIM of the top 10 %.3f; Spearman(SSIM, margin) %.3f%n", s.reconstructed(), s.trainingImages(),
                    100 * s.reconstructedFraction(), s.reconstructedBeyondMean(), s.meanImageBaseline(), s.meanTop10Ssim(), s.spearmanSsimMargin());
            o.printf(Locale.ROOT, "supplementary: %d of %d training images have a candidate with correlation > 0.8 (median correlation %.3f); "
                    + "strict count, SSIM > 0.4 and correlation > 0.8: %d (%.1f%%)%n", s.highCorrelation(), s.trainingImages(),
                    s.medianCorrelation(), s.reconstructedHighCorrelation(), 100.0 * s.reconstructedHighCorrelation() / s.trainingImages());
            if (s.reconstructedLowCorrelation() > 0) {
                o.printf(Locale.ROOT, "caution: %d of the %d counted as reconstructed correlate below %.1f with their image: blurred averages on a "
                        + "dark background pass SSIM > 0.4 without showing the image (see grid.png)%n", s.reconstructedLowCorrelation(),
                        s.reconstructed(), Evaluation.LOW_CORRELATION);
            }
            o.println("wrote " + out.resolve("grid.png") + ", " + out.resolve("ssim-vs-margin.png") + ", matches.csv/json, summary.json");
        } else {
            o.println("no training data: candidates only (give a run folder or --data to evaluate in auditor mode)");
        }
        o.flush();
        return Main.OK;
    }

    private static void checkRange(String option, double[] r, boolean positive) {
        if (r.length != 2 || !(r[0] <= r[1]) || (positive && !(r[0] > 0)) || r[0] < 0) {
            throw new BadInputException(option + " needs LO,HI with " + (positive ? "0 < " : "0 <= ") + "LO <= HI, got " + java.util.Arrays.toString(r));
        }
    }

    private static double nan(Double v) {
        return v == null ? Double.NaN : v;
    }

    private static long count(List<KktAttack.Result> rs, KktAttack.Outcome o) {
        return rs.stream().filter(r -> r.outcome() == o).count();
    }

    private void writeMatches(List<Evaluation.Match> matches) throws java.io.IOException {
        StringBuilder csv = new StringBuilder("train_index,source_index,label,ssim,dssim,margin,candidate,run,lambda,ncc_distance,mean_image_ssim,correlation\n");
        for (Evaluation.Match mt : matches) {
            csv.append(String.format(Locale.ROOT, "%d,%d,%d,%.6f,%.6f,%.6e,%d,%d,%.6e,%.6f,%.6f,%.6f%n", mt.trainIndex(), mt.sourceIndex(), mt.label(),
                    mt.ssim(), mt.dssim(), mt.margin(), mt.candidate(), mt.run(), mt.lambda(), mt.nccDistance(), mt.meanImageSsim(), mt.correlation()));
        }
        AtomicFiles.writeString(out.resolve("matches.csv"), csv.toString());
        AtomicFiles.writeString(out.resolve("matches.json"), JSON.writeValueAsString(matches) + "\n");
    }
}
