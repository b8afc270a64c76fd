package org.imprint.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.imprint.io.Safetensors;
import org.imprint.io.SafetensorsFile;
import org.imprint.models.Mlp;
import org.imprint.tensor.DType;
import org.imprint.tensor.Tensor;
import org.imprint.train.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code imprint train} end to end, in-process, on the shipped MNIST files. */
class TrainCommandTest {
    @TempDir
    Path tmp;

    private static final String[] SMALL = {"train", "--per-class", "5", "--test-per-class", "5", "--arch", "784-30-1",
        "--lr", "0.3", "--momentum", "0.5", "--log-every", "10", "--checkpoint-every", "20"};

    private static CliTest.Result train(Path out, String... extra) {
        String[] args = new String[SMALL.length + 2 + extra.length];
        System.arraycopy(SMALL, 0, args, 0, SMALL.length);
        args[SMALL.length] = "--out";
        args[SMALL.length + 1] = out.toString();
        System.arraycopy(extra, 0, args, SMALL.length + 2, extra.length);
        return CliTest.run(args);
    }

    private static double[] parameters(Path model) {
        SafetensorsFile f = Safetensors.read(model);
        Mlp m = Mlp.fromTensors(f.tensors(), DType.F64, model.toString());
        return m.parameters().stream().flatMapToDouble(t -> java.util.Arrays.stream(t.toDoubleArray())).toArray();
    }

    @Test void writesACompleteRunFolder() throws IOException {
        Path out = tmp.resolve("run");
        CliTest.Result r = train(out, "--epochs", "50", "--checkpoints", "10,40");
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("config.json", "train.jsonl", "data.safetensors", "checkpoint.safetensors", "model.safetensors",
                "checkpoints/epoch-000000010.safetensors", "checkpoints/epoch-000000040.safetensors")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        List<String> log = Files.readAllLines(out.resolve("train.jsonl"));
        assertEquals(6, log.size(), "epochs 0, 10, …, 50");
        assertTrue(log.get(5).startsWith("{\"epoch\":50,"), log.get(5));
        SafetensorsFile model = Safetensors.read(out.resolve("model.safetensors"));
        assertEquals("784-30-1", model.meta("arch"));
        assertEquals("first", model.meta("bias"));
        assertTrue(model.meta("config").contains("\"seeds\""));
        SafetensorsFile data = Safetensors.read(out.resolve("data.safetensors"));
        assertArrayEquals(new int[] {10, 784}, data.tensor("x").shape());
        assertArrayEquals(new int[] {784}, data.tensor("mean").shape());
        assertTrue(r.out().contains("for 50 epochs"), r.out());
    }

    @Test void refusesToOverwriteARun() {
        Path out = tmp.resolve("run");
        assertEquals(0, train(out, "--epochs", "1").code());
        CliTest.Result again = train(out, "--epochs", "1");
        assertEquals(Main.BAD_INPUT, again.code());
        assertTrue(again.err().contains("already holds a run"), again.err());
    }

    @Test void resumeAfterAnInterruptionEqualsTheUninterruptedRun() throws IOException {
        Path straight = tmp.resolve("straight"), cut = tmp.resolve("cut");
        assertEquals(0, train(straight, "--epochs", "60").code());
        assertEquals(0, train(cut, "--epochs", "60", "--checkpoints", "40").code());
        // Simulate a crash after epoch 40: the latest checkpoint is the epoch-40 one and the log ran further.
        Files.copy(cut.resolve("checkpoints/epoch-000000040.safetensors"), cut.resolve(RunDirectory.CHECKPOINT), StandardCopyOption.REPLACE_EXISTING);
        Files.delete(cut.resolve("model.safetensors"));
        Files.writeString(cut.resolve("train.jsonl"), "{\"epoch\":999,\"loss\":1", java.nio.file.StandardOpenOption.APPEND);
        CliTest.Result r = CliTest.run("train", "--resume", cut.toString());
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(parameters(straight.resolve("model.safetensors")), parameters(cut.resolve("model.safetensors")));
        List<String> a = Files.readAllLines(straight.resolve("train.jsonl")), b = Files.readAllLines(cut.resolve("train.jsonl"));
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertEquals(a.get(i).replaceAll(",\"wall_s\".*", ""), b.get(i).replaceAll(",\"wall_s\".*", ""));
    }

    @Test void resumeCanRaiseTheBudget() {
        Path out = tmp.resolve("run");
        assertEquals(0, train(out, "--epochs", "20").code());
        CliTest.Result r = CliTest.run("train", "--resume", out.toString(), "--epochs", "30");
        assertEquals(0, r.code(), r.err());
        assertEquals("30", Safetensors.read(out.resolve("model.safetensors")).meta("epoch"));
    }

    @Test void badInputGivesOneLineAndExitTwo() throws IOException {
        CliTest.Result arch = CliTest.run("train", "--per-class", "2", "--arch", "100-10-1", "--out", tmp.resolve("a").toString());
        assertEquals(Main.BAD_INPUT, arch.code());
        assertTrue(arch.err().startsWith("imprint: --arch starts with 100 inputs but the data has d = 784"), arch.err());

        CliTest.Result missing = CliTest.run("train", "--dataset", "files", "--x", tmp.resolve("nope.npy").toString(),
                "--y", tmp.resolve("nope-y.npy").toString(), "--out", tmp.resolve("b").toString());
        assertEquals(Main.BAD_INPUT, missing.code());
        assertTrue(missing.err().contains("nope.npy"), missing.err());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());

        Path blocker = Files.writeString(tmp.resolve("file-not-folder"), "x");
        CliTest.Result unwritable = train(blocker.resolve("run"), "--epochs", "1");
        assertEquals(Main.BAD_INPUT, unwritable.code());
        assertTrue(unwritable.err().startsWith("imprint: cannot write"), unwritable.err());

        CliTest.Result diverged = CliTest.run("train", "--per-class", "5", "--arch", "784-30-1", "--lr", "1e12", "--loss", "exponential",
                "--epochs", "50", "--out", tmp.resolve("c").toString());
        assertEquals(Main.BAD_INPUT, diverged.code());
        List<String> lines = diverged.err().strip().lines().toList(); // progress lines, then the error
        assertTrue(lines.get(lines.size() - 1).startsWith("imprint: training diverged at epoch 1: the loss is Infinity"), diverged.err());
    }

    @Test void otherOptimizersTrainTheVictim() throws IOException {
        for (String opt : List.of("adamw", "sumo")) {
            Path out = tmp.resolve(opt);
            CliTest.Result r = CliTest.run("train", "--per-class", "5", "--test-per-class", "0", "--arch", "784-30-1", "--optimizer", opt,
                    "--optimizer-option", "rank=4", "--lr", "1e-3", "--epochs", "30", "--checkpoint-every", "10", "--out", out.toString());
            if (opt.equals("adamw")) {
                assertEquals(Main.BAD_INPUT, r.code(), "adamw takes no rank");
                assertTrue(r.err().startsWith("imprint: --optimizer adamw: "), r.err());
                continue;
            }
            assertEquals(0, r.code(), r.err());
            List<String> log = Files.readAllLines(out.resolve("train.jsonl"));
            double first = Double.parseDouble(log.get(0).replaceAll(".*\"loss\":([^,]*),.*", "$1"));
            double last = Double.parseDouble(log.get(log.size() - 1).replaceAll(".*\"loss\":([^,]*),.*", "$1"));
            assertTrue(last < first, "loss " + first + " -> " + last);
        }
    }

    @Test void syntheticDataAndFloat32() {
        Path out = tmp.resolve("sphere");
        CliTest.Result r = CliTest.run("train", "--dataset", "sphere", "--n", "20", "--d", "10", "--arch", "10-50-1",
                "--init", "uniform", "--init-scale", "1e-3", "--lr", "1", "--schedule", "step:30:0.7", "--epochs", "100",
                "--dtype", "f32", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        Tensor w = Safetensors.read(out.resolve("model.safetensors")).tensor("0.weight");
        assertEquals(DType.F32, w.dtype());
    }
}
