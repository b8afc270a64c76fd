package org.imprint.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.imprint.analysis.Roc;
import org.imprint.attacks.provable.Margin;
import org.imprint.attacks.provable.MembershipInference;
import org.imprint.io.AtomicFiles;
import org.imprint.io.BadInputException;
import org.imprint.io.Safetensors;
import org.imprint.io.SafetensorsFile;
import org.imprint.models.Mlp;
import org.imprint.report.Plot;
import org.imprint.tensor.DType;
import org.imprint.tensor.Tensor;

/** What the provable-attack commands share: loading models and data, JSON of ROCs and margins, ROC plots. */
final class ProvableSupport {
    private ProvableSupport() {}

    static final ObjectMapper JSON = new ObjectMapper();

    /** The false-positive rates at which TPR is reported. */
    static final double[] FPR_POINTS = {0.01, 0.001, 0.0001};

    /** {@code runs/NAME-yyyyMMdd-HHmmss}. */
    static Path defaultOut(String name) {
        return Path.of("runs", name + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }

    /** Loads an MLP from a safetensors file (float64). */
    static Mlp loadModel(Path file) {
        if (!Files.isRegularFile(file)) throw new BadInputException("model file " + file + " does not exist");
        return Mlp.fromTensors(Safetensors.read(file).tensors(), DType.F64, file.toString());
    }

    /** Training data as saved in a run folder: x (n, d), labels, and the subtracted mean (or null). */
    record RunData(Tensor x, int[] labels, Tensor mean) {}

    static RunData loadRunData(Path file) {
        if (!Files.isRegularFile(file)) throw new BadInputException("data file " + file + " does not exist");
        SafetensorsFile f = Safetensors.read(file);
        if (!f.has("x") || !f.has("labels")) throw new BadInputException(file + ": expected tensors 'x' and 'labels'");
        Tensor x = f.tensor("x").to(DType.F64);
        if (x.rank() != 2) throw new BadInputException(file + ": 'x' must be (n, d), has rank " + x.rank());
        double[] l = f.tensor("labels").to(DType.F64).toDoubleArray();
        if (l.length != x.dim(0)) throw new BadInputException(file + ": " + l.length + " labels for " + x.dim(0) + " rows");
        int[] labels = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            if (l[i] != 0 && l[i] != 1) throw new BadInputException(file + ": label " + l[i] + " of row " + i + " is not 0 or 1 (binary models only)");
            labels[i] = (int) l[i];
        }
        return new RunData(x, labels, f.has("mean") ? f.tensor("mean").to(DType.F64) : null);
    }

    static double[] signs(int[] labels) {
        double[] y = new double[labels.length];
        for (int i = 0; i < y.length; i++) y[i] = labels[i] == 1 ? 1 : -1;
        return y;
    }

    static ObjectNode rocJson(Roc roc, boolean withCurve) {
        ObjectNode o = JSON.createObjectNode();
        o.put("auc", roc.auc());
        o.put("tpr_at_1pct_fpr", roc.tprAtFpr(0.01));
        o.put("tpr_at_0.1pct_fpr", roc.tprAtFpr(0.001));
        o.put("tpr_at_0.01pct_fpr", roc.tprAtFpr(0.0001));
        o.put("advantage", roc.advantage());
        o.put("positives", roc.positives());
        o.put("negatives", roc.negatives());
        if (withCurve) {
            ArrayNode f = o.putArray("fpr"), t = o.putArray("tpr");
            for (double v : roc.fpr()) f.add(v);
            for (double v : roc.tpr()) t.add(v);
        }
        return o;
    }

    static ObjectNode marginJson(Margin m) {
        ObjectNode o = JSON.createObjectNode();
        o.put("value", m.value());
        o.put("source", m.source().label());
        o.put("note", m.note());
        return o;
    }

    /** The whole membership report as JSON (ROC curves included). */
    static ObjectNode membershipJson(MembershipInference.Report r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("members", r.members());
        o.put("non_members", r.nonMembers());
        ObjectNode test = o.putObject("label_free_test");
        test.put("rule", "member iff |f(x)| >= c*m");
        test.put("c", r.test().fraction());
        test.set("margin", marginJson(r.test().margin()));
        test.put("threshold", r.test().threshold());
        test.put("tpr", r.test().rates().tpr());
        test.put("fpr", r.test().rates().fpr());
        test.put("advantage", r.test().rates().advantage());
        ObjectNode scores = o.putObject("scores");
        for (MembershipInference.ScoreResult s : r.scores()) {
            ObjectNode so = rocJson(s.roc(), true);
            so.put("description", s.score().description);
            scores.set(s.score().key(), so);
        }
        return o;
    }

    /** An ROC plot with a log-scaled FPR axis (FPR = 0 vertices cannot be drawn on it and are left out). */
    static void rocPlot(Path file, String title, Map<String, Roc> curves) {
        Plot p = new Plot(title, "false positive rate (log)", "true positive rate").xScale(Plot.Scale.LOG).yRange(0, 1);
        double lo = 1;
        for (Map.Entry<String, Roc> e : curves.entrySet()) {
            Roc r = e.getValue();
            p.line(String.format(java.util.Locale.ROOT, "%s (AUC %.4f)", e.getKey(), r.auc()), r.fpr(), r.tpr());
            lo = Math.min(lo, 1.0 / r.negatives());
        }
        double[] diag = {lo, 1};
        p.dashed("chance", diag, diag).xRange(lo, 1);
        p.writePng(file);
    }

    static void writeJson(Path file, ObjectNode node) {
        try {
            AtomicFiles.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new BadInputException("cannot create " + dir + ": " + e.getMessage());
        }
    }

    static ArrayNode array(double[] v) {
        ArrayNode a = JSON.createArrayNode();
        for (double x : v) a.add(x);
        return a;
    }

    static ArrayNode array(List<Double> v) {
        ArrayNode a = JSON.createArrayNode();
        for (double x : v) a.add(x);
        return a;
    }
}
