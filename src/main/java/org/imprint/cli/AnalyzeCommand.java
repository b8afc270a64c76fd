package org.imprint.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.imprint.analysis.kkt.NonIdentifiability;
import org.imprint.io.AtomicFiles;
import org.imprint.io.BadInputException;
import org.imprint.io.Safetensors;
import org.imprint.report.ImageGrid;
import org.imprint.report.Png;
import org.imprint.tensor.DType;
import org.imprint.tensor.Tensor;
import org.imprint.train.Victim;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code imprint analyze}: the non-identifiability measurements of "No Prior, No Leakage" for a model and its data. */
@Command(
        name = "analyze",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Measures how far a binary ReLU MLP is from a KKT point of its own training data (r* = min over λ >= 0 of",
            "|θ − Σ λ_i y_i ∇_θ f(x_i)|, by NNLS), and builds alternative datasets that satisfy the same stationarity",
            "condition (Refael et al. 2025, 'No Prior, No Leakage'): splitting off the data span, splitting along the",
            "smallest singular direction (largest pattern-preserving step, computed exactly over all layers), and",
            "merging same-label same-pattern points. Every alternative is verified by recomputation. Needs the",
            "training data (a run folder of imprint train, or --data): an auditor's tool."},
        footer = {"", "Example: imprint analyze runs/mnist100 --split-length 10"})
public final class AnalyzeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_OR_MODEL", description = "A run folder of imprint train, or a safetensors model file (then --data).")
    Path victimPath;

    @Option(names = "--data", description = "Training data (safetensors with x, labels, mean); default: the run folder's data.safetensors.")
    Path dataFile;

    @Option(names = "--split-fraction", defaultValue = "0.5", description = "Step used = this fraction of the largest pattern-preserving step. Default: ${DEFAULT-VALUE}.")
    double splitFraction;

    @Option(names = "--split-length", defaultValue = "10", description = "Cap on the split step (the step itself when nothing limits it). Default: ${DEFAULT-VALUE}.")
    double splitLength;

    @Option(names = "--box", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also build the alternatives capped by the attack's box prior on the mean-subtracted inputs (default on).")
    boolean box;

    @Option(names = "--box-lo", defaultValue = "-1", description = "Lower bound of the box. Default: ${DEFAULT-VALUE}.")
    double boxLo;

    @Option(names = "--box-hi", defaultValue = "1", description = "Upper bound of the box. Default: ${DEFAULT-VALUE}.")
    double boxHi;

    @Option(names = "--margin-tol", defaultValue = "0.05", description = "On the margin: q_i <= (1 + tol)·q_min. Default: ${DEFAULT-VALUE}.")
    double marginTolerance;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the off-span direction. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--panel", defaultValue = "12", description = "Support points shown in the panel (largest λ* first). Default: ${DEFAULT-VALUE}.")
    int panel;

    @Option(names = "--out", description = "Output folder (default: RUN/analyze-<time>, or analyze-<time> for a model file).")
    Path out;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        Victim victim = Victim.load(victimPath, dataFile, DType.F64);
        if (victim.data() == null) throw new BadInputException("analyze needs the training data: give a run folder of imprint train or --data FILE");
        if (victim.model().outputs() != 1) throw new BadInputException(victim.modelFile() + ": analyze is for binary classifiers with one output; the model has " + victim.model().outputs());
        if (panel < 0) throw new BadInputException("--panel must be >= 0, got " + panel);
        NonIdentifiability.Options options;
        try {
            options = new NonIdentifiability.Options(splitFraction, splitLength, box, boxLo, boxHi, marginTolerance, seed);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage().replace("split fraction", "--split-fraction").replace("split length", "--split-length")
                    .replace("box needs", "--box-lo/--box-hi need").replace("margin tolerance", "--margin-tol"));
        }
        if (out == null) {
            String stamp = "analyze-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            out = Files.isDirectory(victimPath) ? victimPath.resolve(stamp) : Path.of(stamp);
        }
        Victim.TrainingData data = victim.data();
        double[] x = data.x().toDoubleArray();
        NonIdentifiability.Report r = NonIdentifiability.analyze(victim.model(), x, data.n(), data.labels(), options);
        ObjectNode json = summary(r, victim, options);
        for (NonIdentifiability.Alternative a : r.alternatives()) writeAlternative(a, data);
        AtomicFiles.writeString(out.resolve("summary.json"), JSON.writeValueAsString(json) + "\n");
        if (!r.alternatives().isEmpty() && panel > 0) Png.write(panel(r, x, data), out.resolve("panel.png"));
        printTable(o, r);
        o.println("wrote " + out.resolve("summary.json") + ", the alternative datasets (alternative-*.safetensors)"
                + (r.alternatives().isEmpty() || panel == 0 ? "" : " and " + out.resolve("panel.png")));
        o.flush();
        return Main.OK;
    }

    private ObjectNode summary(NonIdentifiability.Report r, Victim victim, NonIdentifiability.Options options) {
        ObjectNode json = JSON.createObjectNode();
        json.put("command", "analyze");
        json.put("victim", victim.modelFile().toString());
        json.put("data", victim.data().file().toString());
        json.putPOJO("options", options);
        json.put("paper", "Refael, Smorodinsky, Lindenbaum, Safran 2025, 'No Prior, No Leakage', arXiv:2509.21296");
        json.putPOJO("kkt", r.kkt());
        json.putPOJO("off_span_direction", r.offSpan());
        json.putPOJO("smallest_singular_direction", r.smallestSingular());
        if (r.singularBound() != null) json.putPOJO("singular_bound", r.singularBound());
        ArrayNode alts = json.putArray("alternatives");
        for (NonIdentifiability.Alternative a : r.alternatives()) {
            ObjectNode aj = alts.addObject();
            aj.put("kind", a.kind());
            aj.put("description", a.description());
            aj.put("file", "alternative-" + a.kind() + ".safetensors");
            aj.put("points", a.points());
            aj.put("source_points", a.sourcePoints());
            if (a.patternLimit() != null) {
                aj.putPOJO("pattern_limit_t", a.patternLimit());
                aj.putPOJO("box_limit_t", a.boxLimit());
                aj.putPOJO("admissible_t", a.admissibleLimit());
                aj.putPOJO("step_t", a.step());
            }
            aj.putPOJO("verification", a.verification());
            aj.put("exact", a.verification().combinationChange() < 1e-9 && a.verification().patternsPreserved());
        }
        json.put("merge_groups", r.mergeGroups());
        json.putPOJO("notes", r.notes());
        json.set("provenance", Provenance.json(JSON));
        return json;
    }

    private void writeAlternative(NonIdentifiability.Alternative a, Victim.TrainingData data) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("x", Tensor.of(a.x().clone(), a.points(), a.d()));
        t.put("labels", Tensor.of(java.util.Arrays.stream(a.labels()).asDoubleStream().toArray(), a.points()));
        t.put("lambda", Tensor.of(a.lambda().clone(), a.points()));
        t.put("source_index", Tensor.of(java.util.Arrays.stream(a.source()).asDoubleStream().toArray(), a.points()));
        t.put("mean", Tensor.of(data.mean().clone(), data.d()));
        StringBuilder shape = new StringBuilder();
        for (int v : data.sampleShape()) shape.append(shape.length() > 0 ? "," : "").append(v);
        Safetensors.write(out.resolve("alternative-" + a.kind() + ".safetensors"), t, Map.of("description", a.description(),
                "sample_shape", shape.toString(), "source_index_means", "row of the training data (as in data.safetensors) each point comes from"));
    }

    /** One row per support point (largest λ* first): the true point, then each alternative's first point from it. */
    private java.awt.image.BufferedImage panel(NonIdentifiability.Report r, double[] x, Victim.TrainingData data) {
        int d = data.d(), h = data.sampleShape()[0], w = d / h;
        double[] lambda = r.kkt().lambda();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < lambda.length; i++) if (lambda[i] > 0) order.add(i);
        order.sort((a, b) -> Double.compare(lambda[b], lambda[a]));
        List<NonIdentifiability.Alternative> alts = r.alternatives();
        List<ImageGrid.Cell> cells = new ArrayList<>();
        for (int i : order.subList(0, Math.min(panel, order.size()))) {
            cells.add(new ImageGrid.Cell(withMean(x, i, d, data.mean()), h, w, "true #" + i));
            for (NonIdentifiability.Alternative a : alts) {
                int j = -1;
                for (int k = 0; k < a.points() && j < 0; k++) if (a.source()[k] == i) j = k;
                cells.add(j < 0 ? new ImageGrid.Cell(new double[d], h, w, "(in another row's group)")
                                : new ImageGrid.Cell(withMean(a.x(), j, d, data.mean()), h, w, shortName(a.kind())));
            }
        }
        return ImageGrid.render(cells, 1 + alts.size(), h == 1 ? 1 : 3, Double.NaN, Double.NaN);
    }

    private static String shortName(String kind) {
        return kind.replace("split-", "").replace("off-span", "offspan");
    }

    private static double[] withMean(double[] x, int row, int d, double[] mean) {
        double[] v = new double[d];
        for (int p = 0; p < d; p++) v[p] = x[row * d + p] + mean[p];
        return v;
    }

    private static void printTable(PrintWriter o, NonIdentifiability.Report r) {
        NonIdentifiability.ModelKkt k = r.kkt();
        o.printf(Locale.ROOT, "model %s (L = %d%s), n = %d, d = %d%n", k.arch(), k.depth(), k.homogeneous() ? ", homogeneous" : ", NOT homogeneous", k.n(), k.d());
        o.printf(Locale.ROOT, "q_min %.4e  normalized margin %.4e  |θ| %.4e%n", k.qMin(), k.normalizedMargin(), k.thetaNorm());
        o.printf(Locale.ROOT, "true-data KKT residual r*/|θ| = %.4e (NNLS %s, Gram rank %d); support (λ* > 0) %d, on margin (tol) %d, both %d%n",
                k.relativeResidual(), k.nnlsConverged() ? "converged" : "NOT converged", k.gramRank(), k.support(), k.onMargin(), k.onMarginAndSupport());
        o.printf(Locale.ROOT, "approximate KKT: ε = %.4e (ε/|θ̃| = %.4e), δ = %.4e%n", k.epsilon(), k.epsilonRelative(), k.delta());
        if (r.offSpan().exists()) o.printf(Locale.ROOT, "off-span direction: data rank %d < d; |W1 ν| = %.4e (|W1|_F = %.4e)%n",
                r.offSpan().dataRank(), r.offSpan().firstLayerImageNorm(), r.offSpan().firstLayerNorm());
        else o.println("off-span direction: none (the data span R^d)");
        if (r.smallestSingular().exists()) o.printf(Locale.ROOT, "smallest singular value σ_min = %.4e (σ_max %.4e)%n",
                r.smallestSingular().singularValue(), r.smallestSingular().largestSingularValue());
        o.printf(Locale.ROOT, "%-22s %6s %11s %11s %11s %11s %9s %10s %11s%n", "alternative", "points", "t_pattern", "t_box", "t_used",
                "stat.change", "patterns", "margin Δ", "dist(S) min");
        for (NonIdentifiability.Alternative a : r.alternatives()) {
            NonIdentifiability.Verification v = a.verification();
            o.printf(Locale.ROOT, "%-22s %6d %11s %11s %11s %11.3e %9s %10.3e %11.4e%n", a.kind(), a.points(),
                    a.patternLimit() == null ? "-" : String.format(Locale.ROOT, "%.3e", a.patternLimit().median()),
                    a.boxLimit() == null ? "-" : String.format(Locale.ROOT, "%.3e", a.boxLimit().median()),
                    a.step() == null ? "-" : String.format(Locale.ROOT, "%.3e", a.step().median()),
                    v.combinationChange(), v.patternsPreserved() ? "kept" : v.patternChanges() + " flip", v.maxMarginChange(), v.distanceToTrueSet().min());
        }
        o.println("(t columns: medians over the support points; stat.change = |Σλ'y'∇f(x') − Σλ*y∇f(x)|/|θ|; margin Δ: max |q' − predicted q| / mean support |q|)");
        if (r.notes().containsKey("merge")) o.println("merge: " + r.notes().get("merge"));
    }
}
