package org.imprint.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.imprint.attacks.provable.Margin;
import org.imprint.attacks.provable.ReconstructionScore;
import org.imprint.attacks.provable.UnivariateNetwork;
import org.imprint.attacks.provable.UnivariateReconstruction;
import org.imprint.data.Dataset;
import org.imprint.data.UserData;
import org.imprint.io.BadInputException;
import org.imprint.report.Plot;
import org.imprint.train.RunDirectory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code imprint reconstruct-1d}: the univariate reconstruction attack (Algorithm 1 and its practical variant). */
@Command(
        name = "reconstruct-1d",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Reconstructs training points of a univariate 2-layer ReLU net (1-k-1, first-layer bias, no output bias) from",
            "its weights and its margin m (Smorodinsky, Vardi & Safran 2024, Sec. 3): breakpoints, linear pieces, on/off-margin",
            "pieces, Algorithm 1's candidate set (>= 1/4 training points at an exact KKT point) and the practical variant",
            "(every on-margin crossing and plateau end). With training data: precision, recall of the margin points, chance.",
            "Writes reconstruction.json and reconstruction.png."},
        footer = {"", "Example: imprint reconstruct-1d --run runs/uni --out runs/uni-attack",
                  "         imprint reconstruct-1d --model net.safetensors --margin 2.5"})
public final class Reconstruct1dCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--run", description = "A run folder of 'imprint train' (model.safetensors, data.safetensors).")
    Path run;

    @Option(names = "--model", description = "A safetensors model file (1-k-1 MLP) instead of --run.")
    Path model;

    @Option(names = "--x", description = "Training inputs (.npy/.csv) for the evaluation (optional with --model).")
    Path xFile;

    @Option(names = "--y", description = "Training labels for the evaluation.")
    Path yFile;

    static final class MarginChoice {
        @Option(names = "--margin", description = "The margin m, known to the attacker (the theorem's assumption).")
        Double given;

        @Option(names = "--margin-from-point", description = "m := |f(x0)| for a training input x0 the attacker knows.")
        Double knownPoint;

        @Option(names = "--estimate-margin", description = "Estimate m from the weights alone (plateau height; a heuristic).")
        boolean estimate;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    MarginChoice marginChoice;

    @Option(names = "--prune", defaultValue = "1e-3", description = "Drop neurons with |v|*||(w,b)|| below this times the largest. Default: ${DEFAULT-VALUE}.")
    double prune;

    @Option(names = "--merge-tol", defaultValue = "1e-6", description = "Merge breakpoints/candidates closer than this (relative to max(1,|x|)). Default: ${DEFAULT-VALUE}.")
    double mergeTol;

    @Option(names = "--on-margin-tol", defaultValue = "1e-3", description = "A piece is on the margin when ||f|-m| <= this*m on it. Default: ${DEFAULT-VALUE}.")
    double onMarginTol;

    @Option(names = "--epsilon", defaultValue = "1e-3", description = "A candidate matches a training point within this distance. Default: ${DEFAULT-VALUE}.")
    double epsilon;

    @Option(names = "--margin-slack", defaultValue = "0.01", description = "Training points with y*f <= (1+slack)*m count as on the margin. Default: ${DEFAULT-VALUE}.")
    double marginSlack;

    @Option(names = "--out", description = "Output folder (default: runs/reconstruct-1d-<time>).")
    Path out;

    @Override
    public Integer call() {
        if ((run == null) == (model == null)) throw new BadInputException("give exactly one of --run and --model");
        if (!(epsilon > 0)) throw new BadInputException("--epsilon must be > 0, got " + epsilon);
        if (!(marginSlack >= 0)) throw new BadInputException("--margin-slack must be >= 0, got " + marginSlack);
        UnivariateReconstruction.Options options = new UnivariateReconstruction.Options(prune, mergeTol, onMarginTol);
        Path modelFile = run != null ? run.resolve(RunDirectory.MODEL) : model;
        UnivariateNetwork net = UnivariateNetwork.fromMlp(ProvableSupport.loadModel(modelFile), modelFile.toString());
        double[] x = null, y = null;
        if (run != null) {
            ProvableSupport.RunData d = ProvableSupport.loadRunData(run.resolve(RunDirectory.DATA));
            if (d.x().dim(1) != 1) throw new BadInputException(run + ": the training data has d = " + d.x().dim(1) + ", not 1");
            x = d.x().toDoubleArray();
            y = ProvableSupport.signs(d.labels());
            // data.safetensors holds the inputs as trained on (mean-subtracted if the run centred them): the net's own input space
        } else if (xFile != null || yFile != null) {
            if (xFile == null || yFile == null) throw new BadInputException("give both --x and --y");
            Dataset ds = UserData.load(xFile, yFile);
            if (ds.d() != 1) throw new BadInputException(xFile + ": inputs have d = " + ds.d() + ", not 1");
            if (ds.numClasses() != 2) throw new BadInputException(yFile + ": " + ds.numClasses() + " classes, the attack needs 2");
            x = ds.x().toDoubleArray();
            y = ds.signs();
        }
        double[] f = x == null ? null : net.values(x);
        Margin m;
        if (marginChoice != null && marginChoice.given != null) m = Margin.given(marginChoice.given);
        else if (marginChoice != null && marginChoice.knownPoint != null) m = Margin.fromKnownPoint(net.value(marginChoice.knownPoint), "x0 = " + marginChoice.knownPoint);
        else if (marginChoice != null && marginChoice.estimate) m = UnivariateReconstruction.estimateMargin(net, options);
        else if (f != null) m = Margin.oracle(f, y);
        else throw new BadInputException("no margin: give --margin, --margin-from-point or --estimate-margin (or training data for the oracle margin)");

        UnivariateReconstruction.Result r = UnivariateReconstruction.attack(net, m, options);
        if (out == null) out = ProvableSupport.defaultOut("reconstruct-1d");
        ProvableSupport.createDirectories(out);
        ObjectNode doc = ProvableSupport.JSON.createObjectNode();
        doc.put("command", "reconstruct-1d");
        doc.put("model", modelFile.toString());
        ObjectNode opts = doc.putObject("options");
        opts.put("prune", prune);
        opts.put("merge_tol", mergeTol);
        opts.put("on_margin_tol", onMarginTol);
        opts.put("epsilon", epsilon);
        opts.put("margin_slack", marginSlack);
        ObjectNode result = resultJson(r);
        doc.set("result", result);
        ReconstructionScore s1 = null, s2 = null;
        if (x != null) {
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (double v : x) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            s1 = ReconstructionScore.evaluate(r.algorithm1(), x, f, y, m.value(), epsilon, marginSlack, lo, hi);
            s2 = ReconstructionScore.evaluate(r.practical(), x, f, y, m.value(), epsilon, marginSlack, lo, hi);
            ObjectNode ev = doc.putObject("evaluation");
            ev.put("chance_range", "[" + lo + ", " + hi + "] (the training inputs' range)");
            ev.set("algorithm1", ProvableSupport.JSON.valueToTree(s1));
            ev.set("practical", ProvableSupport.JSON.valueToTree(s2));
            ev.set("training_x", ProvableSupport.array(x));
            ev.set("training_f", ProvableSupport.array(f));
        }
        doc.set("provenance", Provenance.json(ProvableSupport.JSON));
        ProvableSupport.writeJson(out.resolve("reconstruction.json"), doc);
        plot(out.resolve("reconstruction.png"), net, r, x, y, "f(x) and the 1-D attack");

        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "margin m = %.6g (%s: %s)%n", m.value(), m.source().label(), m.note());
        o.printf(Locale.ROOT, "neurons kept %d of %d, breakpoints %d, pieces %d (%d on the margin), Algorithm 1 blocks %d%n",
                r.neuronsKept(), r.neuronsTotal(), r.breakpoints().length, r.pieces().size(), r.onMarginPieces(), r.blocks().size());
        o.printf(Locale.ROOT, "%-12s %5s %10s %8s %10s%n", "set", "|S|", "precision", "recall", "chance");
        printRow(o, "algorithm-1", r.algorithm1().length, s1);
        printRow(o, "practical", r.practical().length, s2);
        o.println("Algorithm 1: " + java.util.Arrays.toString(r.algorithm1()));
        o.println("wrote " + out.resolve("reconstruction.json"));
        o.flush();
        return Main.OK;
    }

    private static void printRow(PrintWriter o, String name, int size, ReconstructionScore s) {
        if (s == null) o.printf(Locale.ROOT, "%-12s %5d %10s %8s %10s%n", name, size, "-", "-", "-");
        else o.printf(Locale.ROOT, "%-12s %5d %10.3f %8.3f %10.4f%n", name, size, s.precision(), s.recall(), s.chancePrecision());
    }

    static ObjectNode resultJson(UnivariateReconstruction.Result r) {
        ObjectNode o = ProvableSupport.JSON.createObjectNode();
        o.set("margin", ProvableSupport.marginJson(r.margin()));
        o.put("neurons_kept", r.neuronsKept());
        o.put("neurons_total", r.neuronsTotal());
        o.set("breakpoints", ProvableSupport.array(r.breakpoints()));
        ArrayNode pieces = o.putArray("pieces");
        for (UnivariateReconstruction.Piece p : r.pieces()) {
            ObjectNode po = pieces.addObject();
            po.put("left", p.left());
            po.put("right", p.right());
            po.put("slope", p.slope());
            po.put("intercept", p.intercept());
            po.put("on_margin", p.onMargin());
        }
        ArrayNode blocks = o.putArray("algorithm1_blocks");
        for (UnivariateReconstruction.Block b : r.blocks()) {
            ObjectNode bo = blocks.addObject();
            bo.put("first_piece", b.first());
            bo.put("last_piece", b.last());
            bo.put("rule", b.rule().name().toLowerCase(Locale.ROOT));
            bo.set("candidates", ProvableSupport.array(b.candidates()));
        }
        o.set("algorithm1", ProvableSupport.array(r.algorithm1()));
        o.set("practical", ProvableSupport.array(r.practical()));
        return o;
    }

    /** f(x) over the data range with breakpoints, ±m, training points (at their f) and both candidate sets. */
    static void plot(Path file, UnivariateNetwork net, UnivariateReconstruction.Result r, double[] x, double[] y, String title) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        if (x != null) for (double v : x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        for (double v : r.algorithm1()) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        if (!(hi > lo)) {
            lo = r.breakpoints().length > 0 ? r.breakpoints()[0] - 1 : -1;
            hi = r.breakpoints().length > 0 ? r.breakpoints()[r.breakpoints().length - 1] + 1 : 1;
        }
        double pad = 0.1 * (hi - lo);
        lo -= pad;
        hi += pad;
        int samples = 2001;
        double[] gx = new double[samples], gf = new double[samples];
        for (int i = 0; i < samples; i++) {
            gx[i] = lo + (hi - lo) * i / (samples - 1);
            gf[i] = net.value(gx[i]);
        }
        double m = r.margin().value();
        Plot p = new Plot(title, "x", "f(x)").line("f(x)", gx, gf)
                .dashed("+m", new double[] {lo, hi}, new double[] {m, m})
                .dashed("-m", new double[] {lo, hi}, new double[] {-m, -m});
        java.util.List<Double> bx = new java.util.ArrayList<>();
        for (double b : r.breakpoints()) if (b >= lo && b <= hi) bx.add(b);
        double[] bxs = bx.stream().mapToDouble(Double::doubleValue).toArray();
        p.scatter("breakpoints", bxs, net.values(bxs));
        if (x != null) p.scatter("training points", x, net.values(x));
        p.scatter("practical", r.practical(), net.values(r.practical()));
        p.scatter("Algorithm 1", r.algorithm1(), net.values(r.algorithm1())); // drawn last: on top
        p.xRange(lo, hi);
        p.writePng(file);
    }
}
