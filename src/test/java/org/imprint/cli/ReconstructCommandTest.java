package org.imprint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.imprint.io.Safetensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code imprint reconstruct} end to end on a tiny MNIST victim (in-process). */
class ReconstructCommandTest {
    @TempDir
    static Path tmp;

    static Path run;

    @BeforeAll
    static void trainVictim() {
        run = tmp.resolve("victim");
        CliTest.Result r = CliTest.run("train", "--per-class", "4", "--test-per-class", "0", "--arch", "784-40-1", "--lr", "0.05",
                "--normalized", "--epochs", "300", "--loss-threshold", "1e-3", "--out", run.toString());
        assertEquals(0, r.code(), r.err());
    }

    @Test void writesCandidatesAndTheAuditorReport() throws Exception {
        Path out = tmp.resolve("rec");
        CliTest.Result r = CliTest.run("reconstruct", run.toString(), "--runs", "2", "--iterations", "30", "--abort-at", "0",
                "--lr-x", "0.05", "--log-every", "10", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("runs.json", "candidates.safetensors", "matches.csv", "matches.json", "grid.png", "ssim-vs-margin.png", "summary.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertEquals(2 * 16, Safetensors.read(out.resolve("candidates.safetensors")).tensor("x").dim(0), "m = 2n per run, two runs pooled");
        List<String> csv = Files.readAllLines(out.resolve("matches.csv"));
        assertEquals(1 + 8, csv.size(), "a row per training image");
        assertTrue(r.out().contains("AUDITOR MODE"), r.out());
        assertTrue(Files.readString(out.resolve("summary.json")).contains("\"search_seed\" : 0"));
    }

    @Test void badInput() {
        CliTest.Result missing = CliTest.run("reconstruct", tmp.resolve("nope").toString());
        assertEquals(Main.BAD_INPUT, missing.code());
        assertTrue(missing.err().startsWith("imprint: no such model file or run folder"), missing.err());
        CliTest.Result variant = CliTest.run("reconstruct", run.toString(), "--variant", "multiclass");
        assertEquals(Main.BAD_INPUT, variant.code());
        assertTrue(variant.err().contains("does not fit a model with 1 output"), variant.err());
        CliTest.Result noData = CliTest.run("reconstruct", run.resolve("model.safetensors").toString(), "--rank-by", "extraction", "--candidates", "4");
        assertEquals(Main.BAD_INPUT, noData.code());
        assertTrue(noData.err().contains("needs the training data"), noData.err());
    }
}
