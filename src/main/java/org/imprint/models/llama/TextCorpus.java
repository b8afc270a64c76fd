package org.imprint.models.llama;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.imprint.io.BadInputException;
import org.imprint.tensor.Rng;

/**
 * A text file as a byte sequence (vocabulary 256), split by position: the first {@code trainFraction} trains,
 * the rest validates (nanoGPT's shakespeare_char split). Training batches are random windows drawn from a seed
 * and the step number alone, so a resumed run sees the same batches; validation uses fixed, evenly spaced
 * windows, the same for every run.
 */
public final class TextCorpus {
    /** Input ids and next-token targets, B·T each, row-major (sequence, position). */
    public record Batch(int[] inputs, int[] targets, int batch, int length) {}

    private final Path source;
    private final byte[] train, validation;

    public TextCorpus(Path source, byte[] bytes, double trainFraction) {
        if (!(trainFraction > 0 && trainFraction < 1)) throw new IllegalArgumentException("train fraction should be in (0, 1) but is: " + trainFraction);
        this.source = source;
        int cut = (int) Math.round(bytes.length * trainFraction);
        this.train = java.util.Arrays.copyOfRange(bytes, 0, cut);
        this.validation = java.util.Arrays.copyOfRange(bytes, cut, bytes.length);
    }

    /** Reads a text file and splits it 90/10. */
    public static TextCorpus read(Path file) {
        try {
            return new TextCorpus(file, Files.readAllBytes(file), 0.9);
        } catch (IOException e) {
            throw new BadInputException("cannot read the text corpus " + file + ": " + e.getMessage());
        }
    }

    public Path source() { return source; }

    public int trainBytes() { return train.length; }

    public int validationBytes() { return validation.length; }

    /** The training batch of {@code step}: B random windows of T + 1 bytes, from (seed, step) only. */
    public Batch trainBatch(long seed, long step, int batch, int length) {
        require(train, length, "training");
        Rng rng = new Rng(seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + 1);
        int[] starts = new int[batch];
        for (int b = 0; b < batch; b++) starts[b] = rng.nextInt(train.length - length);
        return windows(train, starts, length);
    }

    /** The validation windows: {@code count} windows of T + 1 bytes evenly spaced over the validation split. */
    public Batch validationBatch(int count, int length) {
        require(validation, length, "validation");
        int[] starts = new int[count];
        long span = validation.length - length - 1;
        for (int b = 0; b < count; b++) starts[b] = (int) (span * b / Math.max(1, count));
        return windows(validation, starts, length);
    }

    private void require(byte[] split, int length, String which) {
        if (split.length <= length + 1) {
            throw new BadInputException(source + ": the " + which + " split has " + split.length + " bytes, too few for sequences of " + length);
        }
    }

    private static Batch windows(byte[] data, int[] starts, int length) {
        int[] in = new int[starts.length * length], out = new int[starts.length * length];
        for (int b = 0; b < starts.length; b++) {
            for (int i = 0; i < length; i++) {
                in[b * length + i] = data[starts[b] + i] & 0xFF;
                out[b * length + i] = data[starts[b] + i + 1] & 0xFF;
            }
        }
        return new Batch(in, out, starts.length, length);
    }
}
