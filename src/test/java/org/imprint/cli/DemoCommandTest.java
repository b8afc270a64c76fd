package org.imprint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.imprint.report.AuditReport;
import org.imprint.report.ReportStructure;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code imprint demo} on a tiny configuration: every stage runs, the report is written and well-formed, a second
 * run reuses every stage, a changed option re-runs just the stages it reaches, --fresh re-runs all, an
 * interrupted training resumes, and a folder of other files is refused untouched.
 */
class DemoCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    static Path demo;
    static CliTest.Result first;

    /** A tiny demo; {@code overrides} are option/value pairs that replace the tiny defaults or add flags. */
    static String[] tiny(Path out, String... overrides) {
        java.util.LinkedHashMap<String, String> o = new java.util.LinkedHashMap<>();
        o.put("--out", out.toString());
        o.put("--per-class", "3");
        o.put("--hidden", "12");
        o.put("--epochs", "2000");
        o.put("--runs", "1");
        o.put("--iterations", "40");
        o.put("--test-per-class", "10");
        List<String> flags = new ArrayList<>();
        for (int i = 0; i < overrides.length; i++) {
            if (i + 1 < overrides.length && !overrides[i + 1].startsWith("--")) o.put(overrides[i], overrides[++i]);
            else flags.add(overrides[i]);
        }
        List<String> a = new ArrayList<>(List.of("demo"));
        o.forEach((k, v) -> { a.add(k); a.add(v); });
        a.addAll(flags);
        return a.toArray(new String[0]);
    }

    @BeforeAll
    static void runOnce() {
        demo = tmp.resolve("demo");
        first = CliTest.run(tiny(demo));
    }

    private static List<String> statuses(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        for (JsonNode s : JSON.readTree(dir.resolve(AuditReport.DEMO_INDEX).toFile()).path("stages")) out.add(s.path("status").asText());
        return out;
    }

    @Test void runsEveryStageAndWritesAWellFormedReport() throws Exception {
        assertEquals(Main.OK, first.code(), first.err());
        assertEquals(List.of("ran", "ran", "ran", "ran"), statuses(demo));
        assertTrue(first.out().contains("[1/4] train"), first.out());
        assertTrue(first.out().contains("demo finished in"), first.out());
        for (String stage : List.of("train", "reconstruct", "membership", "analyze")) {
            JsonNode st = JSON.readTree(demo.resolve(stage).resolve(AuditReport.STAGE_FILE).toFile());
            assertEquals("done", st.path("status").asText(), stage);
            assertTrue(st.path("command").asText().startsWith("imprint " + stage), st.toString());
            assertEquals(64, st.path("hash").asText().length());
        }
        ReportStructure.Checked report = ReportStructure.check(demo.resolve("report.html"));
        assertEquals(List.of("glance", "s1", "s2", "s3", "s4", "meaning", "numbers", "provenance"), report.sectionIds());
        assertTrue(report.images() >= 6, "images: " + report.images());
        assertTrue(report.text().contains("SSIM > 0.4"), "the meaning of reconstructed");
        assertTrue(report.text().contains("positive class"), "members are the positive class");
        // The provenance holds the exact command lines the stages ran.
        String trainCommand = JSON.readTree(demo.resolve("train").resolve(AuditReport.STAGE_FILE).toFile()).path("command").asText();
        assertTrue(report.text().contains(trainCommand), trainCommand);
    }

    @Test void aSecondRunReusesEveryStageAndAChangedOptionRerunsWhatItReaches() throws Exception {
        assertEquals(Main.OK, first.code(), first.err());
        Path copy = tmp.resolve("demo-cache");
        assertEquals(Main.OK, CliTest.run(tiny(copy)).code());
        CliTest.Result again = CliTest.run(tiny(copy));
        assertEquals(Main.OK, again.code(), again.err());
        assertEquals(List.of("cached", "cached", "cached", "cached"), statuses(copy));
        assertTrue(again.out().contains("cached"), again.out());

        CliTest.Result changed = CliTest.run(tiny(copy, "--iterations", "50"));
        assertEquals(Main.OK, changed.code(), changed.err());
        assertEquals(List.of("cached", "ran", "cached", "cached"), statuses(copy));

        CliTest.Result fresh = CliTest.run(tiny(copy, "--iterations", "50", "--fresh"));
        assertEquals(Main.OK, fresh.code(), fresh.err());
        assertEquals(List.of("ran", "ran", "ran", "ran"), statuses(copy));
    }

    @Test void anInterruptedTrainingResumesAndItsReadersRunAgain() throws Exception {
        Path dir = tmp.resolve("demo-resume");
        assertEquals(Main.OK, CliTest.run(tiny(dir)).code());
        Path stageFile = dir.resolve("train").resolve(AuditReport.STAGE_FILE);
        ObjectNode st = (ObjectNode) JSON.readTree(stageFile.toFile());
        String hash = st.path("hash").asText();
        st.put("status", "running");
        Files.writeString(stageFile, st.toString());
        CliTest.Result r = CliTest.run(tiny(dir));
        assertEquals(Main.OK, r.code(), r.err());
        assertTrue(r.out().contains("resuming the interrupted training"), r.out());
        assertEquals(List.of("ran", "ran", "ran", "ran"), statuses(dir));
        assertEquals(hash, JSON.readTree(stageFile.toFile()).path("hash").asText());
    }

    @Test void refusesAFolderOfOtherFilesAndLeavesThemAlone() throws Exception {
        Path dir = tmp.resolve("not-a-demo");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("notes.txt"), "mine");
        CliTest.Result r = CliTest.run(tiny(dir));
        assertEquals(Main.BAD_INPUT, r.code());
        assertTrue(r.err().contains("already holds other files"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertEquals("mine", Files.readString(dir.resolve("notes.txt")));

        Path file = tmp.resolve("a-file");
        Files.writeString(file, "x");
        CliTest.Result f = CliTest.run(tiny(file));
        assertEquals(Main.BAD_INPUT, f.code());
        assertEquals("x", Files.readString(file));

        CliTest.Result bad = CliTest.run("demo", "--out", tmp.resolve("bad").toString(), "--hidden", "0");
        assertEquals(Main.BAD_INPUT, bad.code());
        assertTrue(bad.err().contains("--hidden"), bad.err());
    }

    @Test void stageHashesDependOnTheCommandAndTheInputs() {
        DemoCommand a = new DemoCommand();
        picocli.CommandLine cl = new picocli.CommandLine(a);
        cl.parseArgs("--quick");
        List<DemoCommand.Stage> stages = a.stages();
        String train = DemoCommand.hash(stages.get(0), stages, List.of());
        String attack = DemoCommand.hash(stages.get(1), stages, List.of(train));
        assertEquals(train, DemoCommand.hash(stages.get(0), stages, List.of()), "deterministic");
        assertNotEquals(attack, DemoCommand.hash(stages.get(1), stages, List.of("0".repeat(64))), "an input's hash changes its readers'");
        DemoCommand b = new DemoCommand();
        new picocli.CommandLine(b).parseArgs("--quick", "--seed", "1");
        assertNotEquals(train, DemoCommand.hash(b.stages().get(0), b.stages(), List.of()), "the seed is part of the configuration");
        assertFalse(stages.get(0).args().contains("--quick"));
    }
}
