package org.imprint.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Stream;
import org.imprint.io.AtomicFiles;
import org.imprint.io.BadInputException;
import org.imprint.report.AuditReport;
import org.imprint.train.RunDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code imprint demo}: the end-to-end audit — train a small MNIST victim, attack it (KKT reconstruction and
 * membership inference), measure its non-identifiability, and write the HTML report. Each stage runs an
 * ordinary Imprint command into its own folder and is cached by a hash of its configuration (and of the
 * stages it reads), so a second run reuses what is finished; an interrupted training resumes from its
 * checkpoint.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "The end-to-end audit a newcomer runs first: trains a small MNIST victim, runs a seeded KKT reconstruction search",
            "(Haim et al. 2022), membership inference (Smorodinsky et al. 2024), the non-identifiability analysis (Refael et al.",
            "2025), and writes a self-contained HTML report. About 4 minutes on 2 cores; --quick takes under one.",
            "Finished stages are cached by a hash of their configuration: a second run reuses them (--fresh redoes all)."},
        footer = {"", "Example: imprint demo            (then open runs/demo/report.html)",
                  "         imprint demo --quick    (then open runs/demo-quick/report.html)"})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "A shorter attack search (4 runs instead of 24): under a minute.")
    boolean quick;

    @Option(names = "--out", description = "Demo folder (default: runs/demo, or runs/demo-quick with --quick).")
    Path out;

    @Option(names = "--fresh", description = "Run every stage again, ignoring the cache.")
    boolean fresh;

    @Option(names = "--dataset", defaultValue = "mnist", description = "mnist or fashion-mnist. Default: ${DEFAULT-VALUE}.")
    String dataset;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the initialisation, the attack's search and the analysis. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--per-class", description = "Training images per class (default: " + Sizes.FULL_PER_CLASS + ", quick " + Sizes.QUICK_PER_CLASS + ").")
    Integer perClass;

    @Option(names = "--hidden", description = "Hidden width of the 2-layer victim 784-H-1 (default: " + Sizes.FULL_HIDDEN + ", quick " + Sizes.QUICK_HIDDEN + ").")
    Integer hidden;

    @Option(names = "--epochs", description = "Training epochs of normalised gradient descent (default: " + Sizes.FULL_EPOCHS + ", quick " + Sizes.QUICK_EPOCHS + ").")
    Long epochs;

    @Option(names = "--runs", description = "Random-search runs of the attack (default: " + Sizes.FULL_RUNS + ", quick " + Sizes.QUICK_RUNS + ").")
    Integer runs;

    @Option(names = "--iterations", description = "Iterations per attack run (default: " + Sizes.FULL_ITERATIONS + ", quick " + Sizes.QUICK_ITERATIONS + ").")
    Integer iterations;

    @Option(names = "--test-per-class", description = "Held-out images per class: test accuracy and the membership non-members (default: "
            + Sizes.FULL_TEST_PER_CLASS + ", quick " + Sizes.QUICK_TEST_PER_CLASS + ").")
    Integer testPerClass;

    /**
     * The demo's sizes: the full demo ends in about 4 minutes on 2 cores, the quick one in under one. A small
     * initialisation of both layers and normalised GD bring the victim close to a KKT point within seconds
     * (r* / ‖θ‖ ≈ 0.18 against ≈ 0.94 with the papers' output-layer initialisation at this budget), and many short
     * attack runs over narrowed ranges found more training images than a few long ones over the papers' ranges.
     */
    static final class Sizes {
        static final int FULL_PER_CLASS = 10, QUICK_PER_CLASS = 10;
        static final int FULL_HIDDEN = 200, QUICK_HIDDEN = 200;
        static final long FULL_EPOCHS = 20000, QUICK_EPOCHS = 20000;
        static final int FULL_RUNS = 24, QUICK_RUNS = 4;
        static final int FULL_ITERATIONS = 3000, QUICK_ITERATIONS = 2500;
        static final int FULL_TEST_PER_CLASS = 500, QUICK_TEST_PER_CLASS = 500;
        static final double LR = 0.01;
        static final String INIT_SCALE = "1e-4,1e-3";
        /** The attack's search ranges (lr_x, σ_x, λ_min, α) around the configurations that reconstructed best. */
        static final List<String> ATTACK_RANGES = List.of("--lr-x-range", "0.004,0.008", "--sigma-x-range", "1e-5,2e-4",
                "--lambda-min-range", "0.4,0.5", "--alpha-range", "60,120");

        private Sizes() {}
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TRAIN = "train", RECONSTRUCT = "reconstruct", MEMBERSHIP = "membership", ANALYZE = "analyze";

    /**
     * One stage: a name (its folder), what it does in words, the stages whose results it reads, and its command
     * line, in which "@name" stands for the folder of stage name ("@out" for its own).
     */
    record Stage(String name, String what, List<String> inputs, List<String> args, double estimateSeconds) {}

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (out == null) out = Path.of(quick ? "runs/demo-quick" : "runs/demo");
        List<Stage> stages = stages();
        guardFolder(stages);
        long started = System.nanoTime();
        o.println("imprint demo" + (quick ? " --quick" : "") + ": " + stages.size() + " stages into " + out + " (about "
                + Progress.duration(stages.stream().mapToDouble(Stage::estimateSeconds).sum()) + " on 2 cores when nothing is cached)");
        o.flush();
        ObjectNode index = JSON.createObjectNode();
        index.put("command", "demo");
        index.put("quick", quick);
        index.set("options", options());
        ArrayNode stageList = index.putArray("stages");
        for (Stage s : stages) stageList.addObject().put("name", s.name).put("folder", s.name);
        index.set("provenance", Provenance.json(JSON));
        writeIndex(index);

        List<String> hashes = new ArrayList<>();
        List<String> runIds = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            Stage s = stages.get(i);
            double remaining = 0;
            for (int j = i; j < stages.size(); j++) remaining += stages.get(j).estimateSeconds;
            String hash = hash(s, stages, hashes);
            List<String> upstreamIds = new ArrayList<>();
            for (String in : s.inputs) upstreamIds.add(runIds.get(indexOf(stages, in)));
            Path dir = out.resolve(s.name);
            JsonNode state = readState(dir);
            String header = String.format(Locale.ROOT, "[%d/%d] %s: %s", i + 1, stages.size(), s.name, s.what);
            ObjectNode entry = (ObjectNode) stageList.get(i);
            entry.put("hash", hash);
            if (!fresh && state != null && "done".equals(state.path("status").asText()) && hash.equals(state.path("hash").asText())
                    && upstreamIds.equals(strings(state.path("inputs")))) {
                o.println(header + " — cached (config " + hash.substring(0, 12) + ", took " + Progress.duration(state.path("wall_s").asDouble()) + ")");
                o.flush();
                hashes.add(hash);
                runIds.add(state.path("run_id").asText());
                entry.put("status", "cached").put("wall_s", state.path("wall_s").asDouble());
                writeIndex(index);
                continue;
            }
            boolean resume = !fresh && s.name.equals(TRAIN) && state != null && hash.equals(state.path("hash").asText())
                    && Files.isRegularFile(dir.resolve(RunDirectory.CHECKPOINT)) && Files.isRegularFile(dir.resolve(RunDirectory.CONFIG));
            o.println(header + String.format(Locale.ROOT, " (about %s; demo done in about %s)", Progress.duration(s.estimateSeconds), Progress.duration(remaining))
                    + (resume ? " — resuming the interrupted training" : ""));
            o.flush();
            List<String> args = resume ? List.of(TRAIN, "--resume", dir.toString()) : resolve(s.args, dir);
            if (!resume) {
                deleteStage(dir);
                try {
                    Files.createDirectories(dir);
                } catch (IOException e) {
                    throw new BadInputException("cannot create " + dir + ": " + e.getMessage());
                }
            }
            String command = "imprint " + String.join(" ", resolve(s.args, dir));
            ObjectNode st = JSON.createObjectNode();
            st.put("stage", s.name);
            st.put("hash", hash);
            st.put("status", "running");
            st.put("command", command);
            st.set("inputs", JSON.valueToTree(upstreamIds));
            AtomicFiles.writeString(dir.resolve(AuditReport.STAGE_FILE), st.toPrettyString() + "\n");
            long t0 = System.nanoTime();
            int code = runCommand(args, o, err);
            double wall = (System.nanoTime() - t0) * 1e-9;
            if (code != Main.OK) {
                // The stage printed its one-line error on stderr; what the demo keeps goes to stdout.
                o.println("demo stopped at stage '" + s.name + "' (exit " + code + "); finished stages in " + out + " are kept and reused when you run it again");
                o.flush();
                entry.put("status", "failed");
                writeIndex(index);
                return code;
            }
            String runId = UUID.randomUUID().toString();
            st.put("status", "done");
            st.put("run_id", runId);
            st.put("wall_s", resume ? Math.max(wall, loggedTrainingSeconds(dir)) : wall);
            st.put("finished", Instant.now().toString());
            AtomicFiles.writeString(dir.resolve(AuditReport.STAGE_FILE), st.toPrettyString() + "\n");
            hashes.add(hash);
            runIds.add(runId);
            entry.put("status", "ran").put("wall_s", wall);
            writeIndex(index);
        }

        Path report = out.resolve("report.html");
        o.println(String.format(Locale.ROOT, "[report] writing %s", report));
        AuditReport.write(AuditReport.find(List.of(out)), report);
        double total = (System.nanoTime() - started) * 1e-9;
        index.put("wall_s", total);
        writeIndex(index);
        o.println("demo finished in " + Progress.duration(total) + ". Open " + report.toAbsolutePath() + " in a browser.");
        o.flush();
        return Main.OK;
    }

    /** The stage list for the chosen sizes. */
    List<Stage> stages() {
        int k = perClass != null ? perClass : quick ? Sizes.QUICK_PER_CLASS : Sizes.FULL_PER_CLASS;
        int h = hidden != null ? hidden : quick ? Sizes.QUICK_HIDDEN : Sizes.FULL_HIDDEN;
        long e = epochs != null ? epochs : quick ? Sizes.QUICK_EPOCHS : Sizes.FULL_EPOCHS;
        int r = runs != null ? runs : quick ? Sizes.QUICK_RUNS : Sizes.FULL_RUNS;
        int it = iterations != null ? iterations : quick ? Sizes.QUICK_ITERATIONS : Sizes.FULL_ITERATIONS;
        int t = testPerClass != null ? testPerClass : quick ? Sizes.QUICK_TEST_PER_CLASS : Sizes.FULL_TEST_PER_CLASS;
        if (k < 1) throw new BadInputException("--per-class must be >= 1, got " + k);
        if (h < 1) throw new BadInputException("--hidden must be >= 1, got " + h);
        if (e < 1) throw new BadInputException("--epochs must be >= 1, got " + e);
        if (r < 1) throw new BadInputException("--runs must be >= 1, got " + r);
        if (it < 1) throw new BadInputException("--iterations must be >= 1, got " + it);
        if (t < 1) throw new BadInputException("--test-per-class must be >= 1, got " + t);
        String ds = dataset.toLowerCase(Locale.ROOT);
        if (!ds.equals("mnist") && !ds.equals("fashion-mnist")) throw new BadInputException("--dataset must be mnist or fashion-mnist, got '" + dataset + "'");
        int n = 2 * k, d = 784;
        long logEvery = Math.max(1, Math.min(e, 1500) / 100);
        // Estimates from flop counts at the rates measured on the 2-core reference machine. Normalised GD at this
        // learning rate ends when the loss underflows, after about 1300 epochs, whatever the budget.
        double trainSeconds = 2.0 + Math.min(e, 1500) * 6.0 * n * d * h / 1e10;
        // The attack's hand-written gradient: 24 runs × 3000 iterations of 784-200-1 with m = 40 took 1 min 44 s (2 runs at a time).
        double attackSeconds = 3.0 + (double) r * it * (2 * n) * d * h * 5.0 / 1.1e10 / Math.min(r, Runtime.getRuntime().availableProcessors());
        List<String> train = new ArrayList<>(List.of(TRAIN, "--dataset", ds, "--per-class", Integer.toString(k), "--test-per-class", Integer.toString(t),
                "--arch", "784-" + h + "-1", "--init-scale", Sizes.INIT_SCALE, "--epochs", Long.toString(e), "--normalized", "--lr", Double.toString(Sizes.LR),
                "--seed", Long.toString(seed), "--log-every", Long.toString(logEvery), "--checkpoint-every", Long.toString(Math.max(1, e / 10)), "--out", "@out"));
        List<String> attack = new ArrayList<>(List.of(RECONSTRUCT, "@" + TRAIN, "--runs", Integer.toString(r), "--iterations", Integer.toString(it),
                "--seed", Long.toString(seed)));
        attack.addAll(Sizes.ATTACK_RANGES);
        attack.addAll(List.of("--out", "@out"));
        return List.of(
                new Stage(TRAIN, String.format(Locale.ROOT, "train a 784-%d-1 ReLU net on %d %s images (normalised GD)", h, n, ds), List.of(), train, trainSeconds),
                new Stage(RECONSTRUCT, String.format(Locale.ROOT, "KKT reconstruction search, %d runs × %d iterations", r, it), List.of(TRAIN), attack, attackSeconds),
                new Stage(MEMBERSHIP, "membership inference with the label-free margin test", List.of(TRAIN),
                        List.of(MEMBERSHIP, "--run", "@" + TRAIN, "--leaked-member", "0", "--test-per-class", Integer.toString(t), "--out", "@out"), 3.0),
                new Stage(ANALYZE, "KKT residual of the true data and alternative datasets with the same KKT condition", List.of(TRAIN),
                        List.of(ANALYZE, "@" + TRAIN, "--seed", Long.toString(seed), "--out", "@out"), 5.0 + n * n * 0.002));
    }

    /** The stage's configuration hash: its command line (stage folders by name) and the hashes of its inputs. */
    static String hash(Stage s, List<Stage> all, List<String> hashesSoFar) {
        StringBuilder text = new StringBuilder("imprint-demo-stage/1\n").append(s.name).append('\n');
        for (String a : s.args) text.append(a).append('\n');
        for (String in : s.inputs) text.append('@').append(in).append('=').append(hashesSoFar.get(indexOf(all, in))).append('\n');
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }

    private static int indexOf(List<Stage> stages, String name) {
        for (int i = 0; i < stages.size(); i++) if (stages.get(i).name.equals(name)) return i;
        throw new IllegalArgumentException("no stage " + name);
    }

    private List<String> resolve(List<String> args, Path own) {
        Function<String, String> f = a -> a.equals("@out") ? own.toString() : a.startsWith("@") ? out.resolve(a.substring(1)).toString() : a;
        return args.stream().map(f).toList();
    }

    /** Runs an Imprint command in this JVM, with this command's streams (the stages print their own progress). */
    private int runCommand(List<String> args, PrintWriter o, PrintWriter err) {
        CommandLine cli = Main.commandLine();
        cli.setOut(o);
        cli.setErr(err);
        boolean stacktrace = spec.root().commandLine().getParseResult().hasMatchedOption("--stacktrace");
        List<String> all = new ArrayList<>();
        if (stacktrace) all.add("--stacktrace");
        all.addAll(args);
        return cli.execute(all.toArray(new String[0]));
    }

    /** Refuses a --out that holds something other than a demo, so that nothing already written is deleted. */
    private void guardFolder(List<Stage> stages) {
        List<String> stageFolders = stages.stream().map(Stage::name).toList();
        if (Files.exists(out) && !Files.isDirectory(out)) throw new BadInputException("--out " + out + " is a file, not a folder");
        if (!Files.isDirectory(out)) return;
        try (Stream<Path> entries = Files.list(out)) {
            List<Path> foreign = entries.filter(p -> {
                String name = p.getFileName().toString();
                return !(name.equals(AuditReport.DEMO_INDEX) || name.equals("report.html") || name.startsWith(".")
                        || stageFolders.contains(name));
            }).toList();
            if (!foreign.isEmpty() && !Files.isRegularFile(out.resolve(AuditReport.DEMO_INDEX))) {
                throw new BadInputException("--out " + out + " already holds other files (" + foreign.get(0).getFileName() + "); choose an empty or demo folder");
            }
        } catch (IOException e) {
            throw new BadInputException("cannot read " + out + ": " + e.getMessage());
        }
    }

    /** Deletes a stage folder of a previous demo run (one that holds a stage file, or nothing). */
    private static void deleteStage(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            boolean ours = Files.isRegularFile(dir.resolve(AuditReport.STAGE_FILE)) || isEmpty(dir);
            if (!ours) throw new BadInputException(dir + " exists and is not a demo stage folder; move it away or choose another --out");
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        } catch (IOException e) {
            throw new BadInputException("cannot clear the stale stage folder " + dir + ": " + e.getMessage());
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static JsonNode readState(Path dir) {
        Path f = dir.resolve(AuditReport.STAGE_FILE);
        if (!Files.isRegularFile(f)) return null;
        try {
            return JSON.readTree(f.toFile());
        } catch (IOException e) {
            return null; // a damaged stage file only means the stage runs again
        }
    }

    /** The training time a resumed run reports in its log (cumulative over its sessions), or 0 if unreadable. */
    private static double loggedTrainingSeconds(Path trainDir) {
        try (Stream<String> lines = Files.lines(trainDir.resolve(RunDirectory.LOG))) {
            String last = lines.filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse(null);
            return last == null ? 0 : JSON.readTree(last).path("wall_s").asDouble(0);
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode v : array) out.add(v.asText());
        return out;
    }

    private ObjectNode options() {
        ObjectNode o = JSON.createObjectNode();
        o.put("quick", quick);
        o.put("dataset", dataset);
        o.put("seed", seed);
        o.put("fresh", fresh);
        o.put("out", out.toString());
        return o;
    }

    private void writeIndex(ObjectNode index) {
        AtomicFiles.writeString(out.resolve(AuditReport.DEMO_INDEX), index.toPrettyString() + "\n");
    }
}
