package org.imprint.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.imprint.data.Dataset;
import org.imprint.data.ImageDatasets;
import org.imprint.data.Labeling;
import org.imprint.data.Preprocess;
import org.imprint.data.Synthetic;
import org.imprint.data.UserData;
import org.imprint.io.BadInputException;
import org.imprint.kernels.Blas;
import org.imprint.models.Mlp;
import org.imprint.optim.Optimizer;
import org.imprint.optim.Optimizers;
import org.imprint.optim.Sgd;
import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;
import org.imprint.train.Loss;
import org.imprint.train.RunDirectory;
import org.imprint.train.Schedule;
import org.imprint.train.TrainConfig;
import org.imprint.train.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code imprint train}: trains a victim MLP the way the reconstruction papers do, into a run folder. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Trains a victim MLP (small initialisation, logistic loss, full-batch gradient descent, as Haim et al. 2022)",
            "and writes a run folder: config.json, train.jsonl, data.safetensors, checkpoints, model.safetensors.",
            "Defaults reproduce the papers' MNIST odd/even setup on 50 images per class."},
        footer = {"", "Example: imprint train --per-class 50 --arch 784-1000-1 --epochs 20000 --normalized --out runs/mnist100",
                  "Resume an interrupted run (optionally with a larger budget): imprint train --resume runs/mnist100 [--epochs N]"})
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    // ---------------------------------------------------------------- data
    @Option(names = "--dataset", defaultValue = "mnist", description = "mnist, fashion-mnist, sphere, gmm, univariate, or files (--x/--y). Default: ${DEFAULT-VALUE}.")
    String dataset;

    @Option(names = "--labels", description = "Image labeling: odd-even (mnist default), upper-body (fashion-mnist default), identity, classes:a,b,...")
    String labels;

    @Option(names = "--per-class", defaultValue = "50", description = "Training images per class: the first k of each class in file order. Default: ${DEFAULT-VALUE}.")
    int perClass;

    @Option(names = "--test-per-class", defaultValue = "500", description = "Test images per class from the test split (0: no test set). Default: ${DEFAULT-VALUE}.")
    int testPerClass;

    @Option(names = "--center", negatable = true, description = "Subtract the per-pixel training mean (default: on for images, off otherwise).")
    Boolean center;

    @Option(names = "--n", defaultValue = "100", description = "Synthetic: training points. Default: ${DEFAULT-VALUE}.")
    int n;

    @Option(names = "--test-n", defaultValue = "1000", description = "Synthetic: test points (0: none). Default: ${DEFAULT-VALUE}.")
    int testN;

    @Option(names = "--d", defaultValue = "200", description = "Synthetic: input dimension. Default: ${DEFAULT-VALUE}.")
    int d;

    @Option(names = "--radius", defaultValue = "1", description = "Sphere radius. Default: ${DEFAULT-VALUE}.")
    double radius;

    @Option(names = "--sphere-labels", defaultValue = "first", description = "Sphere labels: first (sign of x1) or parity. Default: ${DEFAULT-VALUE}.")
    String sphereLabels;

    @Option(names = "--mu", defaultValue = "1", description = "Gaussian mixture: means are ±mu·e1. Default: ${DEFAULT-VALUE}.")
    double mu;

    @Option(names = "--k", defaultValue = "3", description = "Univariate: labels sign(sin(k·pi·x/2)). Default: ${DEFAULT-VALUE}.")
    int k;

    @Option(names = "--x", description = "Files: training inputs (.npy or .csv).")
    Path xFile;

    @Option(names = "--y", description = "Files: training labels (.npy or .csv).")
    Path yFile;

    @Option(names = "--test-x", description = "Files: test inputs.")
    Path testXFile;

    @Option(names = "--test-y", description = "Files: test labels.")
    Path testYFile;

    @Option(names = "--data-seed", defaultValue = "0", description = "Seed of synthetic data. Default: ${DEFAULT-VALUE}.")
    long dataSeed;

    // ---------------------------------------------------------------- model
    @Option(names = "--arch", description = "Widths input-hidden...-output, e.g. 784-1000-1000-1 (default: d-1000-1000-1, or C outputs for multiclass).")
    String arch;

    @Option(names = "--bias", defaultValue = "first", description = "Biases: first (homogeneous in θ), all, none. Default: ${DEFAULT-VALUE}.")
    String bias;

    @Option(names = "--init", split = ",", description = "Per layer (one value: all): uniform = PyTorch's U(±1/sqrt(fan_in)) times the scale; normal = N(0, scale²). Default: normal for the first layer, uniform for the others (Haim et al.'s code).")
    String[] init;

    @Option(names = "--init-scale", split = ",", description = "Per-layer multipliers (one value: all layers). Default: 1e-4 for the first layer, 1 for the others (Haim et al.).")
    double[] initScale;

    @Option(names = "--dtype", defaultValue = "f64", description = "f64 or f32. Default: ${DEFAULT-VALUE}.")
    String dtype;

    // ---------------------------------------------------------------- training
    @Option(names = "--loss", description = "logistic, exponential, cross-entropy, mse (default: logistic for one output, cross-entropy otherwise).")
    String loss;

    @Option(names = "--lr", defaultValue = "0.01", description = "Learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--optimizer", defaultValue = "sgd", description = "sgd (plain GD with --momentum 0), adam, adamw, muon, galore, sumo, sumo-ns5; the matrix optimizers get the 2-D weights, AdamW the rest. Default: ${DEFAULT-VALUE}.")
    String optimizerName;

    @Option(names = "--optimizer-option", description = "KEY=VALUE for the optimizer, e.g. rank=16, update_gap=50, betas... (see imprint lm --help).")
    Map<String, String> optimizerOptions;

    @Option(names = "--momentum", defaultValue = "0", description = "SGD momentum (0: plain gradient descent). Default: ${DEFAULT-VALUE}.")
    double momentum;

    @Option(names = "--nesterov", description = "Nesterov momentum.")
    boolean nesterov;

    @Option(names = "--weight-decay", defaultValue = "0", description = "L2 weight decay. Default: ${DEFAULT-VALUE}.")
    double weightDecay;

    @Option(names = "--batch-size", defaultValue = "0", description = "Mini-batch size (0: full batch). Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--schedule", defaultValue = "constant", description = "constant, step:EVERY:GAMMA, cosine:WARMUP. Default: ${DEFAULT-VALUE}.")
    String schedule;

    @Option(names = "--normalized", description = "Normalised GD: step lr/loss, to reach the KKT regime faster.")
    boolean normalized;

    @Option(names = "--epochs", defaultValue = "100000", description = "Epoch budget. Default: ${DEFAULT-VALUE}.")
    long epochs;

    @Option(names = "--loss-threshold", defaultValue = "0", description = "Stop when the training loss is below this (0: off). Default: ${DEFAULT-VALUE}.")
    double lossThreshold;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the initialisation and mini-batch order. Default: ${DEFAULT-VALUE}.")
    long seed;

    // ---------------------------------------------------------------- output
    @Option(names = "--out", description = "Run folder (default: runs/<dataset>-<time>).")
    Path out;

    @Option(names = "--log-every", defaultValue = "100", description = "Log and evaluate every this many epochs. Default: ${DEFAULT-VALUE}.")
    long logEvery;

    @Option(names = "--checkpoints", split = ",", description = "Epochs to keep snapshots of, e.g. 1000,10000,100000.")
    long[] snapshotEpochs;

    @Option(names = "--checkpoint-every", defaultValue = "1000", description = "Write the resumable checkpoint every this many epochs. Default: ${DEFAULT-VALUE}.")
    long checkpointEvery;

    @Option(names = "--resume", description = "Continue the run in this folder from its last checkpoint (other options come from its config; --epochs may raise the budget).")
    Path resume;

    @Mixin
    ThreadsOption threadsOption = new ThreadsOption();

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        threadsOption.apply();
        if (resume != null) return resumeRun(err);
        return execute(null, err);
    }

    /** Re-parses the saved arguments of the run in --resume and continues it. */
    private int resumeRun(PrintWriter err) {
        RunDirectory dir = new RunDirectory(resume);
        ObjectNode config = dir.readConfig();
        List<String> argv = new ArrayList<>();
        config.withArray("argv").forEach(a -> argv.add(a.asText()));
        TrainCommand saved = new TrainCommand();
        CommandLine cli = new CommandLine(saved);
        try {
            cli.parseArgs(argv.toArray(new String[0]));
        } catch (CommandLine.ParameterException e) {
            throw new BadInputException(dir.file(RunDirectory.CONFIG) + ": its saved arguments no longer parse: " + e.getMessage());
        }
        saved.spec = cli.getCommandSpec();
        saved.out = resume;
        if (spec.commandLine().getParseResult().hasMatchedOption("--epochs")) saved.epochs = epochs;
        saved.threadsOption = threadsOption;
        return saved.execute(dir, err);
    }

    private int execute(RunDirectory resumeDir, PrintWriter err) {
        if (out == null) {
            out = Path.of("runs", dataset + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }
        RunDirectory dir = resumeDir != null ? resumeDir : new RunDirectory(out);
        if (resumeDir == null) dir.requireFresh();
        DType type = parseDType(dtype);

        Data data = loadData();
        Dataset train = data.train, test = data.test;
        int outputs = train.numClasses() == 2 ? 1 : train.numClasses();
        int[] widths = arch != null ? Mlp.parseArch(arch) : new int[] {train.d(), 1000, 1000, outputs};
        if (widths[0] != train.d()) throw new BadInputException("--arch starts with " + widths[0] + " inputs but the data has d = " + train.d());
        int outWidth = widths[widths.length - 1];
        if (outWidth != outputs && !(outWidth >= 2 && outWidth == train.numClasses())) {
            throw new BadInputException("--arch ends with " + outWidth + " outputs but the data has " + train.numClasses() + " classes (use 1 output for 2 classes, or C)");
        }
        Loss lossFn = loss != null ? Loss.parse(loss) : (outWidth == 1 ? Loss.LOGISTIC : Loss.CROSS_ENTROPY);
        TrainConfig cfg;
        try {
            cfg = new TrainConfig(lossFn, lr, batchSize, Schedule.parse(schedule), normalized, epochs, lossThreshold, logEvery, seed);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage());
        }
        if (checkpointEvery <= 0) throw new BadInputException("--checkpoint-every must be > 0, got " + checkpointEvery);

        Mlp model;
        long startEpoch = 0;
        double wallBefore = 0;
        Map<String, Tensor> optimizerState = null;
        if (resumeDir != null) {
            RunDirectory.Checkpoint c = dir.readCheckpoint(dir.file(RunDirectory.CHECKPOINT), type);
            model = c.model();
            if (!Arrays.equals(model.widths(), widths)) {
                throw new BadInputException(dir.file(RunDirectory.CHECKPOINT) + " holds a " + model.archString() + " model, but the run's config gives " + Arrays.toString(widths));
            }
            startEpoch = c.epoch();
            wallBefore = c.wallSeconds();
            optimizerState = c.optimizerState();
            err.println("imprint: resuming " + dir.root() + " at epoch " + startEpoch + " of " + epochs);
        } else {
            double[] scales = initScale;
            if (scales == null) {
                scales = new double[widths.length - 1];
                Arrays.fill(scales, 1.0);
                scales[0] = 1e-4;
            }
            Mlp.InitDistribution[] dists;
            if (init == null) {
                dists = new Mlp.InitDistribution[widths.length - 1];
                Arrays.fill(dists, Mlp.InitDistribution.PYTORCH_UNIFORM);
                dists[0] = Mlp.InitDistribution.NORMAL;
            } else {
                dists = new Mlp.InitDistribution[init.length];
                for (int i = 0; i < init.length; i++) dists[i] = parseInit(init[i]);
            }
            model = Mlp.initialise(widths, parseBias(bias), dists, scales, new Rng(seed), type);
        }
        Optimizer optimizer;
        try {
            if (optimizerName.equalsIgnoreCase("sgd")) {
                optimizer = new Sgd(model.parameters(), lr, momentum, 0, weightDecay, nesterov);
            } else {
                if (momentum != 0 || nesterov) throw new BadInputException("--momentum and --nesterov are for --optimizer sgd; use --optimizer-option");
                Map<String, String> o = new LinkedHashMap<>(optimizerOptions == null ? Map.of() : optimizerOptions);
                if (weightDecay != 0) o.putIfAbsent("weight_decay", Double.toString(weightDecay));
                optimizer = Optimizers.create(optimizerName.toLowerCase(Locale.ROOT), model.parameters(), lr, o);
            }
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--optimizer " + optimizerName + ": " + e.getMessage());
        }
        if (optimizerState != null) optimizer.loadStateDict(optimizerState);

        Map<String, String> runMeta = new LinkedHashMap<>();
        runMeta.put("imprint.format", "mlp");
        runMeta.put("arch", model.archString());
        runMeta.put("bias", model.biasString());
        runMeta.put("activation", "relu");
        runMeta.put("dtype", type.name());
        runMeta.put("data", train.description());
        if (resumeDir == null) {
            ObjectNode config = configJson(train, test, data.centered, model, lossFn);
            dir.writeConfig(config);
            StringBuilder shape = new StringBuilder();
            for (int v : train.sampleShape()) shape.append(shape.length() > 0 ? "," : "").append(v);
            dir.writeData(train.x(), train.labels(), train.sourceIndex(), data.mean,
                    Map.of("description", train.description(), "sample_shape", shape.toString(), "classes", Integer.toString(train.numClasses())));
        }
        runMeta.put("config", dir.readConfig().toString());

        TreeSet<Long> snapshots = new TreeSet<>();
        if (snapshotEpochs != null) for (long e : snapshotEpochs) snapshots.add(e);
        Progress progress = new Progress(err, "train", epochs, Progress.interactive(), 10);
        Trainer trainer = new Trainer(model, optimizer, cfg, train.x(), train.labels(),
                test == null ? null : test.x(), test == null ? null : test.labels());
        Trainer.Result result;
        long firstEpoch = startEpoch;
        try (RunDirectory.LogWriter log = dir.openLog(resumeDir != null ? startEpoch : -1)) {
            result = trainer.run(startEpoch, wallBefore, new Trainer.Listener() {
                @Override
                public void onLog(Trainer.LogEntry e) {
                    log.write(e);
                    progress.update(e.epoch(), String.format(Locale.ROOT, "loss %.3e acc %.3f q_min %.3e", e.loss(), e.trainAccuracy(), e.minMargin()));
                }

                @Override
                public boolean wantsCheckpoint(long epoch) {
                    return snapshots.contains(epoch) || (epoch > firstEpoch && epoch % checkpointEvery == 0);
                }

                @Override
                public void onCheckpoint(long epoch, double wall) {
                    if (snapshots.contains(epoch)) dir.writeCheckpoint(dir.snapshot(epoch), model, optimizer, epoch, wall, runMeta);
                    if (epoch > firstEpoch && epoch % checkpointEvery == 0) {
                        dir.writeCheckpoint(dir.file(RunDirectory.CHECKPOINT), model, optimizer, epoch, wall, runMeta);
                    }
                }
            });
        }
        progress.finish();
        Trainer.LogEntry last = result.last();
        // The final state is also the resumable checkpoint, so --resume with a larger --epochs continues it.
        dir.writeCheckpoint(dir.file(RunDirectory.CHECKPOINT), model, optimizer, result.epochs(), last.wallSeconds(), runMeta);
        if (snapshots.contains(result.epochs())) dir.writeCheckpoint(dir.snapshot(result.epochs()), model, optimizer, result.epochs(), last.wallSeconds(), runMeta);
        Map<String, String> modelMeta = new LinkedHashMap<>(runMeta);
        modelMeta.put("epoch", Long.toString(result.epochs()));
        modelMeta.put("loss", Double.toString(last.loss()));
        modelMeta.put("train_acc", Double.toString(last.trainAccuracy()));
        if (!Double.isNaN(last.testAccuracy())) modelMeta.put("test_acc", Double.toString(last.testAccuracy()));
        modelMeta.put("q_min", Double.toString(last.minMargin()));
        modelMeta.put("normalized_margin", Double.toString(last.normalizedMargin()));
        dir.writeModel(model, modelMeta);

        PrintWriter o = spec.commandLine().getOut();
        o.println(String.format(Locale.ROOT, "trained %s on %s (n = %d) for %d epochs in %s%s", model.archString(), train.description(),
                train.n(), result.epochs(), Progress.duration(last.wallSeconds()), " (" + result.stop().description + ")"));
        o.println(String.format(Locale.ROOT, "loss %.4e  train acc %.4f%s  q_min %.4e  normalized margin %.4e  |θ| %.4e",
                last.loss(), last.trainAccuracy(), Double.isNaN(last.testAccuracy()) ? "" : String.format(Locale.ROOT, "  test acc %.4f", last.testAccuracy()),
                last.minMargin(), last.normalizedMargin(), last.parameterNorm()));
        o.println("wrote " + dir.file(RunDirectory.MODEL));
        o.flush();
        return Main.OK;
    }

    private record Data(Dataset train, Dataset test, Tensor mean, boolean centered) {}

    private Data loadData() {
        Dataset train, test = null;
        boolean images = false;
        switch (dataset.toLowerCase(Locale.ROOT)) {
            case "mnist", "fashion-mnist" -> {
                images = true;
                ImageDatasets.Source source = ImageDatasets.Source.parse(dataset);
                Labeling labeling = Labeling.parse(labels != null ? labels : source == ImageDatasets.Source.MNIST ? "odd-even" : "upper-body", source);
                if (perClass <= 0) throw new BadInputException("--per-class must be > 0, got " + perClass);
                train = ImageDatasets.load(source, ImageDatasets.Split.TRAIN, labeling, perClass);
                if (testPerClass > 0) test = ImageDatasets.load(source, ImageDatasets.Split.TEST, labeling, testPerClass);
            }
            case "sphere", "gmm", "univariate" -> {
                Rng rng = new Rng(dataSeed);
                train = synthetic(n, rng);
                if (testN > 0) test = synthetic(testN, rng);
            }
            case "files" -> {
                if (xFile == null || yFile == null) throw new BadInputException("--dataset files needs --x and --y");
                train = UserData.load(xFile, yFile);
                if (testXFile != null || testYFile != null) {
                    if (testXFile == null || testYFile == null) throw new BadInputException("give both --test-x and --test-y");
                    test = UserData.load(testXFile, testYFile);
                    if (test.d() != train.d()) throw new BadInputException("test inputs have d = " + test.d() + ", training inputs d = " + train.d());
                }
            }
            default -> throw new BadInputException("unknown --dataset '" + dataset + "' (mnist, fashion-mnist, sphere, gmm, univariate, files)");
        }
        boolean doCenter = center != null ? center : images;
        if (!doCenter) return new Data(train, test, null, false);
        Preprocess.Centered c = test == null ? Preprocess.subtractMean(train) : Preprocess.subtractMean(train, test);
        return new Data(c.train(), test == null ? null : c.others().get(0), c.mean(), true);
    }

    private Dataset synthetic(int count, Rng rng) {
        return switch (dataset.toLowerCase(Locale.ROOT)) {
            case "sphere" -> Synthetic.sphere(count, d, radius, switch (sphereLabels.toLowerCase(Locale.ROOT)) {
                case "first" -> Synthetic.SphereLabels.FIRST_COORDINATE;
                case "parity" -> Synthetic.SphereLabels.PARITY;
                default -> throw new BadInputException("unknown --sphere-labels '" + sphereLabels + "' (first, parity)");
            }, rng);
            case "gmm" -> Synthetic.gaussianMixture(count, d, mu, rng);
            default -> Synthetic.univariate(count, k, rng);
        };
    }

    private ObjectNode configJson(Dataset train, Dataset test, boolean centered, Mlp model, Loss lossFn) {
        ObjectNode c = JSON.createObjectNode();
        c.put("command", "train");
        ArrayNode argv = c.putArray("argv");
        // The arguments of this subcommand (what follows "train"), re-parsed by --resume.
        List<String> all = spec.commandLine().getParseResult().originalArgs();
        int from = all.indexOf(spec.name());
        for (String a : all.subList(from + 1, all.size())) argv.add(a);
        ObjectNode opts = c.putObject("options");
        for (OptionSpec o : spec.options()) {
            if (o.usageHelp() || o.versionHelp()) continue;
            Object v = o.getValue();
            String key = o.longestName().replaceFirst("^--", "");
            if (v == null) opts.putNull(key);
            else if (v instanceof double[] a) opts.put(key, Arrays.toString(a));
            else if (v instanceof long[] a) opts.put(key, Arrays.toString(a));
            else if (v instanceof Object[] a) opts.put(key, Arrays.toString(a));
            else opts.put(key, v.toString());
        }
        ObjectNode resolved = c.putObject("resolved");
        resolved.put("arch", model.archString());
        resolved.put("bias", model.biasString());
        resolved.put("loss", lossFn.name().toLowerCase(Locale.ROOT));
        resolved.put("parameters", model.parameterCount());
        resolved.put("out", out.toString());
        ObjectNode data = c.putObject("data");
        data.put("train", train.description());
        data.put("n", train.n());
        data.put("d", train.d());
        data.put("classes", train.numClasses());
        data.put("class_counts", Arrays.toString(train.classCounts()));
        data.put("centered", centered);
        if (test != null) {
            data.put("test", test.description());
            data.put("test_n", test.n());
        }
        ObjectNode seeds = c.putObject("seeds");
        seeds.put("init", seed);
        seeds.put("batches", seed);
        seeds.put("data", dataSeed);
        c.set("provenance", Provenance.json(JSON));
        return c;
    }

    static DType parseDType(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "f64", "float64", "double" -> DType.F64;
            case "f32", "float32", "float" -> DType.F32;
            default -> throw new BadInputException("unknown --dtype '" + s + "' (f64, f32)");
        };
    }

    private static Mlp.BiasMode parseBias(String s) {
        try {
            return Mlp.BiasMode.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("unknown --bias '" + s + "' (first, all, none)");
        }
    }

    private static Mlp.InitDistribution parseInit(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "uniform", "pytorch" -> Mlp.InitDistribution.PYTORCH_UNIFORM;
            case "normal" -> Mlp.InitDistribution.NORMAL;
            default -> throw new BadInputException("unknown --init '" + s + "' (uniform, normal)");
        };
    }
}
