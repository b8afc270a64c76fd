package org.imprint.data;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.imprint.io.BadInputException;
import org.imprint.io.Idx;
import org.imprint.tensor.Tensor;

/**
 * MNIST and Fashion-MNIST from the gzip IDX files under a data root ({@code <root>/mnist/…},
 * {@code <root>/fashion-mnist/…}; plain uncompressed files without {@code .gz} are used if present instead).
 *
 * <p>Selection follows Haim et al. (2022): the split is scanned in file order and an example is kept while
 * its class (after the {@link Labeling}) has fewer than {@code perClass} kept examples; scanning stops when
 * every class is full. So the subset is, for each class, its first {@code perClass} occurrences, listed in
 * file order; {@link Dataset#sourceIndex()} holds the file positions (strictly increasing).
 * {@code perClass = } {@link #ALL} keeps every example of the included classes.
 *
 * <p>Pixels are scaled to [0, 1] as float64: x = byte / 255. Rows are images flattened row-major
 * (sample shape {28, 28}).
 */
public final class ImageDatasets {
    private ImageDatasets() {}

    /** {@code perClass} value that keeps every example of the selected classes. */
    public static final int ALL = 0;

    /** Environment variable that overrides the default data root. */
    public static final String DATA_ENV = "IMPRINT_DATA";

    public enum Source {
        MNIST("mnist"),
        FASHION_MNIST("fashion-mnist");

        /** The folder name and command-line name. */
        public final String id;

        Source(String id) {
            this.id = id;
        }

        public static Source parse(String name) {
            String s = name.strip().toLowerCase(Locale.ROOT);
            for (Source v : values()) if (v.id.equals(s) || v.name().equalsIgnoreCase(s)) return v;
            throw new BadInputException("unknown dataset '" + name + "' (known: mnist, fashion-mnist)");
        }
    }

    public enum Split {
        TRAIN("train"),
        TEST("t10k");

        /** The IDX file prefix. */
        public final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }

        public static Split parse(String name) {
            return switch (name.strip().toLowerCase(Locale.ROOT)) {
                case "train" -> TRAIN;
                case "test", "t10k" -> TEST;
                default -> throw new BadInputException("unknown split '" + name + "' (known: train, test)");
            };
        }
    }

    /**
     * The default data root: {@code $IMPRINT_DATA} if set; else {@code ./data} if it is a folder; else
     * {@code data/} beside the build's {@code target/} folder when running from {@code target/imprint.jar}
     * or {@code target/classes}; else {@code ./data} (which then produces a "not found" error naming it).
     */
    public static Path defaultDataRoot() {
        String env = System.getenv(DATA_ENV);
        if (env != null && !env.isBlank()) return Path.of(env);
        Path cwd = Path.of("data");
        if (Files.isDirectory(cwd)) return cwd;
        try {
            Path code = Path.of(ImageDatasets.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path target = code.getParent(); // target/imprint.jar → target; target/classes → target
            if (target != null && target.getFileName() != null && target.getFileName().toString().equals("target")) {
                Path repoData = target.resolveSibling("data");
                if (Files.isDirectory(repoData)) return repoData;
            }
        } catch (URISyntaxException | SecurityException | NullPointerException | IllegalArgumentException e) {
            // no usable code location: fall through to ./data
        }
        return cwd;
    }

    /** Loads from the {@link #defaultDataRoot()}. */
    public static Dataset load(Source source, Split split, Labeling labeling, int perClass) {
        return load(defaultDataRoot(), source, split, labeling, perClass);
    }

    /**
     * Loads the first {@code perClass} examples of each class of {@code labeling} (or all, for {@link #ALL})
     * from a split, in file order. A class with fewer than {@code perClass} examples in the split is an error.
     */
    public static Dataset load(Path root, Source source, Split split, Labeling labeling, int perClass) {
        if (perClass < 0) throw new BadInputException("examples per class must be positive, got " + perClass);
        Idx.Labels labels = Idx.readLabels(file(root, source, split, "labels-idx1-ubyte"));
        int[] keep = firstPerClass(labels.labels(), labeling, perClass, source.id + " " + split.name().toLowerCase(Locale.ROOT));
        Idx.Images images = Idx.readImages(file(root, source, split, "images-idx3-ubyte"));
        if (images.count() != labels.count()) {
            throw new BadInputException(source.id + " " + split.prefix + ": " + images.count() + " images but "
                    + labels.count() + " labels in " + root.resolve(source.id));
        }
        int d = images.rows() * images.cols();
        byte[] px = images.pixels();
        double[] x = new double[keep.length * d];
        int[] y = new int[keep.length];
        for (int k = 0; k < keep.length; k++) {
            int base = keep[k] * d;
            for (int j = 0; j < d; j++) x[k * d + j] = (px[base + j] & 0xff) / 255.0;
            y[k] = labeling.apply(labels.labels()[keep[k]]);
        }
        String desc = source.id + " " + split.name().toLowerCase(Locale.ROOT) + ", labeling " + labeling.name()
                + (perClass == ALL ? ", all examples" : ", first " + perClass + " per class");
        return new Dataset(Tensor.of(x, keep.length, d), y, labeling.numClasses(),
                new int[] {images.rows(), images.cols()}, keep, desc);
    }

    /**
     * The file positions kept by the first-k-per-class scan over {@code sourceLabels} (strictly increasing).
     * Source labels outside 0..9 are an error; classes the labeling leaves out are skipped.
     */
    public static int[] firstPerClass(int[] sourceLabels, Labeling labeling, int perClass, String what) {
        int c = labeling.numClasses();
        int[] counts = new int[c];
        int[] keep = new int[perClass == ALL ? sourceLabels.length : Math.min(sourceLabels.length, perClass * c)];
        int kept = 0, full = 0;
        for (int i = 0; i < sourceLabels.length && (perClass == ALL || full < c); i++) {
            int s = sourceLabels[i];
            if (s < 0 || s >= Labeling.SOURCE_CLASSES) throw new BadInputException(what + ": label " + s + " at index " + i + " is not 0..9");
            int t = labeling.apply(s);
            if (t < 0 || (perClass != ALL && counts[t] >= perClass)) continue;
            counts[t]++;
            if (perClass != ALL && counts[t] == perClass) full++;
            keep[kept++] = i;
        }
        if (perClass != ALL && full < c) {
            throw new BadInputException(what + " has only " + Arrays.toString(counts) + " examples of classes 0.."
                    + (c - 1) + " under labeling " + labeling.name() + ", fewer than the " + perClass + " per class asked for");
        }
        return Arrays.copyOf(keep, kept);
    }

    /** The IDX file of a split, {@code .gz} preferred; a missing file is an error naming the path and the override. */
    static Path file(Path root, Source source, Split split, String kind) {
        Path dir = root.resolve(source.id);
        Path gz = dir.resolve(split.prefix + "-" + kind + ".gz");
        if (Files.isRegularFile(gz)) return gz;
        Path plain = dir.resolve(split.prefix + "-" + kind);
        if (Files.isRegularFile(plain)) return plain;
        throw new BadInputException("cannot find " + source.id + " data: " + gz + " does not exist (set the data folder with $"
                + DATA_ENV + " or the command's data option)");
    }
}
