package org.imprint.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.imprint.io.AtomicFiles;
import org.imprint.io.BadInputException;
import org.imprint.report.Plot;

/**
 * The folder an experiment writes: {@code results.json} (settings, provenance, every number), {@code table.md}
 * (the tables, also printed) and PNG plots, each written atomically.
 */
final class ExperimentOutput {
    static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final PrintWriter out;
    private final StringBuilder markdown = new StringBuilder();
    final ObjectNode results = JSON.createObjectNode();

    ExperimentOutput(Path dir, String experiment, String description, PrintWriter out) {
        this.dir = dir;
        this.out = out;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new BadInputException("cannot create the output folder " + dir + ": " + e.getMessage());
        }
        results.put("experiment", experiment);
        results.put("description", description);
        results.set("provenance", Provenance.json(JSON));
        markdown.append("# ").append(experiment).append("\n\n").append(description).append("\n\n");
    }

    Path dir() { return dir; }

    /** A markdown table: appended to table.md and printed. */
    void table(String title, List<String> header, List<List<String>> rows) {
        StringBuilder t = new StringBuilder("## ").append(title).append("\n\n| ").append(String.join(" | ", header)).append(" |\n|");
        for (int i = 0; i < header.size(); i++) t.append("---|");
        t.append('\n');
        for (List<String> r : rows) t.append("| ").append(String.join(" | ", r)).append(" |\n");
        t.append('\n');
        markdown.append(t);
        out.print(t);
        out.flush();
    }

    /** A paragraph of text: appended to table.md and printed. */
    void note(String text) {
        markdown.append(text).append("\n\n");
        out.println(text);
        out.println();
        out.flush();
    }

    void plot(Plot plot, String file) {
        plot.writePng(dir.resolve(file));
    }

    void finish() {
        try {
            AtomicFiles.writeString(dir.resolve("results.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results) + "\n");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        AtomicFiles.writeString(dir.resolve("table.md"), markdown.toString());
        out.println("wrote " + dir.resolve("results.json") + ", " + dir.resolve("table.md") + " and the plots");
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) return "–";
        if (v == 0) return "0";
        double a = Math.abs(v);
        return a >= 1e4 || a < 1e-3 ? String.format(Locale.ROOT, "%.2e", v) : String.format(Locale.ROOT, "%.4g", v);
    }

    static List<String> row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) r.add(c instanceof Double d ? fmt(d) : String.valueOf(c));
        return r;
    }
}
