package org.imprint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The SUMO experiments at toy sizes: each runs, writes its files, and its numbers make sense. */
class SumoCommandTest {
    static CommandLine cli() {
        return Main.commandLine();
    }

    static JsonNode results(Path dir) throws IOException {
        assertTrue(Files.isRegularFile(dir.resolve("table.md")));
        return new ObjectMapper().readTree(dir.resolve("results.json").toFile());
    }

    static Path corpus(Path dir) throws IOException {
        Path text = dir.resolve("corpus.txt");
        Files.writeString(text, "Friends, Romans, countrymen, lend me your ears; I come to bury Caesar. ".repeat(60), StandardCharsets.US_ASCII);
        return text;
    }

    @Test void e1OrthogonalisationErrors(@TempDir Path dir) throws IOException {
        CliTest.Result r = CliTest.run(cli(), "experiment", "sumo", "e1", "--ranks", "4", "--widths", "32", "--kappas", "1,100,1000000", "--max-steps", "6",
                "--timing-ranks", "4", "--threads", "1", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode rows = results(dir).get("errors");
        assertEquals(3, rows.size());
        for (JsonNode row : rows) assertTrue(row.get("svd_f64_fro").asDouble() < 1e-9, row.toString());
        double ns5Easy = rows.get(0).get("ns5_float64_fro").get(4).asDouble(), ns5Hard = rows.get(2).get("ns5_float64_fro").get(4).asDouble();
        assertTrue(ns5Hard > ns5Easy && ns5Hard > 0.3, "NS5 error grows with kappa: " + ns5Easy + " -> " + ns5Hard);
        assertTrue(Files.isRegularFile(dir.resolve("error_vs_kappa.png")));
    }

    @Test void e5StateMatchesTheFormulas(@TempDir Path dir) throws IOException {
        CliTest.Result r = CliTest.run(cli(), "experiment", "sumo", "e5", "--dim", "16", "--layers", "1", "--heads", "2", "--ffn", "24", "--rank", "4",
                "--text", corpus(dir).toString(), "--out", dir.resolve("e5").toString());
        assertEquals(0, r.code(), r.err());
        for (JsonNode row : results(dir.resolve("e5")).get("live")) assertTrue(row.get("matches_formula").asBoolean(), row.toString());
    }

    @Test void e2e3e6RunAtToySizes(@TempDir Path dir) throws IOException {
        Path text = corpus(dir);
        CliTest.Result e3 = CliTest.run(cli(), "experiment", "sumo", "e3", "--optimizers", "adamw,sumo", "--grid", "adamw=0.003", "--grid", "sumo=0.01,0.03",
                "--seeds", "0,1", "--steps", "6", "--eval-every", "3", "--eval-windows", "4", "--dim", "16", "--layers", "1", "--heads", "2",
                "--ffn", "24", "--context", "16", "--batch", "4", "--rank", "4", "--text", text.toString(), "--out", dir.resolve("e3").toString());
        assertEquals(0, e3.code(), e3.err());
        JsonNode summary = results(dir.resolve("e3")).get("summary");
        assertEquals(2, summary.size());
        assertEquals(2, summary.get(1).get("runs").size(), "the chosen SUMO rate ran on both seeds");
        assertEquals(5, Files.readAllLines(dir.resolve("e3/runs.jsonl")).size(), "3 tuning runs + 2 seed runs");
        CliTest.Result again = CliTest.run(cli(), "experiment", "sumo", "e3", "--optimizers", "adamw,sumo", "--grid", "adamw=0.003", "--grid", "sumo=0.01,0.03",
                "--seeds", "0,1", "--steps", "6", "--eval-every", "3", "--eval-windows", "4", "--dim", "16", "--layers", "1", "--heads", "2",
                "--ffn", "24", "--context", "16", "--batch", "4", "--rank", "4", "--text", text.toString(), "--out", dir.resolve("e3").toString());
        assertEquals(0, again.code(), again.err());
        assertEquals(5, Files.readAllLines(dir.resolve("e3/runs.jsonl")).size(), "finished runs are reused");

        CliTest.Result e2 = CliTest.run(cli(), "experiment", "sumo", "e2", "--steps", "10", "--every", "5", "--rank", "4", "--update-gap", "3",
                "--dim", "16", "--layers", "1", "--heads", "2", "--ffn", "24",
                "--text", text.toString(), "--out", dir.resolve("e2").toString());
        assertEquals(0, e2.code(), e2.err());
        for (JsonNode row : results(dir.resolve("e2")).get("series")) {
            assertTrue(row.get("median_cond").asDouble() >= 1, row.toString());
            double energy = row.get("median_muon_rank1_energy").asDouble();
            assertTrue(energy > 0 && energy <= 1 + 1e-12, row.toString());
        }
        CliTest.Result e6 = CliTest.run(cli(), "experiment", "sumo", "e6", "--optimizers", "adamw,sumo", "--steps", "3", "--warmup", "1", "--dim", "16",
                "--layers", "1", "--heads", "2", "--ffn", "24", "--rank", "4", "--update-gap", "2", "--text", text.toString(),
                "--out", dir.resolve("e6").toString());
        assertEquals(0, e6.code(), e6.err());
        assertEquals(2, results(dir.resolve("e6")).get("timings").size());
    }
}
