package org.imprint.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.imprint.io.BadInputException;
import org.imprint.io.Safetensors;
import org.imprint.io.SafetensorsFile;
import org.imprint.models.Mlp;
import org.imprint.tensor.DType;
import org.imprint.tensor.Tensor;

/**
 * A model to audit and, when available, the data it was trained on: a run folder of {@code imprint train}
 * (model.safetensors and data.safetensors), or a safetensors model file (ours or a PyTorch state dict of an
 * MLP) with an optional data file holding "x" (n, d), "labels" (n) and optionally "mean" (d) and
 * "source_index" (n).
 */
public record Victim(Mlp model, Path modelFile, TrainingData data) {
    /** The training set as the model saw it (mean-subtracted if a mean was subtracted). */
    public record TrainingData(Tensor x, int[] labels, int numClasses, double[] mean, int[] sourceIndex, int[] sampleShape, Path file) {
        public int n() { return x.dim(0); }

        public int d() { return x.dim(1); }
    }

    /**
     * Loads from a run folder or a model file. {@code dataFile} overrides the run folder's data (null: the run's
     * own data.safetensors if present; none for a bare model file).
     */
    public static Victim load(Path runOrModel, Path dataFile, DType dtype) {
        Path modelFile;
        if (Files.isDirectory(runOrModel)) {
            modelFile = runOrModel.resolve(RunDirectory.MODEL);
            if (!Files.isRegularFile(modelFile)) {
                throw new BadInputException(runOrModel + " has no " + RunDirectory.MODEL + " (is the training finished? resume it with imprint train --resume)");
            }
            if (dataFile == null && Files.isRegularFile(runOrModel.resolve(RunDirectory.DATA))) dataFile = runOrModel.resolve(RunDirectory.DATA);
        } else if (Files.isRegularFile(runOrModel)) {
            modelFile = runOrModel;
        } else {
            throw new BadInputException("no such model file or run folder: " + runOrModel);
        }
        SafetensorsFile mf = Safetensors.read(modelFile);
        Mlp model = Mlp.fromTensors(mf.tensors(), dtype, modelFile.toString());
        TrainingData data = dataFile == null ? null : readData(dataFile, model);
        return new Victim(model, modelFile, data);
    }

    private static TrainingData readData(Path file, Mlp model) {
        SafetensorsFile f = Safetensors.read(file);
        Tensor x = f.tensor("x");
        if (x.rank() != 2 || x.dim(1) != model.inputs()) {
            throw new BadInputException(file + ": x has shape " + Arrays.toString(x.shape()) + " but the model takes (n, " + model.inputs() + ")");
        }
        int n = x.dim(0);
        int[] labels = ints(f.tensor("labels", n), file, "labels");
        int classes = model.outputs() == 1 ? 2 : model.outputs();
        for (int l : labels) {
            if (l < 0 || l >= classes) throw new BadInputException(file + ": label " + l + " outside 0.." + (classes - 1) + " for a model with " + model.outputs() + " output(s)");
        }
        double[] mean = f.has("mean") ? f.tensor("mean", model.inputs()).toDoubleArray() : new double[model.inputs()];
        int[] source = f.has("source_index") ? ints(f.tensor("source_index", n), file, "source_index") : null;
        int[] shape = parseShape(f.metadata().get("sample_shape"), model.inputs());
        return new TrainingData(x.to(model.dtype()), labels, classes, mean, source, shape, file);
    }

    private static int[] ints(Tensor t, Path file, String name) {
        int[] out = new int[t.size()];
        for (int i = 0; i < out.length; i++) {
            double v = t.getFlat(i);
            if (v != Math.rint(v)) throw new BadInputException(file + ": " + name + "[" + i + "] = " + v + " is not an integer");
            out[i] = (int) v;
        }
        return out;
    }

    /** "28,28" from the metadata; else a square image when d is a perfect square; else (1, d). */
    static int[] parseShape(String meta, int d) {
        if (meta != null && !meta.isBlank()) {
            int[] s = Arrays.stream(meta.split(",")).mapToInt(v -> Integer.parseInt(v.strip())).toArray();
            int prod = 1;
            for (int v : s) prod *= v;
            if (prod == d) return s.length == 1 ? new int[] {1, d} : s;
        }
        int side = (int) Math.round(Math.sqrt(d));
        return side * side == d ? new int[] {side, side} : new int[] {1, d};
    }

    /** A deep copy of the model (for concurrent attack runs). */
    public Mlp copyOfModel() {
        return Mlp.fromTensors(model.namedParameters(), model.dtype(), modelFile.toString());
    }

    /** Margins of the training points under the model (y·f for one output, runner-up margin otherwise). */
    public double[] trainingMargins() {
        if (data == null) throw new BadInputException("no training data: give a run folder or --data");
        try (var ignored = org.imprint.tensor.Autograd.noGrad()) {
            return Loss.margins(model.forward(data.x()), data.labels());
        }
    }
}
