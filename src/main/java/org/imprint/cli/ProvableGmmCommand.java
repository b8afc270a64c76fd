package org.imprint.cli;

import java.util.concurrent.Callable;
import org.imprint.attacks.provable.HighDimensionalProtocol;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code imprint experiment provable-gmm}: membership inference on a balanced Gaussian mixture, the authors' protocol over d. */
@Command(
        name = "provable-gmm",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Smorodinsky, Vardi & Safran 2024, Sec. 5 on a balanced Gaussian mixture N(+-d^0.33 e1, I), y = sign of the mean",
            "(the authors' code labels every point + by mistake; here the classes are balanced): n = 20, a width-10000 2-layer ReLU net (init x1e-3, logistic loss, full-batch lr 1, 100 steps,",
            "StepLR(30, 0.7)), a sweep over d with several trials: marginal-point ratio, test points reaching the margin,",
            "test accuracy (the benign-overfitting regime), the label-free test |f| >= m/2 and its ROC, printed next to the targets of provable.md Sec. 6.",
            "Writes results.json, roc.png (log FPR) and ratios-vs-d.png."})
public final class ProvableGmmCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ProvableHighDimExperiment experiment;

    @Override
    public Integer call() {
        return experiment.run(HighDimensionalProtocol.Distribution.GMM, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
