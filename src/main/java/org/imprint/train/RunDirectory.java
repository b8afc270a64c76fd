package org.imprint.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.imprint.io.AtomicFiles;
import org.imprint.io.BadInputException;
import org.imprint.io.Safetensors;
import org.imprint.io.SafetensorsFile;
import org.imprint.models.Mlp;
import org.imprint.optim.Optimizer;
import org.imprint.tensor.DType;
import org.imprint.tensor.Tensor;

/**
 * The folder of one training run and everything in it, each file written atomically:
 * <pre>
 *   config.json                 the full configuration, seeds and versions (written first)
 *   train.jsonl                 one {@link Trainer.LogEntry} per line
 *   data.safetensors            the training set as trained on (mean-subtracted x, labels, source indices, mean)
 *   checkpoint.safetensors      the latest state (parameters, optimizer state, epoch): what --resume reads
 *   checkpoints/epoch-E.safetensors   snapshots at the requested epochs
 *   model.safetensors           the final parameters, PyTorch state-dict names, metadata describing the run
 * </pre>
 */
public final class RunDirectory {
    public static final String CONFIG = "config.json", LOG = "train.jsonl", DATA = "data.safetensors",
            CHECKPOINT = "checkpoint.safetensors", MODEL = "model.safetensors", SNAPSHOTS = "checkpoints";

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path root;

    public RunDirectory(Path root) {
        this.root = root;
    }

    public Path root() { return root; }

    public Path file(String name) { return root.resolve(name); }

    public boolean hasConfig() { return Files.isRegularFile(file(CONFIG)); }

    /** Refuses to start a new run over an existing one, so nothing already written is lost. */
    public void requireFresh() {
        if (hasConfig()) {
            throw new BadInputException(root + " already holds a run (" + CONFIG + "); use --resume " + root
                    + " to continue it, or choose another --out");
        }
    }

    public void writeConfig(ObjectNode config) {
        try {
            AtomicFiles.writeString(file(CONFIG), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public ObjectNode readConfig() {
        Path p = file(CONFIG);
        if (!Files.isRegularFile(p)) throw new BadInputException(root + " is not a run folder: it has no " + CONFIG);
        try {
            return (ObjectNode) JSON.readTree(p.toFile());
        } catch (IOException | ClassCastException e) {
            throw new BadInputException(p + " is not a valid run config: " + e.getMessage());
        }
    }

    /** Saves the training data as trained on, and the per-pixel mean that was subtracted (may be null). */
    public void writeData(Tensor x, int[] labels, int[] sourceIndex, Tensor mean, Map<String, String> metadata) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("x", x.to(DType.F64));
        t.put("labels", intsAsTensor(labels));
        if (sourceIndex != null) t.put("source_index", intsAsTensor(sourceIndex));
        if (mean != null) t.put("mean", mean.to(DType.F64));
        Safetensors.write(file(DATA), t, metadata);
    }

    private static Tensor intsAsTensor(int[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return Tensor.of(d, v.length);
    }

    /** The (possibly absent) path of the snapshot at an epoch. */
    public Path snapshot(long epoch) {
        return root.resolve(SNAPSHOTS).resolve(String.format("epoch-%09d.safetensors", epoch));
    }

    /** Writes a checkpoint: parameters as "model.NAME", optimizer state as "optim.NAME", epoch and wall time. */
    public void writeCheckpoint(Path path, Mlp model, Optimizer optimizer, long epoch, double wallSeconds, Map<String, String> metadata) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        model.namedParameters().forEach((k, v) -> t.put("model." + k, v));
        optimizer.stateDict().forEach((k, v) -> t.put("optim." + k, v));
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put("epoch", Long.toString(epoch));
        meta.put("wall_seconds", Double.toString(wallSeconds));
        Safetensors.write(path, t, meta);
    }

    /** A checkpoint read back: the model, the optimizer state to load, the epoch and the wall time so far. */
    public record Checkpoint(Mlp model, Map<String, Tensor> optimizerState, long epoch, double wallSeconds) {}

    public Checkpoint readCheckpoint(Path path, DType dtype) {
        if (!Files.isRegularFile(path)) throw new BadInputException("no checkpoint to resume from: " + path + " does not exist");
        SafetensorsFile f = Safetensors.read(path);
        Map<String, Tensor> params = new LinkedHashMap<>(), optim = new LinkedHashMap<>();
        f.tensors().forEach((k, v) -> {
            if (k.startsWith("model.")) params.put(k.substring(6), v);
            else if (k.startsWith("optim.")) optim.put(k.substring(6), v);
        });
        try {
            return new Checkpoint(Mlp.fromTensors(params, dtype, path.toString()), optim,
                    Long.parseLong(f.meta("epoch")), Double.parseDouble(f.meta("wall_seconds")));
        } catch (NumberFormatException e) {
            throw new BadInputException(path + ": corrupt checkpoint metadata (" + e.getMessage() + ")");
        }
    }

    /** The final model: parameters under their PyTorch names, the run described in the metadata. */
    public void writeModel(Mlp model, Map<String, String> metadata) {
        Safetensors.write(file(MODEL), model.namedParameters(), metadata);
    }

    /** Opens the log for appending; with {@code keepBefore} ≥ 0, first drops entries of epochs ≥ keepBefore (resume). */
    public LogWriter openLog(long keepBefore) {
        Path p = file(LOG);
        try {
            if (keepBefore >= 0 && Files.exists(p)) {
                List<String> kept = new ArrayList<>();
                for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                    if (line.isBlank()) continue;
                    try {
                        if (JSON.readTree(line).get("epoch").asLong() < keepBefore) kept.add(line);
                    } catch (IOException | NullPointerException e) {
                        break; // a torn last line from an interrupted run: drop it and what follows
                    }
                }
                AtomicFiles.writeString(p, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
            }
            Files.createDirectories(root);
            return new LogWriter(Files.newBufferedWriter(p, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    keepBefore >= 0 ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw new BadInputException("cannot write " + p + ": " + e.getMessage());
        }
    }

    /** Appends log entries as JSON lines, flushed one by one. */
    public static final class LogWriter implements AutoCloseable {
        private final BufferedWriter out;

        private LogWriter(BufferedWriter out) {
            this.out = out;
        }

        public void write(Trainer.LogEntry e) {
            ObjectNode o = JSON.createObjectNode();
            o.put("epoch", e.epoch());
            o.put("loss", e.loss());
            o.put("train_acc", e.trainAccuracy());
            if (!Double.isNaN(e.testAccuracy())) o.put("test_acc", e.testAccuracy());
            o.put("q_min", e.minMargin());
            o.put("normalized_margin", e.normalizedMargin());
            o.put("param_norm", e.parameterNorm());
            o.put("lr", e.lr());
            o.put("wall_s", Math.round(e.wallSeconds() * 1000) / 1000.0);
            try {
                out.write(o.toString());
                out.newLine();
                out.flush();
            } catch (IOException ex) {
                throw new BadInputException("cannot append to the training log: " + ex.getMessage());
            }
        }

        @Override
        public void close() {
            try {
                out.close();
            } catch (IOException e) {
                throw new BadInputException("cannot close the training log: " + e.getMessage());
            }
        }
    }
}
