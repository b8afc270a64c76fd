package org.imprint.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.imprint.report.AuditReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code imprint report}: one self-contained HTML page from result folders. */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Writes one self-contained HTML file (images embedded, no scripts) from result folders of train, reconstruct,",
            "membership, analyze, experiment or demo: training curve and margins, reconstruction grid and SSIM against margin,",
            "ROC with TPR at low FPR, the true points beside their alternative KKT datasets, and every number with the",
            "command, seeds, versions and commit that produced it."},
        footer = {"", "Example: imprint report runs/demo --out runs/demo/report.html",
                  "         imprint report runs/mnist100 runs/mnist100/reconstruct-20261126-101500 --out audit.html"})
public final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "Result folders (searched four levels deep; a demo folder gives its current stages).")
    List<Path> roots;

    @Option(names = "--out", defaultValue = "report.html", description = "The HTML file to write. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Override
    public Integer call() {
        List<AuditReport.Folder> folders = AuditReport.find(roots);
        AuditReport.write(folders, out);
        PrintWriter o = spec.commandLine().getOut();
        o.println("report of " + folders.size() + " folder(s): " + String.join(", ", folders.stream().map(f -> f.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + f.path()).toList()));
        o.println("wrote " + out);
        o.flush();
        return Main.OK;
    }
}
