package org.imprint.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.imprint.attacks.provable.Margin;
import org.imprint.attacks.provable.MembershipInference;
import org.imprint.data.Dataset;
import org.imprint.io.BadInputException;
import org.imprint.models.Mlp;
import org.imprint.train.RunDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code imprint experiment provable-mnist}: the label-free membership test on MNIST victims of {@code imprint train}. */
@Command(
        name = "provable-mnist",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "The label-free membership test |f(x)| >= c*m (Smorodinsky, Vardi & Safran 2024) outside its assumptions: on",
            "MNIST odd/even victims trained by 'imprint train' (members: the training images; non-members: test-split",
            "images, mean-subtracted with the run's mean), with m from the oracle and from one leaked member, against the",
            "y*f / loss-threshold baselines. Without --run, first trains a default victim into OUT/victim.",
            "Writes results.json and roc-<victim>.png."})
public final class ProvableMnistCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--run", description = "Victim run folder(s) of 'imprint train' (repeatable). Default: train one.")
    List<Path> runs;

    @Option(names = "--victim-args", defaultValue = "--dataset mnist --per-class 50 --test-per-class 0 --arch 784-1000-1 --lr 0.05 --epochs 3000 --log-every 500 --checkpoint-every 100000",
            description = "Arguments of 'imprint train' for the default victim (--out is added). Default: ${DEFAULT-VALUE}.")
    String victimArgs;

    @Option(names = "--test-per-class", defaultValue = "500", description = "Non-members per class from the test split. Default: ${DEFAULT-VALUE}.")
    int testPerClass;

    @Option(names = {"-c", "--fraction"}, defaultValue = "0.5", description = "c in |f| >= c*m. Default: ${DEFAULT-VALUE}.")
    double fraction;

    @Option(names = "--leaked-member", defaultValue = "0", description = "Index of the member whose |f| gives m in the Cor. 4.4 variant. Default: ${DEFAULT-VALUE}.")
    int leaked;

    @Option(names = "--out", description = "Output folder (default: runs/provable-mnist-<time>).")
    Path out;

    @Override
    public Integer call() {
        if (out == null) out = ProvableSupport.defaultOut("provable-mnist");
        ProvableSupport.createDirectories(out);
        PrintWriter o = spec.commandLine().getOut();
        List<Path> victims = runs;
        if (victims == null || victims.isEmpty()) {
            Path victim = out.resolve("victim");
            List<String> args = new ArrayList<>(List.of(victimArgs.trim().split("\\s+")));
            args.add("--out");
            args.add(victim.toString());
            StringWriter trainOut = new StringWriter();
            TrainCommand trainer = new TrainCommand();
            CommandLine train = new CommandLine(trainer);
            train.setOut(new PrintWriter(trainOut, true));
            train.setErr(spec.commandLine().getErr());
            try {
                train.parseArgs(args.toArray(new String[0]));
            } catch (CommandLine.ParameterException e) {
                throw new BadInputException("--victim-args: " + e.getMessage());
            }
            o.println("training the default victim: imprint train " + String.join(" ", args));
            o.flush();
            trainer.call(); // errors (BadInputException) propagate as this command's own
            o.print(trainOut);
            victims = List.of(victim);
        }
        ObjectNode doc = ProvableSupport.JSON.createObjectNode();
        doc.put("command", "experiment provable-mnist");
        doc.put("c", fraction);
        ArrayNode arr = doc.putArray("victims");
        for (Path run : victims) {
            Mlp net = ProvableSupport.loadModel(run.resolve(RunDirectory.MODEL));
            ProvableSupport.RunData d = ProvableSupport.loadRunData(run.resolve(RunDirectory.DATA));
            int[] idx = new int[d.labels().length];
            java.util.Arrays.fill(idx, -1);
            Dataset members = new Dataset(d.x(), d.labels(), 2, new int[] {d.x().dim(1)}, idx, "training set of " + run);
            Dataset non = MembershipCommand.nonMembersOfRun(run, d.mean(), testPerClass, 0, null);
            MembershipCommand.Evaluation oracle = MembershipCommand.evaluate(net, members, non, null, fraction);
            if (leaked < 0 || leaked >= members.n()) throw new BadInputException("--leaked-member " + leaked + " is outside 0.." + (members.n() - 1));
            MembershipCommand.Evaluation leak = MembershipCommand.evaluate(net, members, non,
                    Margin.fromKnownPoint(oracle.memberOutputs()[leaked], "#" + leaked), fraction);
            ObjectNode v = arr.addObject();
            v.put("run", run.toString());
            v.put("arch", net.archString());
            v.put("non_members", non.description());
            v.set("oracle_margin", ProvableSupport.membershipJson(oracle.report()));
            v.set("leaked_member_margin", ProvableSupport.membershipJson(leak.report()).get("label_free_test"));
            String tag = run.getFileName().toString();
            MembershipCommand.writeRocPlot(out.resolve("roc-" + tag + ".png"), "MNIST victim " + tag + " (" + net.archString() + ")", oracle.report());
            o.println();
            o.println("victim " + run + " (" + net.archString() + ")");
            MembershipCommand.printReport(o, oracle.report());
            MembershipInference.ThresholdTest t = leak.report().test();
            o.printf(Locale.ROOT, "with m from leaked member #%d (m = %.6g): TPR %.4f  FPR %.4f%n", leaked, t.margin().value(), t.rates().tpr(), t.rates().fpr());
        }
        doc.set("provenance", Provenance.json(ProvableSupport.JSON));
        ProvableSupport.writeJson(out.resolve("results.json"), doc);
        o.println("wrote " + out.resolve("results.json"));
        o.flush();
        return Main.OK;
    }
}
