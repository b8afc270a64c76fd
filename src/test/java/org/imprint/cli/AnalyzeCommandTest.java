package org.imprint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.imprint.io.Safetensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code imprint analyze} and the {@code no-prior} experiments end to end on tiny victims (in-process). */
class AnalyzeCommandTest {
    @TempDir
    static Path tmp;

    static Path run;

    @BeforeAll
    static void trainVictim() {
        run = tmp.resolve("victim");
        CliTest.Result r = CliTest.run("train", "--per-class", "4", "--test-per-class", "0", "--arch", "784-20-1", "--lr", "0.05",
                "--normalized", "--epochs", "300", "--loss-threshold", "1e-3", "--checkpoints", "2,5", "--out", run.toString());
        assertEquals(0, r.code(), r.err());
    }

    @Test void analyzeWritesVerifiedAlternatives() throws Exception {
        Path out = tmp.resolve("an");
        CliTest.Result r = CliTest.run("analyze", run.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("true-data KKT residual r*/|θ|"), r.out());
        JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(8, s.get("kkt").get("n").asInt());
        assertTrue(s.get("kkt").get("relative_residual") != null || s.get("kkt").get("relativeResidual") != null, s.get("kkt").toString());
        assertTrue(s.get("alternatives").size() >= 4, "off-span and singular splits, with and without the box");
        for (JsonNode a : s.get("alternatives")) {
            assertTrue(a.get("exact").asBoolean(), a.toString());
            Path file = out.resolve(a.get("file").asText());
            assertTrue(Files.isRegularFile(file), file.toString());
            assertEquals(a.get("points").asInt(), Safetensors.read(file).tensor("x").dim(0));
        }
        assertTrue(Files.isRegularFile(out.resolve("panel.png")));
    }

    @Test void analyzeBadInput() {
        CliTest.Result missing = CliTest.run("analyze", tmp.resolve("nope").toString());
        assertEquals(Main.BAD_INPUT, missing.code());
        assertTrue(missing.err().startsWith("imprint: no such model file or run folder"), missing.err());
        CliTest.Result noData = CliTest.run("analyze", run.resolve("model.safetensors").toString());
        assertEquals(Main.BAD_INPUT, noData.code());
        assertTrue(noData.err().contains("needs the training data"), noData.err());
        CliTest.Result fraction = CliTest.run("analyze", run.toString(), "--split-fraction", "1.5", "--out", tmp.resolve("x").toString());
        assertEquals(Main.BAD_INPUT, fraction.code());
        assertTrue(fraction.err().contains("--split-fraction must be in (0, 1)"), fraction.err());
        CliTest.Result box = CliTest.run("analyze", run.toString(), "--box-lo", "1", "--box-hi", "0", "--out", tmp.resolve("x").toString());
        assertEquals(Main.BAD_INPUT, box.code());
        assertTrue(box.err().contains("--box-lo/--box-hi"), box.err());
    }

    @Test void experimentsRunAtATinyScale() throws Exception {
        Path sphere = tmp.resolve("sphere");
        CliTest.Result s = CliTest.run("experiment", "no-prior", "sphere", "--n", "8", "--d", "10", "--width", "12", "--radii", "1,3", "--restarts", "1",
                "--iterations", "20", "--out", sphere.toString());
        assertEquals(0, s.code(), s.err());
        assertTrue(Files.isRegularFile(sphere.resolve("sphere.json")) && Files.isRegularFile(sphere.resolve("sphere.png")));
        assertTrue(s.out().contains("per radius"), s.out());
        Path dup = tmp.resolve("dup");
        CliTest.Result d = CliTest.run("experiment", "no-prior", "duplication", "--n", "8", "--d", "10", "--width", "12", "--restarts", "3", "--iterations", "20",
                "--out", dup.toString());
        assertEquals(0, d.code(), d.err());
        assertEquals(3, new ObjectMapper().readTree(dup.resolve("duplication.json").toFile()).get("restarts").size());
        Path len = tmp.resolve("len");
        CliTest.Result l = CliTest.run("experiment", "no-prior", "length", run.toString(), "--runs", "1", "--iterations", "5", "--out", len.toString());
        assertEquals(0, l.code(), l.err());
        assertEquals(2, new ObjectMapper().readTree(len.resolve("length.json").toFile()).get("snapshots").size(), "epochs 2 and 5");
        Path off = tmp.resolve("off");
        CliTest.Result o = CliTest.run("experiment", "no-prior", "offset", "--per-class", "2", "--width", "8", "--offsets", "0,1", "--runs", "1", "--iterations", "5",
                "--epochs", "50", "--out", off.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(Files.isRegularFile(off.resolve("offset.png")));
    }

    @Test void experimentsBadInput() {
        CliTest.Result radii = CliTest.run("experiment", "no-prior", "sphere", "--radii", "1,0", "--out", tmp.resolve("y").toString());
        assertEquals(Main.BAD_INPUT, radii.code());
        assertTrue(radii.err().contains("--radii must be > 0"), radii.err());
        CliTest.Result noSnapshots = CliTest.run("experiment", "no-prior", "length", tmp.toString());
        assertEquals(Main.BAD_INPUT, noSnapshots.code());
        assertTrue(noSnapshots.err().contains("has no checkpoints/ folder"), noSnapshots.err());
        CliTest.Result offsets = CliTest.run("experiment", "no-prior", "offset", "--offsets", "-1");
        assertEquals(Main.BAD_INPUT, offsets.code());
        assertTrue(offsets.err().contains("--offsets must be >= 0"), offsets.err());
        CliTest.Result radius = CliTest.run("experiment", "no-prior", "duplication", "--radius", "0");
        assertEquals(Main.BAD_INPUT, radius.code());
    }
}
