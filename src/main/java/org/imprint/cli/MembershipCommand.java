package org.imprint.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.imprint.analysis.Roc;
import org.imprint.attacks.provable.HighDimensionalProtocol;
import org.imprint.attacks.provable.Margin;
import org.imprint.attacks.provable.MembershipInference;
import org.imprint.data.Dataset;
import org.imprint.data.ImageDatasets;
import org.imprint.data.Labeling;
import org.imprint.data.Preprocess;
import org.imprint.data.Synthetic;
import org.imprint.data.UserData;
import org.imprint.io.BadInputException;
import org.imprint.models.Mlp;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;
import org.imprint.train.RunDirectory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code imprint membership}: the label-free membership test |f(x)| ≥ c·m and its baselines on any binary model. */
@Command(
        name = "membership",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Membership inference on a binary model (one output): the label-free test member <=> |f(x)| >= c*m of",
            "Smorodinsky, Vardi & Safran 2024 (Sec. 4), with m given, taken from one leaked member, or from bounds,",
            "against the loss-threshold and y*f(x) baselines. Members are the training set; non-members are fresh points",
            "(for image runs: the test split, mean-subtracted with the run's stored mean; for synthetic runs: new draws).",
            "Reports ROC (PNG, log FPR axis), AUC, TPR at 1%%, 0.1%%, 0.01%% FPR and advantage; writes membership.json."},
        footer = {"", "Example: imprint membership --run runs/mnist100 --leaked-member 0",
                  "         imprint membership --model m.safetensors --members-x x.npy --members-y y.npy --nonmembers-x t.npy --nonmembers-y ty.npy"})
public final class MembershipCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--run", description = "A run folder of 'imprint train' (model.safetensors, data.safetensors, config.json).")
    Path run;

    @Option(names = "--model", description = "A safetensors model file instead of --run.")
    Path model;

    @Option(names = "--members-x", description = "Training inputs (.npy/.csv), with --model.")
    Path membersX;

    @Option(names = "--members-y", description = "Training labels, with --model.")
    Path membersY;

    @Option(names = "--nonmembers-x", description = "Non-member inputs (default with --run: derived from the run's data source).")
    Path nonMembersX;

    @Option(names = "--nonmembers-y", description = "Non-member labels (the label-free test ignores them; the baselines need them).")
    Path nonMembersY;

    @Option(names = "--test-per-class", defaultValue = "500", description = "Image runs: non-members per class from the test split. Default: ${DEFAULT-VALUE}.")
    int testPerClass;

    @Option(names = "--test-n", defaultValue = "2000", description = "Synthetic runs: fresh non-member draws. Default: ${DEFAULT-VALUE}.")
    int testN;

    @Option(names = "--test-seed", description = "Synthetic runs: seed of the fresh draws (default: the run's data seed + 1000003).")
    Long testSeed;

    static final class MarginChoice {
        @Option(names = "--margin", description = "m, known to the attacker (Cor. 4.3).")
        Double given;

        @Option(names = "--leaked-member", description = "m := |f(x0)| of this training point (index), known to the attacker (Cor. 4.4).")
        Integer leaked;

        @Option(names = "--margin-bounds", split = ",", description = "lo,hi: only bounds on m are known; the test uses c*lo (Cor. 4.5).")
        double[] bounds;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    MarginChoice marginChoice;

    @Option(names = {"-c", "--fraction"}, defaultValue = "0.5", description = "c in the test |f(x)| >= c*m. Default: ${DEFAULT-VALUE}.")
    double fraction;

    @Option(names = "--out", description = "Output folder (default: runs/membership-<time>).")
    Path out;

    @Override
    public Integer call() {
        if ((run == null) == (model == null)) throw new BadInputException("give exactly one of --run and --model");
        Mlp net;
        Dataset members, nonMembers;
        if (run != null) {
            net = ProvableSupport.loadModel(run.resolve(RunDirectory.MODEL));
            ProvableSupport.RunData d = ProvableSupport.loadRunData(run.resolve(RunDirectory.DATA));
            members = new Dataset(d.x(), d.labels(), 2, new int[] {d.x().dim(1)}, minusOnes(d.labels().length), "training set of " + run);
            nonMembers = nonMembersX != null ? loadNonMembers(members.d()) : nonMembersOfRun(run, d.mean(), testPerClass, testN, testSeed);
        } else {
            if (membersX == null || membersY == null) throw new BadInputException("--model needs --members-x and --members-y");
            if (nonMembersX == null) throw new BadInputException("--model needs --nonmembers-x and --nonmembers-y");
            net = ProvableSupport.loadModel(model);
            members = UserData.load(membersX, membersY);
            nonMembers = loadNonMembers(members.d());
        }
        Evaluation e = evaluate(net, members, nonMembers, marginFor(net, members), fraction);
        if (out == null) out = ProvableSupport.defaultOut("membership");
        ProvableSupport.createDirectories(out);
        ObjectNode doc = ProvableSupport.JSON.createObjectNode();
        doc.put("command", "membership");
        doc.put("model", run != null ? run.resolve(RunDirectory.MODEL).toString() : model.toString());
        doc.put("members", members.description());
        doc.put("non_members", nonMembers.description());
        doc.set("report", ProvableSupport.membershipJson(e.report()));
        doc.set("provenance", Provenance.json(ProvableSupport.JSON));
        ProvableSupport.writeJson(out.resolve("membership.json"), doc);
        writeRocPlot(out.resolve("roc.png"), "Membership inference ROC", e.report());
        PrintWriter o = spec.commandLine().getOut();
        printReport(o, e.report());
        o.println("wrote " + out.resolve("membership.json"));
        o.flush();
        return Main.OK;
    }

    private Margin marginFor(Mlp net, Dataset members) {
        if (marginChoice != null && marginChoice.given != null) return Margin.given(marginChoice.given);
        if (marginChoice != null && marginChoice.leaked != null) {
            int i = marginChoice.leaked;
            if (i < 0 || i >= members.n()) throw new BadInputException("--leaked-member " + i + " is outside 0.." + (members.n() - 1));
            double f = HighDimensionalProtocol.outputs(net, members.x().indexSelect(new int[] {i}))[0];
            return Margin.fromKnownPoint(f, "#" + i);
        }
        if (marginChoice != null && marginChoice.bounds != null) {
            if (marginChoice.bounds.length != 2) throw new BadInputException("--margin-bounds takes lo,hi");
            return Margin.fromBounds(marginChoice.bounds[0], marginChoice.bounds[1]);
        }
        return null; // the oracle margin, computed from the members' outputs in evaluate
    }

    private Dataset loadNonMembers(int d) {
        if (nonMembersX == null || nonMembersY == null) throw new BadInputException("give both --nonmembers-x and --nonmembers-y");
        Dataset ds = UserData.load(nonMembersX, nonMembersY);
        if (ds.d() != d) throw new BadInputException(nonMembersX + ": non-members have d = " + ds.d() + ", members d = " + d);
        return ds;
    }

    /** Outputs, signs and the report of one model on members and non-members. */
    record Evaluation(double[] memberOutputs, double[] nonMemberOutputs, MembershipInference.Report report) {}

    /** Evaluates the test; a null margin means the oracle m̂ (min positive y·f over the members). */
    static Evaluation evaluate(Mlp net, Dataset members, Dataset nonMembers, Margin margin, double fraction) {
        if (net.outputs() != 1) throw new BadInputException("membership inference needs a binary model with one output, this one has " + net.outputs());
        if (members.d() != net.inputs()) throw new BadInputException("the model takes d = " + net.inputs() + " inputs, the members have d = " + members.d());
        if (members.numClasses() > 2 || nonMembers.numClasses() > 2) throw new BadInputException("labels must be binary (0/1 or -1/+1)");
        double[] fm = HighDimensionalProtocol.outputs(net, members.x());
        double[] fn = HighDimensionalProtocol.outputs(net, nonMembers.x());
        double[] ym = ProvableSupport.signs(members.labels()), yn = ProvableSupport.signs(nonMembers.labels());
        Margin m = margin != null ? margin : Margin.oracle(fm, ym);
        return new Evaluation(fm, fn, MembershipInference.evaluate(fm, ym, fn, yn, m, fraction));
    }

    static void writeRocPlot(Path file, String title, MembershipInference.Report r) {
        Map<String, Roc> curves = new LinkedHashMap<>();
        curves.put("|f(x)| label-free", r.score(MembershipInference.Score.ABS_OUTPUT).roc());
        curves.put("y*f(x) = loss threshold", r.score(MembershipInference.Score.CONFIDENCE).roc());
        ProvableSupport.rocPlot(file, title, curves);
    }

    static void printReport(PrintWriter o, MembershipInference.Report r) {
        var t = r.test();
        o.printf(Locale.ROOT, "members %d, non-members %d; margin m = %.6g (%s: %s)%n", r.members(), r.nonMembers(),
                t.margin().value(), t.margin().source().label(), t.margin().note());
        o.printf(Locale.ROOT, "label-free test |f| >= %.3g*m = %.6g: TPR %.4f  FPR %.4f  advantage %.4f%n",
                t.fraction(), t.threshold(), t.rates().tpr(), t.rates().fpr(), t.rates().advantage());
        o.printf(Locale.ROOT, "%-42s %8s %12s %12s %12s %10s%n", "score", "AUC", "TPR@1%FPR", "TPR@0.1%", "TPR@0.01%", "advantage");
        for (MembershipInference.ScoreResult s : r.scores()) {
            Roc c = s.roc();
            o.printf(Locale.ROOT, "%-42s %8.4f %12.4f %12.4f %12.4f %10.4f%n", s.score().description, c.auc(),
                    c.tprAtFpr(0.01), c.tprAtFpr(0.001), c.tprAtFpr(0.0001), c.advantage());
        }
    }

    /**
     * Fresh non-members for a run folder, from its config: the test split of an image run (mean-subtracted
     * with the stored mean), or new draws of a synthetic run's distribution (seed: data seed + 1000003 unless given).
     */
    static Dataset nonMembersOfRun(Path run, Tensor mean, int testPerClass, int testN, Long testSeed) {
        ObjectNode config = new RunDirectory(run).readConfig();
        JsonNode opts = config.path("options");
        String dataset = opts.path("dataset").asText("");
        Dataset ds;
        switch (dataset.toLowerCase(Locale.ROOT)) {
            case "mnist", "fashion-mnist" -> {
                if (testPerClass < 1) throw new BadInputException("--test-per-class must be >= 1, got " + testPerClass);
                ImageDatasets.Source source = ImageDatasets.Source.parse(dataset);
                String labels = opts.path("labels").isNull() || opts.path("labels").isMissingNode() ? null : opts.path("labels").asText();
                Labeling labeling = Labeling.parse(labels != null ? labels : source == ImageDatasets.Source.MNIST ? "odd-even" : "upper-body", source);
                if (labeling.numClasses() != 2) throw new BadInputException(run + ": the run's labeling has " + labeling.numClasses() + " classes; membership needs a binary model");
                ds = ImageDatasets.load(source, ImageDatasets.Split.TEST, labeling, testPerClass);
            }
            case "sphere", "gmm", "univariate" -> {
                if (testN < 1) throw new BadInputException("--test-n must be >= 1, got " + testN);
                long seed = testSeed != null ? testSeed : opts.path("data-seed").asLong(0) + 1_000_003L;
                Rng rng = new Rng(seed);
                int d = opts.path("d").asInt();
                ds = switch (dataset.toLowerCase(Locale.ROOT)) {
                    case "sphere" -> Synthetic.sphere(testN, d, opts.path("radius").asDouble(1),
                            opts.path("sphere-labels").asText("first").equalsIgnoreCase("parity") ? Synthetic.SphereLabels.PARITY : Synthetic.SphereLabels.FIRST_COORDINATE, rng);
                    case "gmm" -> Synthetic.gaussianMixture(testN + testN % 2, d, opts.path("mu").asDouble(1), rng);
                    default -> Synthetic.univariate(testN, opts.path("k").asInt(3), rng);
                };
            }
            default -> throw new BadInputException(run + ": its data ('" + dataset + "') has no fresh source; give --nonmembers-x and --nonmembers-y");
        }
        return mean == null ? ds : Preprocess.subtract(ds, mean);
    }

    private static int[] minusOnes(int n) {
        int[] s = new int[n];
        java.util.Arrays.fill(s, -1);
        return s;
    }
}
