package org.imprint.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.imprint.data.ImageDatasets;
import org.imprint.io.BadInputException;
import org.imprint.io.Safetensors;
import org.imprint.io.SafetensorsFile;
import org.imprint.kernels.Blas;
import org.imprint.models.llama.Llama;
import org.imprint.models.llama.LlamaConfig;
import org.imprint.models.llama.LmTrainer;
import org.imprint.models.llama.TextCorpus;
import org.imprint.optim.Optimizer;
import org.imprint.optim.Optimizers;
import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;
import org.imprint.train.Schedule;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code imprint lm}: trains the small LLaMA-style byte-level language model on a text corpus, into a run folder. */
@Command(
        name = "lm",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Trains a small LLaMA-style decoder (RMSNorm, rotary causal attention, SwiGLU, byte vocabulary) on a text",
            "corpus (default: tinyshakespeare, 90/10 train/validation split) and writes a run folder: config.json,",
            "train.jsonl (validation loss every --eval-every steps), checkpoint.safetensors, model.safetensors.",
            "Matrix optimizers (muon, galore, sumo, sumo-ns5) update the blocks' weight matrices; the embedding,",
            "output head and norms use AdamW at --adam-lr."},
        footer = {"", "Example: imprint lm --optimizer sumo --lr 0.02 --opt rank=16 --opt update_gap=50 --steps 2000 --out runs/lm-sumo",
                  "Resume an interrupted run: imprint lm --resume runs/lm-sumo"})
public final class LmCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    LlamaSizeOptions size = new LlamaSizeOptions();

    @Option(names = "--optimizer", defaultValue = "adamw", description = "sgd, adam, adamw, muon, galore, sumo, sumo-ns5. Default: ${DEFAULT-VALUE}.")
    String optimizer;

    @Option(names = "--lr", description = "Peak learning rate (default: the best of E3's grid at the default sizes: 3e-3 for adam/adamw, 0.01 for muon, sumo and sumo-ns5, 0.03 for galore; 0.1 for sgd).")
    Double lr;

    @Option(names = "--adam-lr", defaultValue = "3e-3", description = "AdamW rate of the embedding, head and norms under a matrix optimizer. Default: ${DEFAULT-VALUE}.")
    double adamLr;

    @Option(names = "--opt", description = "Optimizer hyperparameter KEY=VALUE (repeatable), e.g. rank=16, update_gap=50, weight_decay=0.1.")
    Map<String, String> optimizerOptions = new LinkedHashMap<>();

    @Option(names = "--schedule", description = "constant, cosine:WARMUP or step:EVERY:GAMMA over steps (default: cosine with 10%% warm-up).")
    String schedule;

    @Option(names = "--steps", defaultValue = "1000", description = "Training steps. Default: ${DEFAULT-VALUE}.")
    long steps;

    @Option(names = "--batch", defaultValue = "16", description = "Sequences per step. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--context", defaultValue = "64", description = "Sequence length T. Default: ${DEFAULT-VALUE}.")
    int context;

    @Option(names = "--dtype", defaultValue = "f32", description = "f32 or f64. Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Option(names = "--text", description = "Text corpus (default: data/tinyshakespeare/input.txt).")
    Path text;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the initialisation and the batches. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--eval-every", defaultValue = "100", description = "Evaluate the validation loss every this many steps. Default: ${DEFAULT-VALUE}.")
    long evalEvery;

    @Option(names = "--eval-windows", defaultValue = "64", description = "Validation windows of --context bytes (fixed, evenly spaced). Default: ${DEFAULT-VALUE}.")
    int evalWindows;

    @Option(names = "--checkpoint-every", defaultValue = "100", description = "Write the resumable checkpoint every this many steps. Default: ${DEFAULT-VALUE}.")
    long checkpointEvery;

    @Option(names = "--out", description = "Run folder (default: runs/lm-<optimizer>-<time>).")
    Path out;

    @Option(names = "--resume", description = "Continue the run in this folder from its last checkpoint (other options come from its config; --steps may raise the budget, which changes a cosine schedule's shape).")
    Path resume;

    @Mixin
    ThreadsOption threadsOption = new ThreadsOption();

    static final String CONFIG = "config.json", LOG = "train.jsonl", CHECKPOINT = "checkpoint.safetensors", MODEL = "model.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        threadsOption.apply();
        if (resume != null) return resumeRun(err);
        return execute(false, err);
    }

    /** The default peak learning rate of an optimizer: the best of E3's grid (seed 0, 600 steps) at the default sizes. */
    static double defaultLr(String optimizer) {
        return switch (optimizer.toLowerCase(Locale.ROOT)) {
            case "adam", "adamw" -> 3e-3;
            case "muon", "sumo", "sumo-ns5" -> 0.01;
            case "galore" -> 0.03;
            default -> 0.1;
        };
    }

    /** The model shape these options describe. */
    LlamaConfig modelConfig() {
        return size.config(context);
    }

    /** The optimizer for a model, with the composite's AdamW rate passed unless given in --opt. */
    static Optimizer buildOptimizer(String name, Llama model, double lr, double adamLr, Map<String, String> options) {
        Map<String, String> o = new LinkedHashMap<>(options);
        if (Optimizers.isMatrixOptimizer(name)) o.putIfAbsent("adam_lr", Double.toString(adamLr));
        try {
            return Optimizers.create(name, model.hiddenMatrices(), model.otherParameters(), lr, o);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--optimizer " + name + ": " + e.getMessage());
        }
    }

    static DType parseDType(String s) {
        return TrainCommand.parseDType(s);
    }

    private int resumeRun(PrintWriter err) {
        Path configFile = resume.resolve(CONFIG);
        if (!Files.isRegularFile(configFile)) throw new BadInputException(resume + " is not an lm run folder: it has no " + CONFIG);
        ObjectNode config;
        try {
            config = (ObjectNode) JSON.readTree(configFile.toFile());
        } catch (IOException | ClassCastException e) {
            throw new BadInputException(configFile + " is not a valid run config: " + e.getMessage());
        }
        List<String> argv = new ArrayList<>();
        config.withArray("argv").forEach(a -> argv.add(a.asText()));
        LmCommand saved = new LmCommand();
        CommandLine cli = new CommandLine(saved);
        try {
            cli.parseArgs(argv.toArray(new String[0]));
        } catch (CommandLine.ParameterException e) {
            throw new BadInputException(configFile + ": its saved arguments no longer parse: " + e.getMessage());
        }
        saved.spec = cli.getCommandSpec();
        saved.out = resume;
        saved.threadsOption = threadsOption;
        if (spec.commandLine().getParseResult().hasMatchedOption("--steps")) saved.steps = steps;
        return saved.execute(true, err);
    }

    private int execute(boolean resuming, PrintWriter err) {
        String name = optimizer.toLowerCase(Locale.ROOT);
        if (!Optimizers.NAMES.contains(name)) throw new BadInputException("unknown --optimizer '" + optimizer + "' (known: " + String.join(", ", Optimizers.NAMES) + ")");
        double peak = lr != null ? lr : defaultLr(name);
        if (!(peak > 0)) throw new BadInputException("--lr must be > 0, got " + peak);
        if (!(adamLr > 0)) throw new BadInputException("--adam-lr must be > 0, got " + adamLr);
        if (batch < 1) throw new BadInputException("--batch must be >= 1, got " + batch);
        if (steps < 1) throw new BadInputException("--steps must be >= 1, got " + steps);
        if (evalEvery < 1) throw new BadInputException("--eval-every must be >= 1, got " + evalEvery);
        if (evalWindows < 1) throw new BadInputException("--eval-windows must be >= 1, got " + evalWindows);
        if (checkpointEvery < 1) throw new BadInputException("--checkpoint-every must be >= 1, got " + checkpointEvery);
        Schedule sched = Schedule.parse(schedule != null ? schedule : "cosine:" + Math.max(1, steps / 10));
        LlamaConfig mc = modelConfig();
        DType type = parseDType(dtype);
        Path corpusFile = text != null ? text : ImageDatasets.defaultDataRoot().resolve("tinyshakespeare").resolve("input.txt");
        TextCorpus corpus = TextCorpus.read(corpusFile);
        if (out == null) {
            out = Path.of("runs", "lm-" + name + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }
        if (!resuming && Files.exists(out.resolve(CONFIG))) {
            throw new BadInputException(out + " already holds a run (" + CONFIG + "); use --resume " + out + " to continue it, or choose another --out");
        }

        Llama model;
        Optimizer opt;
        long start = 0;
        double wallBefore = 0, lossSum = 0;
        int lossCount = 0;
        if (resuming) {
            Path ck = out.resolve(CHECKPOINT);
            if (!Files.isRegularFile(ck)) throw new BadInputException("no checkpoint to resume from: " + ck + " does not exist");
            SafetensorsFile f = Safetensors.read(ck);
            Map<String, Tensor> params = new LinkedHashMap<>(), state = new LinkedHashMap<>();
            f.tensors().forEach((k, v) -> {
                if (k.startsWith("model.")) params.put(k.substring(6), v);
                else if (k.startsWith("optim.")) state.put(k.substring(6), v);
            });
            model = Llama.fromTensors(mc, type, params, ck.toString());
            opt = buildOptimizer(name, model, peak, adamLr, optimizerOptions);
            try {
                opt.loadStateDict(state);
                start = Long.parseLong(f.meta("step"));
                wallBefore = Double.parseDouble(f.meta("wall_seconds"));
                lossSum = Double.parseDouble(f.meta("train_loss_sum"));
                lossCount = Integer.parseInt(f.meta("train_loss_count"));
            } catch (IllegalArgumentException e) {
                throw new BadInputException(ck + ": corrupt checkpoint (" + e.getMessage() + ")");
            }
            err.println("imprint: resuming " + out + " at step " + start + " of " + steps);
        } else {
            model = Llama.initialise(mc, type, new Rng(seed));
            opt = buildOptimizer(name, model, peak, adamLr, optimizerOptions);
            writeConfig(mc, name, peak, sched, corpus);
        }
        err.println(String.format(Locale.ROOT, "imprint: lm %s, %d parameters (%d in hidden matrices), %s, %d steps of %d x %d bytes",
                name, mc.parameterCount(), model.hiddenMatrices().stream().mapToLong(Tensor::size).sum(), type, steps, batch, context));

        LmTrainer trainer = new LmTrainer(model, opt, corpus, sched, batch, steps, seed, evalEvery, evalWindows, checkpointEvery);
        trainer.restoreRunningLoss(lossSum, lossCount);
        Progress progress = new Progress(err, "lm", steps, Progress.interactive(), 10);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("imprint.format", "llama");
        meta.put("config", mc.toString());
        Llama trained = model;
        Optimizer optimizerRef = opt;
        double[] lastValidation = {Double.NaN};
        try (BufferedWriter log = openLog(resuming ? start : -1)) {
            trainer.run(start, wallBefore, new LmTrainer.Listener() {
                @Override
                public void onStep(long step, double loss, double wall) {
                    progress.update(step, String.format(Locale.ROOT, "loss %.4f val %.4f", loss, lastValidation[0]));
                }

                @Override
                public void onEval(LmTrainer.Eval e) {
                    lastValidation[0] = e.validationLoss();
                    ObjectNode o = JSON.createObjectNode();
                    o.put("step", e.step());
                    if (!Double.isNaN(e.trainLoss())) o.put("train_loss", e.trainLoss());
                    o.put("val_loss", e.validationLoss());
                    o.put("lr", peak * e.lrFactor());
                    o.put("tokens", e.step() * batch * context);
                    o.put("wall_s", Math.round(e.wallSeconds() * 1000) / 1000.0);
                    try {
                        log.write(o.toString());
                        log.newLine();
                        log.flush();
                    } catch (IOException ex) {
                        throw new BadInputException("cannot append to " + out.resolve(LOG) + ": " + ex.getMessage());
                    }
                }

                @Override
                public void onCheckpoint(long step, double wall) {
                    Map<String, String> m = new LinkedHashMap<>(meta);
                    double[] running = trainer.runningLoss();
                    m.put("train_loss_sum", Double.toString(running[0]));
                    m.put("train_loss_count", Long.toString((long) running[1]));
                    writeCheckpoint(trained, optimizerRef, step, wall, m);
                }
            });
        } catch (IOException e) {
            throw new BadInputException("cannot write " + out.resolve(LOG) + ": " + e.getMessage());
        } catch (IllegalStateException e) {
            throw new BadInputException(e.getMessage());
        }
        progress.finish();
        Safetensors.write(out.resolve(MODEL), model.namedParameters(), meta);
        LmTrainer.Timing t = trainer.timing();
        double tokensPerSecond = t.steps * (double) batch * context / ((t.forwardBackwardNanos + t.optimizerNanos) * 1e-9);
        spec.commandLine().getOut().println(String.format(Locale.ROOT,
                "validation loss %.4f (perplexity %.2f) after %d steps; %.0f tokens/s; forward+backward %.1f ms/step, optimizer %.1f ms/step; run in %s",
                lastValidation[0], Math.exp(lastValidation[0]), steps, tokensPerSecond,
                t.steps == 0 ? 0 : t.forwardBackwardNanos * 1e-6 / t.steps, t.steps == 0 ? 0 : t.optimizerNanos * 1e-6 / t.steps, out));
        return Main.OK;
    }

    private void writeConfig(LlamaConfig mc, String name, double peak, Schedule sched, TextCorpus corpus) {
        ObjectNode c = JSON.createObjectNode();
        c.put("command", "lm");
        var argv = c.putArray("argv");
        // the arguments of this subcommand (what follows "lm"), re-parsed by --resume
        List<String> all = spec.commandLine().getParseResult().originalArgs();
        for (String a : all.subList(all.indexOf(spec.name()) + 1, all.size())) argv.add(a);
        ObjectNode resolved = c.putObject("resolved");
        resolved.put("optimizer", name);
        resolved.put("lr", peak);
        resolved.put("adam_lr", adamLr);
        resolved.put("options", optimizerOptions.toString());
        resolved.put("schedule", sched.spec());
        resolved.put("model", mc.toString());
        resolved.put("parameters", mc.parameterCount());
        resolved.put("dtype", dtype);
        ObjectNode data = c.putObject("data");
        data.put("text", corpus.source().toString());
        data.put("train_bytes", corpus.trainBytes());
        data.put("validation_bytes", corpus.validationBytes());
        data.put("split", "first 90% train, last 10% validation");
        ObjectNode seeds = c.putObject("seeds");
        seeds.put("init", seed);
        seeds.put("batches", seed);
        c.set("provenance", Provenance.json(JSON));
        try {
            Files.createDirectories(out);
            org.imprint.io.AtomicFiles.writeString(out.resolve(CONFIG), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(c) + "\n");
        } catch (IOException e) {
            throw new BadInputException("cannot write " + out.resolve(CONFIG) + ": " + e.getMessage());
        }
    }

    private void writeCheckpoint(Llama model, Optimizer opt, long step, double wall, Map<String, String> meta) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        model.namedParameters().forEach((k, v) -> t.put("model." + k, v));
        opt.stateDict().forEach((k, v) -> t.put("optim." + k, v));
        Map<String, String> m = new LinkedHashMap<>(meta);
        m.put("step", Long.toString(step));
        m.put("wall_seconds", Double.toString(wall));
        Safetensors.write(out.resolve(CHECKPOINT), t, m);
    }

    /** Opens train.jsonl for appending; when resuming at step s, first drops the entries after s. */
    private BufferedWriter openLog(long keepThrough) throws IOException {
        Path p = out.resolve(LOG);
        Files.createDirectories(out);
        if (keepThrough >= 0 && Files.exists(p)) {
            List<String> kept = new ArrayList<>();
            for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                if (line.isBlank()) continue;
                try {
                    if (JSON.readTree(line).get("step").asLong() <= keepThrough) kept.add(line);
                } catch (IOException | NullPointerException e) {
                    break; // a torn last line from an interrupted run
                }
            }
            org.imprint.io.AtomicFiles.writeString(p, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
        }
        return Files.newBufferedWriter(p, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                keepThrough >= 0 ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }
}
