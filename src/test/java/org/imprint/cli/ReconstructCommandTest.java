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

    /**
     * The pixel box bounds x + mean: recorded in the config, and every pooled candidate ends inside (or near) [0, 1] once
     * the mean is added. α is fixed at a moderate 50: at the α drawn from the full range (485.7 for this seed) the
     * run is chaotic (two round-off-level different gradients part by 1e-3 within 150 iterations), and where the soft
     * penalty leaves the largest pixel would depend on round-off.
     */
    @Test void pixelBoxKeepsCandidatesInThePixelRange() throws Exception {
        Path out = tmp.resolve("rec-pixel");
        CliTest.Result r = CliTest.run("reconstruct", run.toString(), "--runs", "1", "--iterations", "200", "--abort-at", "0",
                "--lr-x", "0.05", "--sigma-x", "0.5", "--alpha", "50", "--pixel-box", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readString(out.resolve("summary.json")).contains("on x + mean (pixel box)"));
        double[] x = Safetensors.read(out.resolve("candidates.safetensors")).tensor("x").toDoubleArray();
        double[] mean = Safetensors.read(run.resolve("data.safetensors")).tensor("mean").toDoubleArray();
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            double v = x[i] + mean[i % mean.length];
            worst = Math.max(worst, Math.max(v - 1, -v));
        }
        // σ_x = 0.5 starts most pixels outside [0, 1]; the penalty pulls them back to within a small overshoot
        assertTrue(worst < 0.1, "largest excursion outside [0, 1]: " + worst);
        CliTest.Result contradiction = CliTest.run("reconstruct", run.toString(), "--pixel-box", "--no-box");
        assertEquals(Main.BAD_INPUT, contradiction.code());
        CliTest.Result noMean = CliTest.run("reconstruct", run.resolve("model.safetensors").toString(), "--pixel-box", "--candidates", "4");
        assertEquals(Main.BAD_INPUT, noMean.code());
        assertTrue(noMean.err().contains("needs the training mean"), noMean.err());
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
