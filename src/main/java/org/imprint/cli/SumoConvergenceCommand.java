package org.imprint.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.imprint.io.BadInputException;
import org.imprint.kernels.Blas;
import org.imprint.models.llama.Llama;
import org.imprint.models.llama.LlamaConfig;
import org.imprint.models.llama.LmTrainer;
import org.imprint.models.llama.TextCorpus;
import org.imprint.optim.Optimizer;
import org.imprint.report.Plot;
import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.imprint.train.Schedule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * E3: convergence of the LM under AdamW, Muon, GaLore, SUMO and SUMO-NS5. Stage 1 runs every learning rate of each
 * optimizer's grid with the first seed and keeps the rate with the lowest final validation loss; stage 2 repeats
 * that rate with the other seeds. Every finished run is appended to runs.jsonl, and a re-run with the same --out
 * skips the runs already there, so an interrupted experiment continues.
 */
@Command(
        name = "e3",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "E3: validation loss against steps and wall time for AdamW, Muon, GaLore, SUMO and SUMO-NS5 on the LM",
            "(tinyshakespeare bytes), a learning-rate grid per optimizer tuned on the first seed, then the chosen rate on",
            "every seed; steps to reach a target loss (default: AdamW's mean final validation loss). Cosine schedule with",
            "10%% warm-up. GaLore and SUMO use rank --rank and subspace period --update-gap; the embedding, head and norms",
            "use AdamW at --adam-lr under every matrix optimizer."})
public final class SumoConvergenceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    LlamaSizeOptions size = new LlamaSizeOptions();

    @Option(names = "--optimizers", split = ",", defaultValue = "adamw,muon,galore,sumo,sumo-ns5", description = "Default: ${DEFAULT-VALUE}.")
    List<String> optimizers;

    @Option(names = "--grid", description = "Learning rates per optimizer, e.g. --grid sumo=0.003,0.01,0.03 (repeatable; defaults: adamw 1e-3,3e-3,1e-2; muon 0.01,0.02,0.05; galore, sumo, sumo-ns5 3e-3,1e-2,3e-2).")
    Map<String, String> grid = new LinkedHashMap<>();

    @Option(names = "--seeds", split = ",", defaultValue = "0,1,2", description = "Seeds (the first tunes the rate). Default: ${DEFAULT-VALUE}.")
    long[] seeds;

    @Option(names = "--steps", defaultValue = "500", description = "Steps per run. Default: ${DEFAULT-VALUE}.")
    long steps;

    @Option(names = "--batch", defaultValue = "16", description = "Sequences per step. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--context", defaultValue = "64", description = "Sequence length. Default: ${DEFAULT-VALUE}.")
    int context;

    @Option(names = "--rank", defaultValue = "16", description = "Rank of GaLore and SUMO (sumo.md: d/4). Default: ${DEFAULT-VALUE}.")
    int rank;

    @Option(names = "--update-gap", description = "Subspace period K of GaLore and SUMO (default: 2.5%% of --steps, as 200 of 10k steps in the paper, at least 5).")
    Integer updateGap;

    @Option(names = "--adam-lr", defaultValue = "3e-3", description = "AdamW rate of embedding, head and norms under matrix optimizers. Default: ${DEFAULT-VALUE}.")
    double adamLr;

    @Option(names = "--eval-every", defaultValue = "50", description = "Steps between validation evaluations. Default: ${DEFAULT-VALUE}.")
    long evalEvery;

    @Option(names = "--eval-windows", defaultValue = "64", description = "Validation windows. Default: ${DEFAULT-VALUE}.")
    int evalWindows;

    @Option(names = "--target", description = "Target validation loss for 'steps to reach' (default: AdamW's mean final loss, else the worst mean final loss).")
    Double target;

    @Option(names = "--text", description = "Text corpus (default: data/tinyshakespeare/input.txt).")
    Path text;

    @Option(names = "--threads", defaultValue = "1", description = "BLAS threads (1 is fastest when other jobs share the cores). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--out", defaultValue = "runs/sumo-e3", description = "Output folder (runs.jsonl there is reused). Default: ${DEFAULT-VALUE}.")
    Path out;

    static final Map<String, double[]> DEFAULT_GRID = Map.of(
            "adamw", new double[] {1e-3, 3e-3, 1e-2}, "adam", new double[] {1e-3, 3e-3, 1e-2}, "muon", new double[] {0.01, 0.02, 0.05},
            "galore", new double[] {3e-3, 1e-2, 3e-2}, "sumo", new double[] {3e-3, 1e-2, 3e-2}, "sumo-ns5", new double[] {3e-3, 1e-2, 3e-2});

    /** One finished run: its evaluations (step, validation loss, wall seconds). */
    record Run(String optimizer, double lr, long seed, long[] steps, double[] loss, double[] wall) {
        double finalLoss() { return loss[loss.length - 1]; }
    }

    @Override
    public Integer call() {
        if (steps < 1 || batch < 1 || evalEvery < 1 || evalWindows < 1 || seeds.length == 0 || threads < 1 || rank < 1) {
            throw new BadInputException("--steps, --batch, --eval-every, --eval-windows, --threads, --rank must be >= 1 and --seeds non-empty");
        }
        Blas.setThreads(threads);
        int gap = updateGap != null ? updateGap : (int) Math.max(5, Math.round(steps * 0.025));
        if (gap < 1) throw new BadInputException("--update-gap must be >= 1, got " + gap);
        LlamaConfig mc = size.config(context);
        Map<String, double[]> rates = new LinkedHashMap<>();
        for (String o : optimizers) {
            String name = o.toLowerCase(Locale.ROOT);
            if (!DEFAULT_GRID.containsKey(name)) throw new BadInputException("--optimizers: unknown or unsupported '" + o + "' (adamw, adam, muon, galore, sumo, sumo-ns5)");
            rates.put(name, grid.containsKey(name) ? parseRates(name, grid.get(name)) : DEFAULT_GRID.get(name));
        }
        TextCorpus corpus = TextCorpus.read(text != null ? text : org.imprint.data.ImageDatasets.defaultDataRoot().resolve("tinyshakespeare").resolve("input.txt"));
        String sizes = String.format(Locale.ROOT, "model %s (%d parameters); %d steps of %d x %d bytes; rank %d, K %d; AdamW rate %.0e for embedding/head/norms; "
                + "cosine schedule, 10%% warm-up; %d validation windows; seeds %s; %d BLAS thread(s)", mc, mc.parameterCount(), steps, batch, context, rank, gap,
                adamLr, evalWindows, java.util.Arrays.toString(seeds), threads);
        PrintWriterLike log = new PrintWriterLike(spec.commandLine().getErr());
        List<Run> done = readRuns(out.resolve("runs.jsonl"));

        // stage 1: tune the rate on the first seed; stage 2: the chosen rate on the other seeds
        Map<String, Double> chosen = new LinkedHashMap<>();
        for (var e : rates.entrySet()) {
            Run best = null;
            for (double lr : e.getValue()) {
                Run r = runOrReuse(done, e.getKey(), lr, seeds[0], mc, corpus, gap, log);
                if (best == null || (Double.isNaN(best.finalLoss()) || r.finalLoss() < best.finalLoss())) best = r;
            }
            chosen.put(e.getKey(), best.lr());
        }
        for (var e : chosen.entrySet()) for (int i = 1; i < seeds.length; i++) runOrReuse(done, e.getKey(), e.getValue(), seeds[i], mc, corpus, gap, log);

        ExperimentOutput o = new ExperimentOutput(out, "E3: convergence on tinyshakespeare", "Sizes: " + sizes + ".", spec.commandLine().getOut());
        report(o, done, rates, chosen);
        o.finish();
        return Main.OK;
    }

    private static double[] parseRates(String name, String text) {
        String[] parts = text.split("[,;]");
        double[] out = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new BadInputException("--grid " + name + "=" + text + ": '" + parts[i] + "' is not a number");
            }
            if (!(out[i] > 0)) throw new BadInputException("--grid " + name + ": rates must be > 0, got " + out[i]);
        }
        return out;
    }

    /** Forwards progress lines to stderr. */
    record PrintWriterLike(java.io.PrintWriter err) {
        void line(String s) {
            err.println(s);
            err.flush();
        }
    }

    private Run runOrReuse(List<Run> done, String name, double lr, long seed, LlamaConfig mc, TextCorpus corpus, int gap, PrintWriterLike log) {
        for (Run r : done) if (r.optimizer().equals(name) && r.lr() == lr && r.seed() == seed && r.steps()[r.steps().length - 1] == steps) return r;
        Llama model = Llama.initialise(mc, DType.F32, new Rng(seed));
        Map<String, String> opts = new LinkedHashMap<>();
        if (name.equals("galore") || name.startsWith("sumo")) {
            opts.put("rank", Integer.toString(rank));
            opts.put("update_gap", Integer.toString(gap));
            opts.put("seed", Long.toString(seed));
        }
        Optimizer opt = LmCommand.buildOptimizer(name, model, lr, adamLr, opts);
        LmTrainer trainer = new LmTrainer(model, opt, corpus, new Schedule.Cosine(Math.max(1, steps / 10)), batch, steps, seed, evalEvery, evalWindows, 0);
        List<Long> st = new ArrayList<>();
        List<Double> loss = new ArrayList<>(), wall = new ArrayList<>();
        long t0 = System.nanoTime();
        try {
            trainer.run(0, 0, e -> {
                st.add(e.step());
                loss.add(e.validationLoss());
                wall.add(e.wallSeconds());
            });
        } catch (IllegalStateException diverged) {
            log.line("e3: " + name + " lr " + lr + " seed " + seed + " diverged: " + diverged.getMessage());
            st.add(steps);
            loss.add(Double.NaN);
            wall.add((System.nanoTime() - t0) * 1e-9);
        }
        Run r = new Run(name, lr, seed, st.stream().mapToLong(Long::longValue).toArray(), loss.stream().mapToDouble(Double::doubleValue).toArray(),
                wall.stream().mapToDouble(Double::doubleValue).toArray());
        log.line(String.format(Locale.ROOT, "e3: %-8s lr %-7s seed %d: final validation loss %.4f in %.0f s", name, lr, seed, r.finalLoss(), r.wall()[r.wall().length - 1]));
        appendRun(r);
        done.add(r);
        return r;
    }

    private void appendRun(Run r) {
        ObjectNode o = ExperimentOutput.JSON.createObjectNode();
        o.put("optimizer", r.optimizer()).put("lr", r.lr()).put("seed", r.seed());
        ArrayNode s = o.putArray("steps"), l = o.putArray("val_loss"), w = o.putArray("wall_s");
        for (int i = 0; i < r.steps().length; i++) {
            s.add(r.steps()[i]);
            l.add(r.loss()[i]);
            w.add(r.wall()[i]);
        }
        try {
            Files.createDirectories(out);
            Files.writeString(out.resolve("runs.jsonl"), o + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new BadInputException("cannot append to " + out.resolve("runs.jsonl") + ": " + e.getMessage());
        }
    }

    private static List<Run> readRuns(Path file) {
        List<Run> runs = new ArrayList<>();
        if (!Files.isRegularFile(file)) return runs;
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) continue;
                JsonNode n;
                try {
                    n = ExperimentOutput.JSON.readTree(line);
                } catch (IOException torn) {
                    break;
                }
                int k = n.get("steps").size();
                long[] s = new long[k];
                double[] l = new double[k], w = new double[k];
                for (int i = 0; i < k; i++) {
                    s[i] = n.get("steps").get(i).asLong();
                    l[i] = n.get("val_loss").get(i).isNumber() ? n.get("val_loss").get(i).asDouble() : Double.NaN;
                    w[i] = n.get("wall_s").get(i).asDouble();
                }
                runs.add(new Run(n.get("optimizer").asText(), n.get("lr").asDouble(), n.get("seed").asLong(), s, l, w));
            }
        } catch (IOException e) {
            throw new BadInputException("cannot read " + file + ": " + e.getMessage());
        }
        return runs;
    }

    /** First (interpolated) step and wall time at which the curve reaches {@code target}; NaN if never. */
    static double[] reach(Run r, double target) {
        for (int i = 0; i < r.loss().length; i++) {
            if (r.loss()[i] <= target) {
                if (i == 0) return new double[] {r.steps()[0], r.wall()[0]};
                double f = (r.loss()[i - 1] - target) / (r.loss()[i - 1] - r.loss()[i]);
                return new double[] {r.steps()[i - 1] + f * (r.steps()[i] - r.steps()[i - 1]), r.wall()[i - 1] + f * (r.wall()[i] - r.wall()[i - 1])};
            }
        }
        return new double[] {Double.NaN, Double.NaN};
    }

    /**
     * Steps and seconds to the loss every run reaches (the highest final loss of all runs at the chosen rates), relative
     * to SUMO: the analogue of the paper's "same accuracy in about 1.6x fewer steps".
     */
    private void reachTable(ExperimentOutput o, Map<String, List<Run>> bySeed, Map<String, double[]> stats) {
        double common = bySeed.values().stream().flatMap(List::stream).mapToDouble(Run::finalLoss).filter(Double::isFinite).max().orElse(Double.NaN);
        o.results.put("common_target_loss", common);
        Map<String, double[]> mean = new LinkedHashMap<>();
        for (var e : bySeed.entrySet()) {
            double steps = 0, secs = 0;
            int n = 0;
            for (Run r : e.getValue()) {
                double[] at = reach(r, common);
                if (Double.isFinite(at[0])) {
                    steps += at[0];
                    secs += at[1];
                    n++;
                }
            }
            mean.put(e.getKey(), new double[] {n == 0 ? Double.NaN : steps / n, n == 0 ? Double.NaN : secs / n, n, e.getValue().size()});
        }
        double sumoSteps = mean.containsKey("sumo") ? mean.get("sumo")[0] : Double.NaN;
        List<List<String>> rows = new ArrayList<>();
        ArrayNode json = o.results.putArray("common_target");
        for (var e : mean.entrySet()) {
            double[] m = e.getValue();
            json.addObject().put("optimizer", e.getKey()).put("steps", m[0]).put("seconds", m[1]).put("reached", (int) m[2]);
            rows.add(ExperimentOutput.row(e.getKey(), (int) m[2] + "/" + (int) m[3], m[0], m[1], m[0] / sumoSteps));
        }
        o.table(String.format(Locale.ROOT, "Steps to the loss every run reaches (%.4f, the highest final loss of all runs); interpolated between evaluations", common),
                List.of("optimizer", "reached", "steps (mean)", "seconds (mean)", "steps / SUMO's steps"), rows);
    }

    private void report(ExperimentOutput o, List<Run> done, Map<String, double[]> rates, Map<String, Double> chosen) {
        List<List<String>> gridRows = new ArrayList<>();
        for (var e : rates.entrySet()) {
            for (double lr : e.getValue()) {
                for (Run r : done) {
                    if (r.optimizer().equals(e.getKey()) && r.lr() == lr && r.seed() == seeds[0] && r.steps()[r.steps().length - 1] == steps) {
                        gridRows.add(ExperimentOutput.row(e.getKey(), lr, r.finalLoss(), lr == chosen.get(e.getKey()) ? "chosen" : ""));
                    }
                }
            }
        }
        o.table("Stage 1: learning-rate grid, seed " + seeds[0] + ", final validation loss", List.of("optimizer", "lr", "final val loss", ""), gridRows);

        Map<String, List<Run>> bySeed = new LinkedHashMap<>();
        for (var e : chosen.entrySet()) {
            List<Run> rs = new ArrayList<>();
            for (long s : seeds) {
                for (Run r : done) {
                    if (r.optimizer().equals(e.getKey()) && r.lr() == e.getValue() && r.seed() == s && r.steps()[r.steps().length - 1] == steps) rs.add(r);
                }
            }
            bySeed.put(e.getKey(), rs);
        }
        Map<String, double[]> stats = new LinkedHashMap<>();
        for (var e : bySeed.entrySet()) {
            double[] f = e.getValue().stream().mapToDouble(Run::finalLoss).toArray();
            double mean = java.util.Arrays.stream(f).average().orElse(Double.NaN);
            double sd = f.length < 2 ? 0 : Math.sqrt(java.util.Arrays.stream(f).map(v -> (v - mean) * (v - mean)).sum() / (f.length - 1));
            stats.put(e.getKey(), new double[] {mean, sd});
        }
        double goal;
        if (target != null) goal = target;
        else if (stats.containsKey("adamw")) goal = stats.get("adamw")[0];
        else goal = stats.values().stream().mapToDouble(v -> v[0]).filter(Double::isFinite).max().orElse(Double.NaN);
        o.results.put("target_loss", goal);
        List<List<String>> rows = new ArrayList<>();
        ArrayNode summary = o.results.putArray("summary");
        for (var e : bySeed.entrySet()) {
            double[] s = stats.get(e.getKey());
            double stepSum = 0, wallSum = 0;
            int reached = 0;
            StringBuilder finals = new StringBuilder();
            ObjectNode n = summary.addObject().put("optimizer", e.getKey()).put("lr", chosen.get(e.getKey())).put("mean_final", s[0]).put("sd_final", s[1]);
            ArrayNode per = n.putArray("runs");
            for (Run r : e.getValue()) {
                double[] at = reach(r, goal);
                if (Double.isFinite(at[0])) {
                    stepSum += at[0];
                    wallSum += at[1];
                    reached++;
                }
                finals.append(finals.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", r.finalLoss()));
                per.addObject().put("seed", r.seed()).put("final", r.finalLoss()).put("steps_to_target", at[0]).put("wall_to_target", at[1])
                   .put("wall_total", r.wall()[r.wall().length - 1]);
            }
            double meanWall = e.getValue().stream().mapToDouble(r -> r.wall()[r.wall().length - 1]).average().orElse(Double.NaN);
            rows.add(ExperimentOutput.row(e.getKey(), chosen.get(e.getKey()), e.getValue().size(), String.format(Locale.ROOT, "%.4f ± %.4f", s[0], s[1]),
                    finals.toString(), Math.exp(s[0]), reached + "/" + e.getValue().size(),
                    reached == 0 ? Double.NaN : stepSum / reached, reached == 0 ? Double.NaN : wallSum / reached, meanWall));
        }
        o.table(String.format(Locale.ROOT, "Stage 2: chosen rate on every seed; target loss %.4f", goal),
                List.of("optimizer", "lr", "seeds", "final val loss (mean ± sd)", "per seed", "perplexity", "reached target", "steps to target (mean)", "seconds to target (mean)", "run seconds (mean)"),
                rows);
        reachTable(o, bySeed, stats);
        if (stats.containsKey("sumo")) {
            double[] sumo = stats.get("sumo");
            StringBuilder text = new StringBuilder("SUMO vs the baselines (final validation loss, mean over seeds; negative favours SUMO):");
            for (var e : stats.entrySet()) {
                if (e.getKey().equals("sumo")) continue;
                double diff = sumo[0] - e.getValue()[0];
                double se = Math.sqrt((sumo[1] * sumo[1] + e.getValue()[1] * e.getValue()[1]) / Math.max(1, seeds.length));
                text.append(String.format(Locale.ROOT, " %s %+.4f (±%.4f);", e.getKey(), diff, se));
            }
            o.note(text.toString());
        }

        Plot bySteps = new Plot("E3: validation loss (mean over seeds)", "step", "validation loss");
        Plot byWall = new Plot("E3: validation loss (mean over seeds)", "wall-clock seconds", "validation loss");
        for (var e : bySeed.entrySet()) {
            List<Run> rs = e.getValue();
            if (rs.isEmpty() || rs.stream().anyMatch(r -> r.loss().length != rs.get(0).loss().length)) continue;
            int k = rs.get(0).loss().length;
            double[] x = new double[k], y = new double[k], w = new double[k];
            for (int i = 0; i < k; i++) {
                x[i] = rs.get(0).steps()[i];
                for (Run r : rs) {
                    y[i] += r.loss()[i] / rs.size();
                    w[i] += r.wall()[i] / rs.size();
                }
            }
            bySteps.line(e.getKey() + " lr " + ExperimentOutput.fmt(chosen.get(e.getKey())), x, y);
            byWall.line(e.getKey(), w, y);
        }
        o.plot(bySteps, "val_loss_vs_steps.png");
        o.plot(byWall, "val_loss_vs_wall.png");
    }
}
