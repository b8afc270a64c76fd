package org.imprint.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.imprint.analysis.kkt.NonIdentifiability;
import org.imprint.attacks.reconstruction.AttackConfig;
import org.imprint.attacks.reconstruction.Evaluation;
import org.imprint.attacks.reconstruction.KktAttack;
import org.imprint.attacks.reconstruction.RandomSearch;
import org.imprint.attacks.reconstruction.SearchSpace;
import org.imprint.attacks.reconstruction.Variant;
import org.imprint.data.Dataset;
import org.imprint.io.BadInputException;
import org.imprint.models.Mlp;
import org.imprint.report.Plot;
import org.imprint.tensor.Autograd;
import org.imprint.tensor.DType;
import org.imprint.train.Loss;
import org.imprint.train.RunDirectory;
import org.imprint.train.Victim;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code imprint no-prior length}: training length against KKT residual, split freedom and reconstruction. */
@Command(
        name = "length",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "For every snapshot of one training run (imprint train --checkpoints 1000,10000,100000): the true-data KKT",
            "residual r*/|θ|, the approximate-KKT (ε, δ), |W1 ν| for ν off the data span, the admissible",
            "(pattern-preserving) split lengths off the span and along the smallest singular direction, with and",
            "without the box, and the number of training images the attack reconstructs (SSIM > 0.4, auditor mode)",
            "with and without the box prior, with the same attack configurations for every snapshot.",
            "Refael et al. 2025: longer-trained nets satisfy KKT better and are less susceptible without a prior."},
        footer = {"", "Example (the run reported in the issue note):",
                  "  imprint train --per-class 20 --test-per-class 0 --arch 784-200-1 --lr 0.05 --epochs 100000 --checkpoints 1000,10000,100000 --out runs/len",
                  "  imprint no-prior length runs/len --runs 2 --iterations 1500"})
public final class NoPriorLengthCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN", description = "A run folder of imprint train with snapshots in checkpoints/.")
    Path run;

    @Option(names = "--runs", defaultValue = "2", description = "Attack runs per snapshot and prior setting. Default: ${DEFAULT-VALUE}.")
    int runs;

    @Option(names = "--iterations", defaultValue = "2000", description = "Attack iterations per run. Default: ${DEFAULT-VALUE}.")
    int iterations;

    @Option(names = "--lr-x", defaultValue = "0.05", description = "Attack lr_x (fixed; the other knobs are drawn from the papers' ranges). Default: ${DEFAULT-VALUE}.")
    double lrX;

    @Option(names = "--parallel", defaultValue = "2", description = "Attack runs at once. Default: ${DEFAULT-VALUE}.")
    int parallel;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the attack search and the off-span direction. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", description = "Output folder (default: RUN/no-prior-length).")
    Path out;

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (runs < 0 || iterations < 0 || parallel < 1) throw new BadInputException("--runs and --iterations must be >= 0, --parallel >= 1");
        Path snapshots = run.resolve(RunDirectory.SNAPSHOTS);
        if (!Files.isDirectory(snapshots)) throw new BadInputException(run + " has no " + RunDirectory.SNAPSHOTS + "/ folder (train with --checkpoints 1000,10000,100000)");
        List<Path> files;
        try (Stream<Path> s = Files.list(snapshots)) {
            files = new ArrayList<>(s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList());
        }
        if (files.isEmpty()) throw new BadInputException(snapshots + " holds no snapshots");
        Path dataFile = run.resolve(RunDirectory.DATA);
        if (!Files.isRegularFile(dataFile)) throw new BadInputException(run + " has no " + RunDirectory.DATA);
        if (out == null) out = run.resolve("no-prior-length");
        RunDirectory dir = new RunDirectory(run);

        ObjectNode json = NoPriorSupport.JSON.createObjectNode();
        json.put("experiment", "no-prior training length");
        json.put("run", run.toString());
        json.put("attack", runs + " runs x " + iterations + " iterations per snapshot and prior, m = 2n, same configurations throughout");
        ArrayNode rows = json.putArray("snapshots");
        o.printf(Locale.ROOT, "%-8s %10s %10s %10s %10s %10s %11s %11s %11s %11s %9s %9s%n", "epoch", "q_min", "r*/|θ|", "ε/|θ̃|", "δ", "|W1 ν|",
                "t off-span", "t off+box", "t σ_min", "t σ+box", "rec box", "rec free");
        List<double[]> series = new ArrayList<>();
        for (Path f : files) {
            RunDirectory.Checkpoint cp = dir.readCheckpoint(f, DType.F64);
            Mlp model = cp.model();
            Victim victim = Victim.load(f, dataFile, DType.F64);
            Victim.TrainingData data = victim.data();
            if (model.outputs() != 1) throw new BadInputException(f + ": a binary model with one output is needed");
            NonIdentifiability.Report r = NonIdentifiability.analyze(model, data.x().toDoubleArray(), data.n(), data.labels(),
                    new NonIdentifiability.Options(0.5, 1e6, true, -1, 1, 0.05, seed));
            NonIdentifiability.Alternative off = find(r, "split-off-span"), offBox = find(r, "split-off-span-box"),
                    sig = find(r, "split-singular"), sigBox = find(r, "split-singular-box");
            int[] recon = new int[2];
            Evaluation.Summary[] sums = new Evaluation.Summary[2];
            if (runs > 0) {
                Dataset ds = new Dataset(data.x(), data.labels(), 2, data.sampleShape(), data.sourceIndex() == null ? new int[data.n()] : data.sourceIndex(), "training data");
                double[] margins;
                try (var ignored = Autograd.noGrad()) {
                    margins = Loss.margins(model.forward(data.x()), data.labels());
                }
                for (int b = 0; b < 2; b++) {
                    boolean box = b == 0;
                    AttackConfig base = new AttackConfig(2 * data.n(), 100, lrX, 1e-4, 0.01, 0.1, iterations, box, -1, 1, Variant.BINARY, 0);
                    List<AttackConfig> configs = RandomSearch.configurations(SearchSpace.papers().withFixed(lrX, Double.NaN, Double.NaN, Double.NaN), base, runs, seed);
                    List<KktAttack.Result> results = NoPriorSupport.attack(model, configs, parallel);
                    sums[b] = NoPriorSupport.evaluate(results, ds, data.mean(), margins);
                    recon[b] = sums[b] == null ? 0 : sums[b].reconstructed();
                }
            }
            NonIdentifiability.ModelKkt k = r.kkt();
            o.printf(Locale.ROOT, "%-8d %10.3e %10.4f %10.4f %10.3e %10.3e %11.3e %11.3e %11.3e %11.3e %9s %9s%n", cp.epoch(), k.qMin(), k.relativeResidual(),
                    k.epsilonRelative(), k.delta(), r.offSpan().firstLayerImageNorm(), median(off, true), median(offBox, false), median(sig, true), median(sigBox, false),
                    runs > 0 ? recon[0] + "/" + data.n() : "-", runs > 0 ? recon[1] + "/" + data.n() : "-");
            NoPriorSupport.log(err, "snapshot %d done", cp.epoch());
            ObjectNode row = rows.addObject();
            row.put("epoch", cp.epoch());
            row.put("q_min", k.qMin());
            row.put("normalized_margin", k.normalizedMargin());
            row.put("relative_kkt_residual", k.relativeResidual());
            row.put("epsilon_relative", k.epsilonRelative());
            row.put("delta", k.delta());
            row.put("support", k.support());
            row.put("w1_nu_norm", r.offSpan().firstLayerImageNorm());
            row.put("w1_norm", r.offSpan().firstLayerNorm());
            row.put("split_off_span_pattern_limit_median", median(off, true));
            row.put("split_off_span_box_limit_median", median(offBox, false));
            row.put("split_singular_pattern_limit_median", median(sig, true));
            row.put("split_singular_box_limit_median", median(sigBox, false));
            row.put("sigma_min", r.smallestSingular().singularValue());
            if (sums[0] != null) row.putPOJO("attack_with_box", sums[0]);
            if (sums[1] != null) row.putPOJO("attack_without_box", sums[1]);
            series.add(new double[] {cp.epoch(), k.relativeResidual(), median(off, true), median(sig, true), recon[0], recon[1]});
        }
        NoPriorSupport.writeJson(out, "length.json", json);
        double[] ep = series.stream().mapToDouble(v -> v[0]).toArray();
        Plot plot = new Plot("Training length: KKT residual and split freedom", "epoch", "value").xScale(Plot.Scale.LOG).yScale(Plot.Scale.LOG)
                .line("r*/|θ|", ep, series.stream().mapToDouble(v -> v[1]).toArray())
                .line("median t_max off-span", ep, series.stream().mapToDouble(v -> v[2]).toArray())
                .line("median t_max σ_min", ep, series.stream().mapToDouble(v -> v[3]).toArray());
        plot.writePng(out.resolve("length.png"));
        o.println("(t: medians over support points of the largest pattern-preserving step; '+box' also capped by the box [-1, 1]; rec: SSIM > 0.4)");
        o.println("wrote " + out.resolve("length.json") + " and " + out.resolve("length.png"));
        o.flush();
        return Main.OK;
    }

    private static NonIdentifiability.Alternative find(NonIdentifiability.Report r, String kind) {
        return r.alternatives().stream().filter(a -> a.kind().equals(kind)).findFirst().orElse(null);
    }

    /** The median over support points of the pattern limit, or of min(pattern limit, box limit). */
    private static double median(NonIdentifiability.Alternative a, boolean patternOnly) {
        if (a == null) return Double.NaN;
        return patternOnly ? a.patternLimit().median() : a.admissibleLimit().median();
    }
}
