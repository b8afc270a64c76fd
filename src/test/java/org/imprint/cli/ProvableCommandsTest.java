package org.imprint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.imprint.attacks.provable.UnivariateNetwork;
import org.imprint.io.Safetensors;
import org.imprint.models.Mlp;
import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provable-attack commands, in-process, on tiny inputs; and their bad-input errors (exit 2, one line). */
class ProvableCommandsTest {
    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Runs the command of {@code command}'s class where it sits in Imprint's command tree. */
    static CliTest.Result run(Callable<Integer> command, String... args) {
        List<String> full = new java.util.ArrayList<>(CliTest.pathOf(command.getClass()));
        full.addAll(List.of(args));
        return CliTest.run(full.toArray(new String[0]));
    }

    private Path trapezoidModel() {
        UnivariateNetwork t = new UnivariateNetwork(new double[] {0, 1, 1, 1, 1, 1}, new double[] {1, -1, -3, -4, -6, -7},
                new double[] {-1, 1, -1, -1, 1, 1});
        Path p = dir.resolve("trapezoid.safetensors");
        Safetensors.write(p, t.toMlp().namedParameters());
        return p;
    }

    @Test void reconstructTrapezoid() throws IOException {
        Path model = trapezoidModel();
        Files.writeString(dir.resolve("x.csv"), "3\n4\n10\n");
        Files.writeString(dir.resolve("y.csv"), "1\n1\n1\n");
        Path out = dir.resolve("attack");
        CliTest.Result r = run(new Reconstruct1dCommand(), "--model", model.toString(), "--margin", "1",
                "--x", dir.resolve("x.csv").toString(), "--y", dir.resolve("y.csv").toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Algorithm 1: [3.0, 4.0]"), r.out());
        JsonNode j = JSON.readTree(out.resolve("reconstruction.json").toFile());
        assertEquals("given", j.at("/result/margin/source").asText());
        assertEquals(1.0, j.at("/evaluation/algorithm1/precision").asDouble());
        assertEquals(6, j.at("/result/practical").size());
        assertTrue(Files.size(out.resolve("reconstruction.png")) > 1000);
        // the margin estimated from the weights alone gives the same answer, and says so
        CliTest.Result e = run(new Reconstruct1dCommand(), "--model", model.toString(), "--estimate-margin", "--out", dir.resolve("e").toString());
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("estimated"), e.out());
        assertTrue(e.out().contains("Algorithm 1: [3.0, 4.0]"), e.out());
    }

    @Test void reconstructBadInput() {
        Path model = trapezoidModel();
        assertBad(run(new Reconstruct1dCommand(), "--out", dir.toString()), "exactly one of --run and --model");
        assertBad(run(new Reconstruct1dCommand(), "--model", dir.resolve("missing.safetensors").toString()), "does not exist");
        assertBad(run(new Reconstruct1dCommand(), "--model", model.toString(), "--margin", "1", "--estimate-margin"), "mutually exclusive");
        assertBad(run(new Reconstruct1dCommand(), "--model", model.toString()), "no margin");
        assertBad(run(new Reconstruct1dCommand(), "--model", model.toString(), "--margin", "-2"), "positive");
        assertBad(run(new Reconstruct1dCommand(), "--model", model.toString(), "--margin", "1", "--on-margin-tol", "2"), "--on-margin-tol");
        Path wide = dir.resolve("wide.safetensors");
        Safetensors.write(wide, Mlp.initialise(new int[] {3, 4, 1}, Mlp.BiasMode.FIRST, Mlp.InitDistribution.PYTORCH_UNIFORM,
                new double[] {1}, new Rng(1), DType.F64).namedParameters());
        assertBad(run(new Reconstruct1dCommand(), "--model", wide.toString(), "--margin", "1"), "1-k-1");
    }

    private Path[] membershipFiles() throws IOException {
        Mlp m = Mlp.initialise(new int[] {3, 16, 1}, Mlp.BiasMode.FIRST, Mlp.InitDistribution.PYTORCH_UNIFORM, new double[] {1}, new Rng(2), DType.F64);
        Path model = dir.resolve("m.safetensors");
        Safetensors.write(model, m.namedParameters());
        Rng rng = new Rng(3);
        StringBuilder mx = new StringBuilder(), my = new StringBuilder(), nx = new StringBuilder(), ny = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            mx.append(rng.nextGaussian()).append(',').append(rng.nextGaussian()).append(',').append(rng.nextGaussian()).append('\n');
            my.append(i % 2).append('\n');
            nx.append(rng.nextGaussian()).append(',').append(rng.nextGaussian()).append(',').append(rng.nextGaussian()).append('\n');
            ny.append((i + 1) % 2).append('\n');
        }
        Path[] p = {model, dir.resolve("mx.csv"), dir.resolve("my.csv"), dir.resolve("nx.csv"), dir.resolve("ny.csv")};
        Files.writeString(p[1], mx);
        Files.writeString(p[2], my);
        Files.writeString(p[3], nx);
        Files.writeString(p[4], ny);
        return p;
    }

    @Test void membershipOnFiles() throws IOException {
        Path[] p = membershipFiles();
        Path out = dir.resolve("mi");
        CliTest.Result r = run(new MembershipCommand(), "--model", p[0].toString(), "--members-x", p[1].toString(), "--members-y", p[2].toString(),
                "--nonmembers-x", p[3].toString(), "--nonmembers-y", p[4].toString(), "--leaked-member", "3", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(out.resolve("membership.json").toFile());
        assertEquals("known-point", j.at("/report/label_free_test/margin/source").asText());
        assertEquals(12, j.at("/report/members").asInt());
        double auc = j.at("/report/scores/abs_output/auc").asDouble();
        assertTrue(auc >= 0 && auc <= 1);
        assertTrue(j.at("/report/scores/confidence/fpr").size() > 1);
        assertTrue(Files.size(out.resolve("roc.png")) > 1000);
    }

    @Test void membershipBadInput() throws IOException {
        Path[] p = membershipFiles();
        assertBad(run(new MembershipCommand(), "--model", p[0].toString()), "--members-x");
        assertBad(run(new MembershipCommand(), "--model", p[0].toString(), "--members-x", p[1].toString(), "--members-y", p[2].toString(),
                "--nonmembers-x", p[3].toString(), "--nonmembers-y", p[4].toString(), "--fraction", "2", "--out", dir.resolve("o").toString()), "fraction");
        assertBad(run(new MembershipCommand(), "--model", p[0].toString(), "--members-x", p[1].toString(), "--members-y", p[2].toString(),
                "--nonmembers-x", p[3].toString(), "--nonmembers-y", p[4].toString(), "--leaked-member", "99"), "--leaked-member");
        assertBad(run(new MembershipCommand(), "--model", p[0].toString(), "--members-x", p[1].toString(), "--members-y", p[2].toString(),
                "--nonmembers-x", p[3].toString(), "--nonmembers-y", p[4].toString(), "--margin-bounds", "2,1"), "bounds");
        assertBad(run(new MembershipCommand(), "--run", dir.resolve("nothing").toString()), "does not exist");
    }

    @Test void sphereExperimentTiny() throws IOException {
        Path out = dir.resolve("sphere");
        CliTest.Result r = run(new ProvableSphereCommand(), "--dims", "5,40", "--trials", "2", "--width", "64", "--test-n", "100", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("marginal"), r.out());
        JsonNode j = JSON.readTree(out.resolve("results.json").toFile());
        assertEquals(2, j.get("results").size());
        assertEquals(2, j.at("/results/1/trials").size());
        assertTrue(Files.exists(out.resolve("roc.png")) && Files.exists(out.resolve("ratios-vs-d.png")));
        assertBad(run(new ProvableGmmCommand(), "--n", "7", "--dims", "10", "--out", dir.resolve("g").toString()), "even n");
        assertBad(run(new ProvableSphereCommand(), "--dims", "0", "--out", dir.resolve("s0").toString()), "--dims");
    }

    @Test void univariateExperimentTiny() throws IOException {
        Path out = dir.resolve("uni");
        CliTest.Result r = run(new Provable1dCommand(), "--seeds", "2", "--width", "40", "--kkt-steps", "300", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(out.resolve("results.json").toFile());
        assertEquals(2, j.get("seeds").size());
        assertTrue(Files.exists(out.resolve("seed-1.png")) && Files.exists(out.resolve("precision.png")));
        assertBad(run(new Provable1dCommand(), "--seeds", "0"), "--seeds");
    }

    @Test void membershipOnSyntheticRunFolder() throws IOException {
        Path run = dir.resolve("sphere-run");
        CliTest.Result t = CliTest.run(Main.commandLine(), "train", "--dataset", "sphere", "--n", "10", "--d", "6", "--sphere-labels", "parity",
                "--test-n", "0", "--arch", "6-16-1", "--lr", "0.5", "--epochs", "20", "--log-every", "10", "--out", run.toString());
        assertEquals(0, t.code(), t.err());
        Path out = dir.resolve("mi-run");
        CliTest.Result r = run(new MembershipCommand(), "--run", run.toString(), "--test-n", "30", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(out.resolve("membership.json").toFile());
        assertEquals(10, j.at("/report/members").asInt());
        assertEquals(30, j.at("/report/non_members").asInt());
        assertEquals("oracle-training-set", j.at("/report/label_free_test/margin/source").asText());
        assertTrue(j.get("non_members").asText().contains("sphere"), j.toString());
    }

    @Test void mnistExperimentTiny() throws IOException {
        Path out = dir.resolve("mnist");
        CliTest.Result r = run(new ProvableMnistCommand(), "--victim-args",
                "--dataset mnist --per-class 3 --test-per-class 0 --arch 784-8-1 --epochs 5 --log-every 5", "--test-per-class", "4", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(out.resolve("results.json").toFile());
        assertEquals(6, j.at("/victims/0/oracle_margin/members").asInt());
        assertEquals(8, j.at("/victims/0/oracle_margin/non_members").asInt());
        assertTrue(Files.exists(out.resolve("roc-victim.png")));
        assertBad(run(new ProvableMnistCommand(), "--victim-args", "--dataset mnist --per-class 3 --arch 784-8-1 --epochs -1",
                "--out", dir.resolve("bad").toString()), "epochs");
    }

    @Test void helpOfEveryCommand() {
        java.util.List<Callable<Integer>> commands = java.util.List.of(new Reconstruct1dCommand(), new MembershipCommand(), new ProvableSphereCommand(),
                new ProvableGmmCommand(), new Provable1dCommand(), new ProvableMnistCommand(), new BenchProvableCommand());
        for (Callable<Integer> c : commands) {
            CliTest.Result r = run(c, "--help");
            assertEquals(0, r.code(), c.getClass().getSimpleName());
            assertTrue(r.out().startsWith("Usage: "), r.out());
            assertTrue(!r.err().contains("WARN") && !r.out().contains("WARN"), c.getClass().getSimpleName() + ": " + r.err());
        }
    }

    @Test void benchWithoutTorch() {
        CliTest.Result r = run(new BenchProvableCommand(), "--no-torch", "--d", "8", "--width", "16", "--test-n", "10", "--steps", "3", "--repeats", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("f64") && r.out().contains("f32"), r.out());
        assertBad(run(new BenchProvableCommand(), "--repeats", "0"), "--repeats");
    }

    private static void assertBad(CliTest.Result r, String fragment) {
        assertEquals(Main.BAD_INPUT, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(fragment), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}
