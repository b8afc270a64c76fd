package org.imprint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.imprint.report.ReportStructure;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code imprint report} on folders of other commands, and its errors. */
class ReportCommandTest {
    @TempDir
    static Path tmp;

    static Path run;

    @BeforeAll
    static void trainAndAnalyze() {
        run = tmp.resolve("run");
        CliTest.Result t = CliTest.run("train", "--per-class", "3", "--arch", "784-10-1", "--epochs", "40", "--normalized",
                "--test-per-class", "5", "--log-every", "10", "--out", run.toString());
        assertEquals(Main.OK, t.code(), t.err());
        CliTest.Result a = CliTest.run("analyze", run.toString(), "--out", run.resolve("analyze-1").toString());
        assertEquals(Main.OK, a.code(), a.err());
    }

    @Test void findsNestedResultFoldersAndWritesAWellFormedPage() throws Exception {
        Path html = tmp.resolve("out/report.html");
        CliTest.Result r = CliTest.run("report", run.toString(), "--out", html.toString());
        assertEquals(Main.OK, r.code(), r.err());
        assertTrue(r.out().contains("train " + run) && r.out().contains("analyze " + run.resolve("analyze-1")), r.out());
        ReportStructure.Checked c = ReportStructure.check(html);
        assertEquals(List.of("glance", "s1", "s2", "meaning", "numbers", "provenance"), c.sectionIds());
        assertEquals(4, c.images(), "loss, accuracy, margins, alternatives panel");
        assertTrue(c.text().contains("imprint train --per-class 3 --arch 784-10-1"), "the exact command line");
        assertTrue(c.text().contains("seeds.init = 0"), "the seeds");
        assertTrue(c.text().contains("r*/‖θ‖"), "the KKT residual");
    }

    @Test void anExperimentFolderBecomesItsTableAndPlots() throws Exception {
        Path exp = tmp.resolve("exp");
        Files.createDirectories(exp);
        Files.writeString(exp.resolve("results.json"), "{\"command\":\"experiment\",\"seed\":7}");
        Files.writeString(exp.resolve("table.md"), "# Sphere\n\n| n | reconstructed |\n|---|---|\n| 10 | 0.5 |\n");
        org.imprint.report.Png.write(new org.imprint.report.Plot("p", "x", "y").line("a", new double[] {0, 1}, new double[] {0, 1}).render(200, 150), exp.resolve("curve.png"));
        Path html = tmp.resolve("exp.html");
        assertEquals(Main.OK, CliTest.run("report", exp.toString(), "--out", html.toString()).code());
        ReportStructure.Checked c = ReportStructure.check(html);
        assertEquals(1, c.images());
        assertTrue(c.text().contains("10 · reconstructed"), "the table's cells are listed as numbers");
        assertTrue(c.text().contains("seed = 7"), c.text());
    }

    @Test void anExperimentWithoutATableIsReadFromItsJson() throws Exception {
        Path exp = tmp.resolve("sphere");
        Files.createDirectories(exp);
        Files.writeString(exp.resolve("sphere.json"), "{\"experiment\":\"no-prior sphere\",\"n\":100,\"seed\":3,"
                + "\"radii\":[{\"r\":1,\"distance\":0.25},{\"r\":8,\"distance\":2.5}]}");
        Files.writeString(exp.resolve("notes.json"), "{\"unrelated\":true}");
        Path html = tmp.resolve("sphere.html");
        CliTest.Result r = CliTest.run("report", exp.toString(), "--out", html.toString());
        assertEquals(Main.OK, r.code(), r.err());
        ReportStructure.Checked c = ReportStructure.check(html);
        assertTrue(c.text().contains("radii · r = 8 · distance2.5"), "the rows' numbers are listed");
        assertTrue(c.text().contains("no-prior sphere"), c.text());
        assertTrue(c.text().contains("seed = 3"), "seeds in the provenance");
    }

    /** A reconstruct output folder with one completed run and the given auditor summary (no images). */
    private static Path reconstructFolder(String name, String summary) throws java.io.IOException {
        Path rec = tmp.resolve(name);
        Files.createDirectories(rec);
        Files.writeString(rec.resolve("runs.json"), "{\"command\":\"reconstruct\",\"runs\":1,\"iterations\":5,\"run_results\":[{\"outcome\":\"completed\",\"relative_residual\":0.5}]}");
        Files.writeString(rec.resolve("summary.json"), "{\"summary\":" + summary + "}");
        return rec;
    }

    @Test void aBrokenImageBecomesANoteNotABrokenImage() throws Exception {
        Path rec = reconstructFolder("rec", "{\"trainingImages\":4,\"reconstructed\":1,\"reconstructedBeyondMean\":0,\"meanImageBaseline\":2}");
        Files.write(rec.resolve("grid.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2});
        Path html = tmp.resolve("rec.html");
        CliTest.Result r = CliTest.run("report", rec.toString(), "--out", html.toString());
        assertEquals(Main.OK, r.code(), r.err());
        ReportStructure.Checked c = ReportStructure.check(html);
        assertEquals(0, c.images());
        assertTrue(c.text().contains("is not a readable image"), c.text());
        assertTrue(c.text().contains("ssim-vs-margin.png was not written"), c.text());
        assertTrue(c.text().contains("class averages, not individual images"), "the caveat when nothing beats the mean image");
    }

    /** SSIM passes that do not correlate with their image get their own number and caveat. */
    @Test void ssimPassesWithoutCorrelationAreFlagged() throws Exception {
        Path rec = reconstructFolder("rec-blobs", "{\"trainingImages\":10,\"reconstructed\":8,\"reconstructedBeyondMean\":7,"
                + "\"meanImageBaseline\":5,\"highCorrelation\":0,\"medianCorrelation\":0.3,\"reconstructedLowCorrelation\":8,"
                + "\"reconstructedHighCorrelation\":0}");
        Path html = tmp.resolve("blobs.html");
        CliTest.Result r = CliTest.run("report", rec.toString(), "--out", html.toString());
        assertEquals(Main.OK, r.code(), r.err());
        ReportStructure.Checked c = ReportStructure.check(html);
        assertTrue(c.text().contains("The papers' SSIM count overcounts here: 8 of the 8"), c.text());
        assertTrue(c.text().contains("reconstructed, correlation < 0.5"), c.text());
        assertTrue(c.text().contains("reconstructed, correlation > 0.8"), "the strict count: " + c.text());
        assertTrue(c.text().contains("0 of them also pass SSIM > 0.4"), c.text());
    }

    @Test void badInputIsOneLineAndExitTwoAndLeavesTheOldReport() throws Exception {
        CliTest.Result missing = CliTest.run("report", tmp.resolve("nope").toString(), "--out", tmp.resolve("x.html").toString());
        assertEquals(Main.BAD_INPUT, missing.code());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        assertTrue(missing.err().contains("no such result folder"), missing.err());

        Path empty = tmp.resolve("empty");
        Files.createDirectories(empty);
        CliTest.Result none = CliTest.run("report", empty.toString(), "--out", tmp.resolve("x.html").toString());
        assertEquals(Main.BAD_INPUT, none.code());
        assertTrue(none.err().contains("holds no Imprint results"), none.err());

        Path mem = tmp.resolve("mem");
        Files.createDirectories(mem);
        Files.writeString(mem.resolve("membership.json"), "{\"report\": ");
        Path old = tmp.resolve("old.html");
        Files.writeString(old, "previous report");
        CliTest.Result corrupt = CliTest.run("report", mem.toString(), "--out", old.toString());
        assertEquals(Main.BAD_INPUT, corrupt.code());
        assertTrue(corrupt.err().contains("membership.json: not readable JSON"), corrupt.err());
        assertEquals("previous report", Files.readString(old));
        assertFalse(corrupt.err().contains("Exception"), corrupt.err());
    }
}
