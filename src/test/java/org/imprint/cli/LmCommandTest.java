package org.imprint.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.imprint.io.Safetensors;
import org.imprint.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code imprint lm}: a tiny run, its resume (bit-identical to the uninterrupted run) and its input errors. */
class LmCommandTest {
    static CommandLine cli() {
        CommandLine cli = Main.commandLine();
        if (!cli.getSubcommands().containsKey("lm")) cli.addSubcommand(new LmCommand());
        return cli;
    }

    static CliTest.Result lm(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "lm";
        System.arraycopy(args, 0, all, 1, args.length);
        return CliTest.run(cli(), all);
    }

    static String[] tiny(Path text, Path out, String optimizer, int steps, String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("--text", text.toString(), "--optimizer", optimizer, "--steps", Integer.toString(steps),
                "--schedule", "constant", "--dim", "16", "--layers", "1", "--heads", "2", "--ffn", "24", "--context", "8",
                "--batch", "4", "--eval-every", "2", "--eval-windows", "4", "--checkpoint-every", "3", "--threads", "1",
                "--opt", "rank=4", "--opt", "update_gap=2", "--out", out.toString()));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    @Test void resumedRunMatchesTheUninterruptedOne(@TempDir Path dir) throws IOException {
        Path text = dir.resolve("corpus.txt");
        Files.writeString(text, "now is the winter of our discontent made glorious summer. ".repeat(30), StandardCharsets.US_ASCII);
        CliTest.Result straight = lm(tiny(text, dir.resolve("a"), "sumo", 7));
        assertEquals(0, straight.code(), straight.err());
        assertTrue(straight.out().contains("validation loss"), straight.out());
        CliTest.Result part = lm(tiny(text, dir.resolve("b"), "sumo", 4));
        assertEquals(0, part.code(), part.err());
        // the checkpoint holds step 3; the run "crashed" after it: resume with the full budget
        CliTest.Result resumed = CliTest.run(cli(), "lm", "--resume", dir.resolve("b").toString(), "--steps", "7");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("resuming") && resumed.err().contains("step 3"), resumed.err());
        Map<String, Tensor> a = Safetensors.read(dir.resolve("a/model.safetensors")).tensors();
        Map<String, Tensor> b = Safetensors.read(dir.resolve("b/model.safetensors")).tensors();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), 0f, k);
        List<String> logA = Files.readAllLines(dir.resolve("a/train.jsonl")), logB = Files.readAllLines(dir.resolve("b/train.jsonl"));
        assertEquals(logA.size(), logB.size(), logB.toString());
        for (int i = 0; i < logA.size(); i++) {
            assertEquals(logA.get(i).replaceAll(",\"wall_s\".*", ""), logB.get(i).replaceAll(",\"wall_s\".*", ""));
        }
    }

    @Test void badInputIsOneLineWithExitTwo(@TempDir Path dir) throws IOException {
        Path text = dir.resolve("corpus.txt");
        Files.writeString(text, "short text, long enough for a few windows of eight bytes. ".repeat(5), StandardCharsets.US_ASCII);
        CliTest.Result unknown = lm(tiny(text, dir.resolve("x"), "lion", 2));
        assertEquals(Main.BAD_INPUT, unknown.code());
        assertTrue(unknown.err().contains("unknown --optimizer 'lion'"), unknown.err());
        CliTest.Result badOption = lm(tiny(text, dir.resolve("y"), "sumo", 2, "--opt", "momentum=2"));
        assertEquals(Main.BAD_INPUT, badOption.code());
        assertTrue(badOption.err().contains("momentum should be in [0.0, 1.0) but is: 2.0"), badOption.err());
        assertEquals(1, badOption.err().strip().lines().count(), badOption.err());
        CliTest.Result unknownOption = lm(tiny(text, dir.resolve("z"), "adamw", 2));
        assertEquals(Main.BAD_INPUT, unknownOption.code(), "adamw has no rank option");
        assertTrue(unknownOption.err().contains("unknown option 'rank'"), unknownOption.err());
        CliTest.Result missing = lm("--text", dir.resolve("nope.txt").toString(), "--out", dir.resolve("w").toString());
        assertEquals(Main.BAD_INPUT, missing.code());
        assertTrue(missing.err().contains("nope.txt"), missing.err());
        CliTest.Result noRun = CliTest.run(cli(), "lm", "--resume", dir.toString());
        assertEquals(Main.BAD_INPUT, noRun.code());
        assertTrue(noRun.err().contains("not an lm run folder"), noRun.err());
    }
}
