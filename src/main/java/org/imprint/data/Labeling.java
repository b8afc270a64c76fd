package org.imprint.data;

import java.util.Arrays;
import java.util.Locale;
import org.imprint.io.BadInputException;

/**
 * How the ten source classes of an image dataset become training classes. {@code target[c]} is the class id
 * given to source class c, or −1 if c is left out; ids run 0..numClasses−1.
 *
 * <ul>
 *   <li>{@code identity}: the ten classes as they are.
 *   <li>{@code odd-even} (MNIST, as Haim et al. 2022): odd digit → 1, even digit → 0.
 *   <li>{@code upper-body} (Fashion-MNIST, balanced 5 vs 5): upper-body garments {0 T-shirt/top,
 *       2 Pullover, 3 Dress, 4 Coat, 6 Shirt} → 0; the rest {1 Trouser, 5 Sandal, 7 Sneaker, 8 Bag,
 *       9 Ankle boot} → 1.
 *   <li>{@code classes:a,b,…}: only the listed source classes, relabelled 0, 1, … in the order listed
 *       (e.g. {@code classes:3,5} makes 3 → 0 and 5 → 1).
 * </ul>
 */
public record Labeling(String name, int[] target, int numClasses) {
    public static final int SOURCE_CLASSES = 10;

    public static Labeling identity() {
        int[] t = new int[SOURCE_CLASSES];
        for (int c = 0; c < t.length; c++) t[c] = c;
        return new Labeling("identity", t, SOURCE_CLASSES);
    }

    /** MNIST odd/even: odd digits are class 1, even digits class 0. */
    public static Labeling oddEven() {
        int[] t = new int[SOURCE_CLASSES];
        for (int c = 0; c < t.length; c++) t[c] = c % 2;
        return new Labeling("odd-even", t, 2);
    }

    /** Fashion-MNIST: upper-body garments {0, 2, 3, 4, 6} are class 0; {1, 5, 7, 8, 9} class 1. */
    public static Labeling upperBody() {
        return new Labeling("upper-body", new int[] {0, 1, 0, 0, 0, 1, 0, 1, 1, 1}, 2);
    }

    /** Only the listed source classes, relabelled 0..C−1 in the order given. */
    public static Labeling classes(int... sourceClasses) {
        if (sourceClasses.length < 2) throw new BadInputException("a class subset needs at least 2 classes, got " + Arrays.toString(sourceClasses));
        int[] t = new int[SOURCE_CLASSES];
        Arrays.fill(t, -1);
        StringBuilder name = new StringBuilder("classes:");
        for (int k = 0; k < sourceClasses.length; k++) {
            int c = sourceClasses[k];
            if (c < 0 || c >= SOURCE_CLASSES) throw new BadInputException("class " + c + " is not one of 0..9");
            if (t[c] >= 0) throw new BadInputException("class " + c + " is listed twice in " + Arrays.toString(sourceClasses));
            t[c] = k;
            name.append(k > 0 ? "," : "").append(c);
        }
        return new Labeling(name.toString(), t, sourceClasses.length);
    }

    /**
     * Parses {@code identity}, {@code odd-even}, {@code upper-body} or {@code classes:a,b,…} for a dataset
     * ({@code mnist} or {@code fashion-mnist}); odd-even is MNIST's and upper-body Fashion-MNIST's.
     */
    public static Labeling parse(String spec, ImageDatasets.Source source) {
        String s = spec.strip().toLowerCase(Locale.ROOT);
        if (s.equals("identity")) return identity();
        if (s.equals("odd-even")) {
            if (source != ImageDatasets.Source.MNIST) throw new BadInputException("labeling 'odd-even' is for mnist; " + offers(source));
            return oddEven();
        }
        if (s.equals("upper-body")) {
            if (source != ImageDatasets.Source.FASHION_MNIST) throw new BadInputException("labeling 'upper-body' is for fashion-mnist; " + offers(source));
            return upperBody();
        }
        if (s.startsWith("classes:")) {
            String[] parts = s.substring("classes:".length()).split(",");
            int[] cs = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    cs[i] = Integer.parseInt(parts[i].strip());
                } catch (NumberFormatException e) {
                    throw new BadInputException("bad class '" + parts[i].strip() + "' in labeling '" + spec + "'");
                }
            }
            return classes(cs);
        }
        throw new BadInputException("unknown labeling '" + spec + "'; " + offers(source));
    }

    private static String offers(ImageDatasets.Source source) {
        return source.id + " offers identity, " + (source == ImageDatasets.Source.MNIST ? "odd-even" : "upper-body") + ", classes:a,b,...";
    }

    /** The class id of a source class, −1 if it is left out. */
    public int apply(int sourceClass) {
        return sourceClass >= 0 && sourceClass < target.length ? target[sourceClass] : -1;
    }
}
