package org.imprint.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.imprint.io.AtomicFiles;
import org.imprint.io.BadInputException;
import org.imprint.tensor.DType;
import org.imprint.train.Victim;

/**
 * The audit report: one self-contained HTML page (every image embedded as a data URI, no script, no external
 * file) built from the result folders that Imprint's commands write — training runs, reconstruction attacks,
 * membership inference, the KKT / non-identifiability analysis and experiments. Each number it shows is listed
 * in a table with the folder, command line, seeds, version and commit that produced it.
 *
 * <pre>
 *   AuditReport.write(AuditReport.find(List.of(Path.of("runs/demo"))), Path.of("runs/demo/report.html"));
 * </pre>
 */
public final class AuditReport {
    /** What a result folder holds, recognised by the files its command writes. */
    public enum Kind {
        TRAIN("Training"), RECONSTRUCT("Reconstruction attack"), MEMBERSHIP("Membership inference"),
        ANALYZE("KKT analysis and alternative datasets"), EXPERIMENT("Experiment");

        final String title;

        Kind(String title) { this.title = title; }
    }

    /** A result folder and its kind. */
    public record Folder(Kind kind, Path path) {}

    /** A demo folder lists its current stage folders in this file; the report then uses just those. */
    public static final String DEMO_INDEX = "demo.json";
    /** A demo stage folder records its exact command line here. */
    public static final String STAGE_FILE = "stage.json";

    /** SSIM above which a training image counts as reconstructed (Haim et al. 2022). */
    public static final double RECONSTRUCTED_SSIM = 0.4;

    private static final ObjectMapper JSON = new ObjectMapper();

    private record NumberRow(String section, String quantity, String value, String meaning, int source) {}

    private record Headline(String label, String value, String sentence) {}

    private final List<NumberRow> numbers = new ArrayList<>();
    private final List<Headline> headlines = new ArrayList<>();
    private final List<String> caveats = new ArrayList<>();
    private final List<String> sources = new ArrayList<>();

    private AuditReport() {}

    // ------------------------------------------------------------------ finding folders

    /**
     * The result folders under the given roots, in pipeline order (training, attack, membership, analysis,
     * experiments). A root with a {@value #DEMO_INDEX} contributes the stages it lists; any other root is
     * searched four levels deep.
     */
    public static List<Folder> find(List<Path> roots) {
        List<Folder> out = new ArrayList<>();
        for (Path root : roots) {
            if (!Files.isDirectory(root)) throw new BadInputException("no such result folder: " + root);
            List<Folder> found = new ArrayList<>();
            Path index = root.resolve(DEMO_INDEX);
            if (Files.isRegularFile(index)) {
                for (JsonNode stage : readJson(index).path("stages")) {
                    Path dir = root.resolve(stage.path("folder").asText());
                    Kind kind = kindOf(dir);
                    if (kind != null) found.add(new Folder(kind, dir));
                }
            } else {
                try (Stream<Path> dirs = Files.walk(root, 4)) {
                    dirs.filter(Files::isDirectory).filter(d -> !hidden(root, d)).sorted().forEach(d -> {
                        Kind kind = kindOf(d);
                        if (kind != null) found.add(new Folder(kind, d));
                    });
                } catch (IOException e) {
                    throw new BadInputException("cannot read " + root + ": " + e.getMessage());
                }
            }
            if (found.isEmpty()) {
                throw new BadInputException(root + " holds no Imprint results (folders of train, reconstruct, membership, analyze, experiment or demo)");
            }
            out.addAll(found);
        }
        out.sort(Comparator.comparing(Folder::kind));
        return out;
    }

    private static boolean hidden(Path root, Path dir) {
        for (Path part : root.relativize(dir)) {
            String name = part.toString();
            if (name.startsWith(".")) return true;
        }
        return false;
    }

    /** The kind of result in {@code dir}, or null when it holds none. */
    public static Kind kindOf(Path dir) {
        if (commandIs(dir.resolve("config.json"), "train")) return Kind.TRAIN;
        if (commandIs(dir.resolve("runs.json"), "reconstruct")) return Kind.RECONSTRUCT;
        if (Files.isRegularFile(dir.resolve("membership.json"))) return Kind.MEMBERSHIP;
        if (commandIs(dir.resolve("summary.json"), "analyze")) return Kind.ANALYZE;
        if (experimentFile(dir) != null) return Kind.EXPERIMENT;
        return null;
    }

    /**
     * The JSON an experiment folder is described by: results.json (the experiments' common output), else the first
     * *.json whose top level names its "experiment" (the no-prior experiments write sphere.json, offset.json, …).
     */
    static Path experimentFile(Path dir) {
        Path results = dir.resolve("results.json");
        if (Files.isRegularFile(results)) return results;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".json") && Files.isRegularFile(f)).sorted().toList()) {
                try {
                    if (JSON.readTree(p.toFile()).has("experiment")) return p;
                } catch (IOException e) {
                    // not JSON, or not ours: not an experiment description
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    private static boolean commandIs(Path file, String command) {
        return Files.isRegularFile(file) && command.equals(readJson(file).path("command").asText());
    }

    // ------------------------------------------------------------------ rendering

    /** Renders the folders into one HTML page. */
    public static String render(List<Folder> folders) {
        if (folders.isEmpty()) throw new BadInputException("nothing to report: no result folders");
        return new AuditReport().page(folders);
    }

    /** Renders and writes the page atomically. */
    public static void write(List<Folder> folders, Path out) {
        AtomicFiles.writeString(out, render(folders));
    }

    private String page(List<Folder> folders) {
        StringBuilder body = new StringBuilder();
        StringBuilder toc = new StringBuilder();
        int index = 0;
        for (Folder f : folders) {
            int source = addSource(f);
            String id = "s" + (++index);
            String title = f.kind.title + (f.kind == Kind.EXPERIMENT ? ": " + f.path.getFileName() : "");
            toc.append("<li><a href=\"#").append(id).append("\">").append(Html.esc(title)).append("</a></li>");
            body.append("<section id=\"").append(id).append("\" class=\"").append(f.kind.name().toLowerCase(Locale.ROOT)).append("\">\n<h2>")
                    .append(Html.esc(title)).append("</h2>\n<p class=\"folder\">").append(Html.esc(f.path.toString()))
                    .append(" · <a href=\"#src-").append(source).append("\">how it was produced</a></p>\n");
            body.append(switch (f.kind) {
                case TRAIN -> train(f.path, source);
                case RECONSTRUCT -> reconstruct(f.path, source);
                case MEMBERSHIP -> membership(f.path, source);
                case ANALYZE -> analyze(f.path, source);
                case EXPERIMENT -> experiment(f.path, source);
            });
            body.append("</section>\n");
        }
        StringBuilder html = new StringBuilder(1 << 16);
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
                .append("<title>Imprint audit report</title>\n<style>").append(STYLE).append("</style>\n</head>\n<body>\n<main>\n")
                .append("<h1>Imprint audit report</h1>\n<p class=\"lead\">What this model's weights give away about its training data, measured by Imprint ")
                .append(Html.esc(version())).append(". Auditor mode: the evaluation uses the training set, which a real attacker does not have.</p>\n");
        if (!headlines.isEmpty()) {
            html.append("<section id=\"glance\">\n<h2>At a glance</h2>\n<div class=\"cards\">\n");
            for (Headline h : headlines) {
                html.append("<div class=\"card\"><div class=\"label\">").append(Html.esc(h.label)).append("</div><div class=\"value\">")
                        .append(Html.esc(h.value)).append("</div><p>").append(Html.esc(h.sentence)).append("</p></div>\n");
            }
            html.append("</div>\n");
            for (String c : caveats) html.append("<p class=\"caveat\">").append(Html.esc(c)).append("</p>\n");
            html.append("</section>\n");
        }
        html.append("<nav><ol>").append(toc).append("<li><a href=\"#meaning\">What the numbers mean</a></li>")
                .append("<li><a href=\"#numbers\">Every number</a></li><li><a href=\"#provenance\">Provenance</a></li></ol></nav>\n");
        html.append(body);
        html.append(MEANING);
        html.append("<section id=\"numbers\">\n<h2>Every number</h2>\n<table>\n<thead><tr><th>Section</th><th>Quantity</th><th>Value</th><th>Meaning</th><th>Source</th></tr></thead>\n<tbody>\n");
        for (NumberRow r : numbers) {
            html.append("<tr><td>").append(Html.esc(r.section)).append("</td><td>").append(Html.esc(r.quantity)).append("</td><td class=\"v\">")
                    .append(Html.esc(r.value)).append("</td><td>").append(Html.esc(r.meaning)).append("</td><td><a href=\"#src-").append(r.source)
                    .append("\">[").append(r.source).append("]</a></td></tr>\n");
        }
        html.append("</tbody>\n</table>\n</section>\n<section id=\"provenance\">\n<h2>Provenance</h2>\n")
                .append("<p>The exact command, seeds, software versions and commit behind each folder; the full configuration as written by the command.</p>\n");
        for (String s : sources) html.append(s);
        html.append("</section>\n</main>\n</body>\n</html>\n");
        return html.toString();
    }

    private void number(String section, String quantity, String value, String meaning, int source) {
        numbers.add(new NumberRow(section, quantity, value, meaning, source));
    }

    // ------------------------------------------------------------------ training

    private String train(Path dir, int source) {
        JsonNode config = readJson(dir.resolve("config.json"));
        StringBuilder b = new StringBuilder();
        JsonNode data = config.path("data");
        String sec = "Training";
        String arch = config.path("resolved").path("arch").asText("?");
        b.append("<p>A ").append(Html.esc(arch)).append(" ReLU network (").append(Html.esc(config.path("resolved").path("parameters").asText("?")))
                .append(" parameters, ").append(Html.esc(config.path("resolved").path("loss").asText("?"))).append(" loss) trained on ")
                .append(Html.esc(data.path("train").asText("?"))).append(".</p>\n");
        number(sec, "architecture", arch, "input-hidden…-output widths", source);
        number(sec, "training points n", data.path("n").asText(), "the data the weights may leak", source);
        List<JsonNode> log = readJsonLines(dir.resolve("train.jsonl"));
        if (log.isEmpty()) return b.append("<p class=\"missing\">No training log (train.jsonl) yet: the run has not logged an epoch.</p>\n").toString();
        int k = log.size();
        double[] epoch = new double[k], loss = new double[k], trainAcc = new double[k], testAcc = new double[k];
        for (int i = 0; i < k; i++) {
            JsonNode e = log.get(i);
            epoch[i] = e.path("epoch").asDouble();
            loss[i] = e.path("loss").asDouble(Double.NaN);
            trainAcc[i] = e.path("train_acc").asDouble(Double.NaN);
            testAcc[i] = e.path("test_acc").asDouble(Double.NaN);
        }
        JsonNode last = log.get(k - 1);
        boolean hasTest = last.hasNonNull("test_acc") && Double.isFinite(last.path("test_acc").asDouble(Double.NaN));
        number(sec, "epochs", Html.num(last.path("epoch").asDouble()), "full-batch gradient steps taken", source);
        number(sec, "final training loss", Html.num(last.path("loss").asDouble()), "mean loss on the training set", source);
        number(sec, "training accuracy", Html.num(last.path("train_acc").asDouble()), "fraction of training points classified right", source);
        if (hasTest) number(sec, "test accuracy", Html.num(last.path("test_acc").asDouble()), "on held-out points: " + data.path("test").asText(), source);
        number(sec, "minimum margin q_min", Html.num(last.path("q_min").asDouble()), "min over training points of y·f(x)", source);
        number(sec, "normalized margin", Html.num(last.path("normalized_margin").asDouble()), "q_min / ‖θ‖^L: grows as training approaches max-margin", source);
        number(sec, "parameter norm ‖θ‖", Html.num(last.path("param_norm").asDouble()), "Euclidean norm of all weights and biases", source);
        number(sec, "training wall time (s)", Html.num(last.path("wall_s").asDouble()), "seconds spent training", source);
        headlines.add(new Headline("Victim", hasTest ? Html.percent(last.path("test_acc").asDouble()) : Html.percent(last.path("train_acc").asDouble()),
                arch + " trained on n = " + data.path("n").asText() + " points for " + Html.num(last.path("epoch").asDouble()) + " epochs; "
                        + (hasTest ? "test" : "training") + " accuracy."));

        b.append("<div class=\"figs\">\n");
        b.append(chart(new Plot("Training loss", "epoch", "loss (log scale)").yScale(Plot.Scale.LOG).line("training loss", epoch, loss),
                "training loss against epoch", "The training loss falls towards zero: the network approaches the max-margin regime in which the KKT attack applies."));
        Plot acc = new Plot("Accuracy", "epoch", "accuracy").yRange(0, 1.02).line("train", epoch, trainAcc);
        if (hasTest) acc.line("test", epoch, testAcc);
        b.append(chart(acc, "training and test accuracy against epoch", "Accuracy on the training set and, where logged, on held-out data."));
        try {
            double[] margins = Victim.load(dir, null, DType.F64).trainingMargins();
            double min = Double.POSITIVE_INFINITY;
            for (double m : margins) min = Math.min(min, m);
            b.append(chart(new Plot("Margins of the training points", "margin y·f(x)", "training points").histogram("training points", margins, 30),
                    "histogram of training margins", "Margins y·f(x) of the training points. Points near the smallest margin (" + Html.num(min)
                            + ") are the ones the KKT condition can weight (λ_i > 0), and the ones membership inference finds."));
        } catch (BadInputException e) {
            b.append("<p class=\"missing\">No margin histogram: ").append(Html.esc(e.getMessage())).append("</p>\n");
        }
        return b.append("</div>\n").toString();
    }

    // ------------------------------------------------------------------ reconstruction

    private String reconstruct(Path dir, int source) {
        JsonNode runs = readJson(dir.resolve("runs.json"));
        StringBuilder b = new StringBuilder();
        String sec = "Reconstruction";
        int completed = 0, abandoned = 0, diverged = 0;
        double bestResidual = Double.NaN;
        for (JsonNode r : runs.path("run_results")) {
            switch (r.path("outcome").asText()) {
                case "completed" -> completed++;
                case "abandoned" -> abandoned++;
                default -> diverged++;
            }
            double rel = r.path("relative_residual").asDouble(Double.NaN);
            if (Double.isFinite(rel) && !(rel >= bestResidual)) bestResidual = rel;
        }
        b.append("<p>The attack of Haim et al. (2022) searches for inputs x_j and multipliers λ_j with θ ≈ Σ_j λ_j y_j ∇_θ f(θ; x_j): ")
                .append(runs.path("runs").asInt()).append(" random-search runs of ").append(runs.path("iterations").asInt())
                .append(" iterations, ").append(runs.path("candidates_per_run").asInt()).append(" candidates each (variant ")
                .append(Html.esc(runs.path("variant").asText())).append(").</p>\n");
        number(sec, "search runs", runs.path("runs").asText(), completed + " completed, " + abandoned + " abandoned, " + diverged + " diverged", source);
        number(sec, "iterations per run", runs.path("iterations").asText(), "gradient steps on the candidates", source);
        number(sec, "best L_stat/‖θ‖²", Html.num(bestResidual), "how well the best run's candidates satisfy the stationarity condition (0: exactly)", source);
        Path summaryFile = dir.resolve("summary.json");
        if (!Files.isRegularFile(summaryFile)) {
            return b.append("<p class=\"missing\">No evaluation: the attack ran without the training set (not auditor mode), so there is nothing to compare the candidates with.</p>\n").toString();
        }
        JsonNode s = readJson(summaryFile).path("summary");
        int n = s.path("trainingImages").asInt();
        int rec = s.path("reconstructed").asInt(), beyond = s.path("reconstructedBeyondMean").asInt(), baseline = s.path("meanImageBaseline").asInt();
        number(sec, "candidates pooled", s.path("candidates").asText(), "candidate inputs compared with the training set", source);
        number(sec, "training images reconstructed", rec + " of " + n, "SSIM > 0.4 between the image and its nearest candidate (by NCC)", source);
        number(sec, "reconstructed fraction", Html.percent(s.path("reconstructedFraction").asDouble(Double.NaN)), "reconstructed / n", source);
        number(sec, "reconstructed, better than the mean image", Integer.toString(beyond), "of the reconstructed, those whose candidate beats the training-mean image's SSIM", source);
        number(sec, "mean-image baseline", baseline + " of " + n, "training images that the training-mean image alone scores SSIM > 0.4 against", source);
        number(sec, "mean SSIM of the 10 best", Html.num(s.path("meanTop10Ssim").asDouble(Double.NaN)), "average SSIM of the ten best-matched training images", source);
        number(sec, "median SSIM", Html.num(s.path("medianSsim").asDouble(Double.NaN)), "over all training images", source);
        number(sec, "Spearman(SSIM, margin)", Html.num(s.path("spearmanSsimMargin").asDouble(Double.NaN)), "negative: small-margin points are reconstructed better (as Haim et al. report)", source);
        boolean hasCorrelation = s.has("highCorrelation");
        int correlated = s.path("highCorrelation").asInt();
        if (hasCorrelation) {
            number(sec, "candidates correlating > 0.8 with their image", correlated + " of " + n,
                    "Imprint's supplementary count (not the papers'): Pearson correlation of the pair > 0.8, independent of min-max rescaling", source);
            number(sec, "median correlation", Html.num(s.path("medianCorrelation").asDouble(Double.NaN)), "over all training images", source);
        }
        if (s.has("reconstructedHighCorrelation")) {
            number(sec, "reconstructed, correlation > 0.8", s.path("reconstructedHighCorrelation").asInt() + " of " + n,
                    "the strict count: SSIM > 0.4 and Pearson correlation > 0.8 with the image", source);
        }
        headlines.add(new Headline("Reconstructed", rec + " / " + n, "training images with SSIM > 0.4 to their nearest candidate (the papers' count); "
                + beyond + " of them beat the training-mean image, which alone scores > 0.4 on " + baseline + "."));
        if (hasCorrelation) {
            headlines.add(new Headline("Candidates showing their image", correlated + " / " + n, "training images whose nearest candidate"
                    + " correlates > 0.8 with them (Imprint's supplementary measure, r in the grid); median r " + Html.num(s.path("medianCorrelation").asDouble(Double.NaN))
                    + (s.has("reconstructedHighCorrelation") ? "; " + s.path("reconstructedHighCorrelation").asInt() + " of them also pass SSIM > 0.4" : "") + "."));
        }
        int lowCorrelation = s.path("reconstructedLowCorrelation").asInt(0);
        if (lowCorrelation > 0) {
            number(sec, "reconstructed, correlation < 0.5", lowCorrelation + " of " + rec,
                    "of the reconstructed (SSIM > 0.4), those whose candidate correlates < 0.5 with the image", source);
            caveats.add("The papers' SSIM count overcounts here: " + lowCorrelation + " of the " + rec + " pairs it counts as reconstructed correlate"
                    + " below 0.5 with their training image. A blurred average on a dark background passes SSIM > 0.4 against most digits,"
                    + " because the 3×3-window SSIM is dominated by the matching background: look at the grid, not only the count.");
        }
        if (beyond == 0 && (!hasCorrelation || correlated == 0)) {
            caveats.add("No candidate resembles a training image better than the average training image does: the attack recovered class averages, not individual images.");
        } else if (hasCorrelation && correlated > beyond) {
            caveats.add("The papers' SSIM count undercounts here: SSIM is taken after min-max rescaling, so a candidate whose pixels next to"
                    + " the strokes undershoot the background gets a grey background, and SSIM on the flat black regions collapses although the"
                    + " candidate shows the digit, while the smooth mean image passes 0.4. "
                    + correlated + " of " + n + " candidates correlate > 0.8 with their training image (r in the grid): look at the grid, not only the count.");
        }
        b.append("<div class=\"figs\">\n");
        b.append(pngFigure(dir.resolve("grid.png"), "reconstruction grid",
                "Pairs of (candidate, with its SSIM | nearest training image #index, with the correlation r of the pair), best SSIM first. Candidates are min-max rescaled as in the papers; SSIM > 0.4 counts as reconstructed."));
        b.append(pngFigure(dir.resolve("ssim-vs-margin.png"), "SSIM against margin",
                "SSIM of each training image's nearest candidate against its margin y·f(x): the attack favours points on the margin."));
        return b.append("</div>\n").toString();
    }

    // ------------------------------------------------------------------ membership

    private String membership(Path dir, int source) {
        JsonNode doc = readJson(dir.resolve("membership.json"));
        JsonNode r = doc.path("report");
        StringBuilder b = new StringBuilder();
        String sec = "Membership";
        b.append("<p>Members (the positive class) are the ").append(r.path("members").asInt()).append(" training points; non-members are ")
                .append(r.path("non_members").asInt()).append(" fresh points (").append(Html.esc(doc.path("non_members").asText())).append(").")
                .append(" The label-free test of Smorodinsky, Vardi and Safran (2024) calls x a member when |f(x)| ≥ c·m, m the margin.</p>\n");
        number(sec, "members", r.path("members").asText(), "training points (positive class)", source);
        number(sec, "non-members", r.path("non_members").asText(), doc.path("non_members").asText(), source);
        JsonNode t = r.path("label_free_test");
        if (!t.isMissingNode()) {
            number(sec, "margin m", Html.num(t.path("margin").path("value").asDouble()), t.path("margin").path("note").asText(t.path("margin").path("source").asText()), source);
            number(sec, "test threshold c·m", Html.num(t.path("threshold").asDouble()), "c = " + Html.num(t.path("c").asDouble()), source);
            number(sec, "label-free test TPR", Html.num(t.path("tpr").asDouble()), "members flagged", source);
            number(sec, "label-free test FPR", Html.num(t.path("fpr").asDouble()), "non-members flagged", source);
            number(sec, "label-free test advantage", Html.num(t.path("advantage").asDouble()), "TPR − FPR", source);
        }
        List<List<String>> rows = new ArrayList<>();
        JsonNode headline = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = r.path("scores").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode sc = e.getValue();
            String name = sc.path("description").asText(e.getKey());
            if (headline == null) headline = sc;
            rows.add(List.of(name, Html.num(sc.path("auc").asDouble()), Html.num(sc.path("tpr_at_1pct_fpr").asDouble()),
                    Html.num(sc.path("tpr_at_0.1pct_fpr").asDouble()), Html.num(sc.path("tpr_at_0.01pct_fpr").asDouble()), Html.num(sc.path("advantage").asDouble())));
            number(sec, "AUC, " + name, Html.num(sc.path("auc").asDouble()), "area under the ROC curve (0.5: chance)", source);
            number(sec, "TPR at 1% FPR, " + name, Html.num(sc.path("tpr_at_1pct_fpr").asDouble()), "members found while flagging ≤ 1% of non-members", source);
            number(sec, "TPR at 0.1% FPR, " + name, Html.num(sc.path("tpr_at_0.1pct_fpr").asDouble()), "with " + sc.path("negatives").asInt() + " non-members, below 1/" + sc.path("negatives").asInt() + " FPR this is 0 by construction", source);
        }
        if (headline != null) {
            headlines.add(new Headline("Membership AUC", Html.num(headline.path("auc").asDouble()), "TPR " + Html.num(headline.path("tpr_at_1pct_fpr").asDouble())
                    + " at 1% FPR for " + headline.path("description").asText("the label-free test") + "; members are the positive class."));
        }
        b.append(Html.table(List.of("score", "AUC", "TPR @ 1% FPR", "TPR @ 0.1% FPR", "TPR @ 0.01% FPR", "advantage"), rows));
        b.append("<div class=\"figs\">\n").append(pngFigure(dir.resolve("roc.png"), "membership ROC curve",
                "ROC curves on a logarithmic FPR axis: what matters for privacy is the TPR at low FPR, not the AUC.")).append("</div>\n");
        return b.toString();
    }

    // ------------------------------------------------------------------ analysis

    private String analyze(Path dir, int source) {
        JsonNode doc = readJson(dir.resolve("summary.json"));
        JsonNode kkt = doc.path("kkt");
        StringBuilder b = new StringBuilder();
        String sec = "KKT analysis";
        double rel = kkt.path("relativeResidual").asDouble(Double.NaN);
        b.append("<p>How far the weights are from a KKT point of their own training data — r* = min over λ ≥ 0 of ‖θ − Σ λ_i y_i ∇_θ f(x_i)‖ — ")
                .append("and which other datasets satisfy the same stationarity condition (Refael et al. 2025, “No Prior, No Leakage”, arXiv:2509.21296).</p>\n");
        number(sec, "r*/‖θ‖", Html.num(rel), "relative distance of θ from a KKT point of the training data (0: exactly KKT)", source);
        number(sec, "support (λ* > 0)", kkt.path("support").asText(), "training points that carry weight in the KKT combination", source);
        number(sec, "on the margin", kkt.path("onMargin").asText(), "training points with q_i ≤ (1 + tol)·q_min", source);
        number(sec, "approximate KKT ε", Html.num(kkt.path("epsilon").asDouble(Double.NaN)), "stationarity error after normalising the margin to 1", source);
        number(sec, "approximate KKT δ", Html.num(kkt.path("delta").asDouble(Double.NaN)), "complementary-slackness error", source);
        List<List<String>> rows = new ArrayList<>();
        int exact = 0;
        double farthest = 0;
        for (JsonNode a : doc.path("alternatives")) {
            JsonNode v = a.path("verification");
            JsonNode dist = v.path("distanceToTrueSet");
            boolean isExact = a.path("exact").asBoolean();
            if (isExact) {
                exact++;
                farthest = Math.max(farthest, dist.path("min").asDouble(0));
            }
            rows.add(List.of(a.path("kind").asText(), a.path("points").asText(), Html.num(v.path("combinationChange").asDouble(Double.NaN)),
                    v.path("patternsPreserved").asBoolean() ? "kept" : "changed", Html.num(dist.path("min").asDouble(Double.NaN)),
                    Html.num(dist.path("max").asDouble(Double.NaN)), isExact ? "yes" : "no"));
            number(sec, "alternative " + a.path("kind").asText() + ": change of Σλy∇f / ‖θ‖", Html.num(v.path("combinationChange").asDouble(Double.NaN)),
                    a.path("description").asText(), source);
            number(sec, "alternative " + a.path("kind").asText() + ": min distance to the training set", Html.num(dist.path("min").asDouble(Double.NaN)),
                    "every alternative point is at least this far from every training point", source);
        }
        number(sec, "exact alternative datasets", Integer.toString(exact), "datasets other than the training set with the same KKT combination (change < 1e-9, patterns kept)", source);
        b.append(Html.table(List.of("alternative", "points", "change of Σλy∇f / ‖θ‖", "activation patterns", "min distance to training set", "max distance", "exact"), rows));
        String merge = doc.path("notes").path("merge").asText("");
        if (!merge.isEmpty()) b.append("<p>Merge: ").append(Html.esc(merge)).append(".</p>\n");
        headlines.add(new Headline("Alternative KKT datasets", Integer.toString(exact), "datasets that satisfy the same KKT condition as the training set, "
                + "some " + Html.num(farthest) + " or more away from every training point; the weights are " + Html.num(rel) + "·‖θ‖ from a KKT point of the training data."));
        if (rel > 0.3) {
            caveats.add("The weights are far from a KKT point of their own training data (r*/‖θ‖ = " + Html.num(rel) + "): the reconstruction attack's premise"
                    + " does not hold for this model, so its candidates are not expected to be training images. Training longer brings the weights closer.");
        }
        if (exact > 0) {
            caveats.add("Without a prior on the data the weights do not determine the training set: " + exact + " other dataset(s) satisfy the same"
                    + " stationarity condition exactly. An image the attack finds is one of infinitely many solutions; a match with a training image is"
                    + " evidence of leakage only beside the baselines above.");
        }
        b.append("<div class=\"figs\">\n").append(pngFigure(dir.resolve("panel.png"), "true points beside alternative datasets",
                "Training points (left) and their replacements in each alternative dataset: every row satisfies the same KKT condition.")).append("</div>\n");
        return b.toString();
    }

    // ------------------------------------------------------------------ experiments

    private String experiment(Path dir, int source) {
        StringBuilder b = new StringBuilder();
        if (Files.isRegularFile(dir.resolve("table.md"))) b.append(markdownTable(dir, source));
        else b.append(jsonTables(dir, source));
        b.append("<div class=\"figs\">\n");
        try (Stream<Path> pngs = Files.list(dir)) {
            for (Path p : pngs.filter(p -> p.toString().endsWith(".png")).sorted().toList()) {
                b.append(pngFigure(p, p.getFileName().toString(), p.getFileName().toString()));
            }
        } catch (IOException e) {
            throw new BadInputException("cannot list " + dir + ": " + e.getMessage());
        }
        return b.append("</div>\n").toString();
    }

    /**
     * An experiment without a table.md: its JSON's top-level values as a settings table, and each top-level
     * array of objects (the experiment's rows) as a table of their plain values.
     */
    private String jsonTables(Path dir, int source) {
        JsonNode doc = readJson(experimentFile(dir));
        String sec = "Experiment " + dir.getFileName();
        StringBuilder b = new StringBuilder();
        List<List<String>> settings = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isValueNode()) {
                settings.add(List.of(e.getKey(), e.getValue().asText()));
                if (e.getValue().isNumber()) number(sec, e.getKey(), Html.num(e.getValue().asDouble()), "", source);
            }
        }
        if (!settings.isEmpty()) b.append(Html.table(List.of("setting", "value"), settings));
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode arr = e.getValue();
            if (!arr.isArray() || arr.isEmpty() || !arr.get(0).isObject()) continue;
            List<String> cols = new ArrayList<>();
            for (JsonNode row : arr) {
                for (Iterator<Map.Entry<String, JsonNode>> f = row.fields(); f.hasNext(); ) {
                    Map.Entry<String, JsonNode> c = f.next();
                    if (c.getValue().isValueNode() && !cols.contains(c.getKey()) && cols.size() < 12) cols.add(c.getKey());
                }
            }
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode row : arr) {
                List<String> cells = new ArrayList<>();
                for (String c : cols) {
                    JsonNode v = row.path(c);
                    cells.add(v.isNumber() ? Html.num(v.asDouble()) : v.isMissingNode() || v.isNull() ? "" : v.asText());
                    if (v.isNumber() && !c.equals(cols.get(0))) {
                        number(sec, e.getKey() + " · " + cols.get(0) + " = " + cells.get(0) + " · " + c, Html.num(v.asDouble()), "", source);
                    }
                }
                rows.add(cells);
            }
            b.append("<h3>").append(Html.esc(e.getKey())).append("</h3>\n").append(Html.table(cols, rows));
        }
        return b.toString();
    }

    /** An experiment's table.md: its pipe tables as HTML tables, headings and text as such. */
    private String markdownTable(Path dir, int source) {
        StringBuilder b = new StringBuilder();
        List<String> lines;
        try {
            lines = Files.readAllLines(dir.resolve("table.md"));
        } catch (IOException e) {
            throw new BadInputException("cannot read " + dir.resolve("table.md") + ": " + e.getMessage());
        }
        List<String> header = null;
        List<List<String>> rows = new ArrayList<>();
        for (String line : lines) {
            String l = line.strip();
            if (l.startsWith("|")) {
                List<String> cells = new ArrayList<>();
                for (String c : l.substring(1, l.endsWith("|") ? l.length() - 1 : l.length()).split("\\|", -1)) cells.add(c.strip());
                if (cells.stream().allMatch(c -> c.matches(":?-+:?"))) continue;
                if (header == null) header = cells;
                else {
                    rows.add(cells);
                    for (int i = 1; i < Math.min(cells.size(), header.size()); i++) {
                        number("Experiment " + dir.getFileName(), cells.get(0) + " · " + header.get(i), cells.get(i), "from table.md", source);
                    }
                }
                continue;
            }
            if (header != null) {
                b.append(Html.table(header, rows));
                header = null;
                rows = new ArrayList<>();
            }
            if (l.startsWith("#")) b.append("<h3>").append(Html.esc(l.replaceFirst("^#+\\s*", ""))).append("</h3>\n");
            else if (!l.isEmpty()) b.append("<p>").append(Html.esc(l)).append("</p>\n");
        }
        if (header != null) b.append(Html.table(header, rows));
        return b.toString();
    }

    // ------------------------------------------------------------------ provenance

    private int addSource(Folder f) {
        int id = sources.size() + 1;
        Path main = switch (f.kind) {
            case TRAIN -> f.path.resolve("config.json");
            case RECONSTRUCT -> f.path.resolve("runs.json");
            case MEMBERSHIP -> f.path.resolve("membership.json");
            case ANALYZE -> f.path.resolve("summary.json");
            case EXPERIMENT -> experimentFile(f.path);
        };
        JsonNode config = readJson(main);
        String command;
        Path stage = f.path.resolve(STAGE_FILE);
        if (Files.isRegularFile(stage)) command = readJson(stage).path("command").asText();
        else if (config.has("argv")) {
            StringBuilder c = new StringBuilder("imprint ").append(config.path("command").asText());
            for (JsonNode a : config.path("argv")) c.append(' ').append(a.asText());
            command = c.toString();
        } else {
            command = "imprint " + config.path("command").asText(f.kind.name().toLowerCase(Locale.ROOT)) + " (options in the configuration below)";
        }
        List<String> seeds = new ArrayList<>();
        collectSeeds(config, "", false, seeds);
        JsonNode prov = findField(config, "provenance");
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("folder", f.path.toString()));
        rows.add(List.of("command", command));
        rows.add(List.of("seeds", seeds.isEmpty() ? "none recorded" : String.join(", ", seeds)));
        if (prov != null) {
            for (String key : List.of("imprint", "commit", "java", "blas", "blas_threads", "os", "cores", "created")) {
                if (prov.has(key)) rows.add(List.of(key, prov.path(key).asText()));
            }
        }
        String pretty;
        try {
            pretty = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        sources.add("<div class=\"source\" id=\"src-" + id + "\">\n<h3>[" + id + "] " + Html.esc(f.kind.title) + "</h3>\n"
                + Html.table(List.of("", ""), rows) + "<details><summary>" + Html.esc(main.getFileName().toString()) + "</summary><pre>"
                + Html.esc(pretty) + "</pre></details>\n</div>\n");
        return id;
    }

    /** Collects "path = value" for every value whose name, or whose enclosing object's name, contains "seed". */
    private static void collectSeeds(JsonNode node, String path, boolean inSeeds, List<String> out) {
        if (out.size() >= 16) return;
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                boolean seedy = inSeeds || e.getKey().toLowerCase(Locale.ROOT).contains("seed");
                if (seedy && e.getValue().isValueNode()) out.add(p + " = " + e.getValue().asText());
                else collectSeeds(e.getValue(), p, seedy, out);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) collectSeeds(node.get(i), path + "[" + i + "]", inSeeds, out);
        }
    }

    private static JsonNode findField(JsonNode node, String name) {
        if (node.has(name) && node.get(name).isObject()) return node.get(name);
        for (JsonNode child : node) {
            if (child.isContainerNode()) {
                JsonNode found = findField(child, name);
                if (found != null) return found;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ helpers

    private static String chart(Plot plot, String alt, String caption) {
        return Html.figure(Png.encode(plot.render(560, 360)), alt, caption);
    }

    /** Embeds a PNG from the folder; a missing or undecodable file becomes a visible note, never a broken image. */
    private static String pngFigure(Path file, String alt, String caption) {
        if (!Files.isRegularFile(file)) return "<p class=\"missing\">" + Html.esc(file.getFileName() + " was not written (" + alt + ")") + "</p>\n";
        try {
            byte[] bytes = Files.readAllBytes(file);
            BufferedImage decoded = ImageIO.read(new java.io.ByteArrayInputStream(bytes));
            if (decoded == null) return "<p class=\"missing\">" + Html.esc(file + " is not a readable image") + "</p>\n";
            return Html.figure(bytes, alt, caption);
        } catch (IOException e) {
            return "<p class=\"missing\">" + Html.esc("cannot read " + file + ": " + e.getMessage()) + "</p>\n";
        }
    }

    static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new BadInputException(file + ": not readable JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }

    private static List<JsonNode> readJsonLines(Path file) {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) return out;
        try {
            int lineNo = 0;
            for (String line : Files.readAllLines(file)) {
                lineNo++;
                if (line.isBlank()) continue;
                try {
                    out.add(JSON.readTree(line));
                } catch (JsonProcessingException e) {
                    throw new BadInputException(file + ":" + lineNo + ": not a JSON line");
                }
            }
        } catch (IOException e) {
            throw new BadInputException("cannot read " + file + ": " + e.getMessage());
        }
        return out;
    }

    private static String version() {
        String v = AuditReport.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }

    private static final String STYLE = """
            :root{--ink:#1d2330;--mute:#5b6472;--line:#e3e6eb;--accent:#1f5fbf;--warn:#8a5a00;--bg:#fafbfc}
            *{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
            main{max-width:1260px;margin:0 auto;padding:24px 28px 64px}
            h1{font-size:28px;margin:8px 0 4px}h2{font-size:21px;margin:36px 0 8px;padding-top:8px;border-top:1px solid var(--line)}h3{font-size:16px;margin:18px 0 6px}
            .lead{color:var(--mute);max-width:70em}.folder{color:var(--mute);font-size:13px;margin-top:0}
            .cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(230px,1fr));gap:14px}
            .card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 16px}
            .card .label{font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:var(--mute)}
            .card .value{font-size:30px;font-weight:650;margin:2px 0}.card p{margin:0;font-size:13px;color:var(--mute)}
            .caveat{background:#fff7e6;border-left:4px solid #e0a526;padding:10px 14px;margin:14px 0;color:var(--warn);max-width:75em}
            .missing{color:var(--warn);font-style:italic}
            nav ol{columns:2;background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 12px 12px 34px;margin:24px 0}
            a{color:var(--accent)}
            .figs{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
            figure{margin:8px 0;background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px;max-width:100%}
            figure img{display:block;max-width:100%;height:auto;image-rendering:auto}
            figcaption{font-size:13px;color:var(--mute);max-width:560px;margin-top:6px}
            table{border-collapse:collapse;background:#fff;margin:10px 0;font-size:13.5px}
            th,td{border:1px solid var(--line);padding:4px 9px;text-align:left;vertical-align:top}th{background:#f1f3f6}
            td.v{font-variant-numeric:tabular-nums;white-space:nowrap}
            details pre{max-height:420px;overflow:auto;background:#fff;border:1px solid var(--line);padding:10px;font-size:12px}
            .source{margin-bottom:18px}
            dt{font-weight:600;margin-top:8px}dd{margin-left:18px;color:var(--ink)}
            """;

    private static final String MEANING = """
            <section id="meaning">
            <h2>What the numbers mean</h2>
            <dl>
            <dt>Reconstructed</dt><dd>A training image counts as reconstructed when the candidate nearest to it (by normalised cross-correlation)
            has SSIM &gt; 0.4 with it (Haim et al. 2022). SSIM compares local structure; 1 means identical.</dd>
            <dt>Correlation r</dt><dd>Imprint's supplementary measure, not the papers': the Pearson correlation of a candidate with its
            training image, on the values the model sees. SSIM after min-max rescaling depends on a candidate's darkest pixels, which set its background; r does not.
            r &gt; 0.8 counts a candidate as showing its training image.</dd>
            <dt>Mean-image baseline</dt><dd>The average training image, with no attack at all, already scores SSIM &gt; 0.4 against many digits.
            A reconstruction counts as evidence of leakage only when the candidate beats that baseline.</dd>
            <dt>Members</dt><dd>Members are the training points and the positive class: TPR is the fraction of training points flagged,
            FPR the fraction of fresh points wrongly flagged. TPR at low FPR (1%, 0.1%) is the privacy-relevant number; AUC averages over
            thresholds an attacker would not use.</dd>
            <dt>KKT residual r*/‖θ‖</dt><dd>The attack assumes the weights satisfy θ = Σ λ_i y_i ∇_θ f(θ; x_i) with λ ≥ 0 on the training points
            (a KKT point of the max-margin problem). r*/‖θ‖ measures how far they are from that, with the true training data: near 0 the
            premise holds; near 1 it does not.</dd>
            <dt>Alternative KKT datasets</dt><dd>Other datasets — points split off the data span, split along a singular direction, or merged —
            that satisfy the same stationarity condition (Refael et al. 2025). Each was verified by recomputing Σ λ y ∇f; their distance to
            the training set shows how far from the truth an equally valid reconstruction can be.</dd>
            </dl>
            </section>
            """;
}
