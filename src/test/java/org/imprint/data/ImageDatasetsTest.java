package org.imprint.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.imprint.io.BadInputException;
import org.imprint.io.Idx;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ImageDatasetsTest {
    static final Path DATA = Path.of("data");
    static int[] mnistTrainLabels;

    @BeforeAll
    static void labels() {
        mnistTrainLabels = Idx.readLabels(DATA.resolve("mnist/train-labels-idx1-ubyte.gz")).labels();
    }

    /** Brute force: for each class separately, the first k file positions whose mapped label is that class. */
    static int[] bruteForce(int[] source, Labeling lab, int k) {
        List<Integer> all = new ArrayList<>();
        for (int c = 0; c < lab.numClasses(); c++) {
            int found = 0;
            for (int i = 0; i < source.length && found < k; i++) {
                if (lab.apply(source[i]) == c) {
                    all.add(i);
                    found++;
                }
            }
        }
        return all.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    static void checkSelection(Dataset ds, int[] source, Labeling lab, int k) {
        int[] idx = ds.sourceIndex();
        for (int i = 1; i < idx.length; i++) assertTrue(idx[i] > idx[i - 1], "strictly increasing");
        int[] counts = ds.classCounts();
        for (int c : counts) assertEquals(k, c);
        assertArrayEquals(bruteForce(source, lab, k), idx);
        for (int i = 0; i < idx.length; i++) assertEquals(lab.apply(source[idx[i]]), ds.labels()[i]);
    }

    @Test
    void mnistOddEvenFirstKPerClass() {
        Dataset ds = ImageDatasets.load(DATA, ImageDatasets.Source.MNIST, ImageDatasets.Split.TRAIN, Labeling.oddEven(), 250);
        assertEquals(500, ds.n());
        assertEquals(784, ds.d());
        assertEquals(2, ds.numClasses());
        assertArrayEquals(new int[] {28, 28}, ds.sampleShape());
        checkSelection(ds, mnistTrainLabels, Labeling.oddEven(), 250);
        double[] s = ds.signs();
        for (int i = 0; i < ds.n(); i++) {
            int digit = mnistTrainLabels[ds.sourceIndex()[i]];
            assertEquals(digit % 2 == 1 ? 1 : 0, ds.labels()[i]);
            assertEquals(digit % 2 == 1 ? 1.0 : -1.0, s[i]);
        }
    }

    @Test
    void pixelsAreBytesOver255() {
        Dataset ds = ImageDatasets.load(DATA, ImageDatasets.Source.MNIST, ImageDatasets.Split.TEST, Labeling.identity(), 3);
        Idx.Images im = Idx.readImages(DATA.resolve("mnist/t10k-images-idx3-ubyte.gz"));
        double max = 0;
        for (int i = 0; i < ds.n(); i++) {
            for (int j = 0; j < 784; j++) {
                double v = ds.x().getFlat(i * 784 + j);
                assertEquals((im.pixels()[ds.sourceIndex()[i] * 784 + j] & 0xff) / 255.0, v, 0.0);
                max = Math.max(max, v);
            }
        }
        assertEquals(1.0, max, 0.0);
        int[] testLabels = Idx.readLabels(DATA.resolve("mnist/t10k-labels-idx1-ubyte.gz")).labels();
        checkSelection(ds, testLabels, Labeling.identity(), 3);
    }

    @Test
    void fashionUpperBodyAndClassSubsets() {
        int[] fl = Idx.readLabels(DATA.resolve("fashion-mnist/train-labels-idx1-ubyte.gz")).labels();
        Labeling ub = Labeling.parse("upper-body", ImageDatasets.Source.FASHION_MNIST);
        Dataset ds = ImageDatasets.load(DATA, ImageDatasets.Source.FASHION_MNIST, ImageDatasets.Split.TRAIN, ub, 40);
        checkSelection(ds, fl, ub, 40);
        for (int i = 0; i < ds.n(); i++) {
            int c = fl[ds.sourceIndex()[i]];
            boolean upper = c == 0 || c == 2 || c == 3 || c == 4 || c == 6;
            assertEquals(upper ? 0 : 1, ds.labels()[i]);
        }
        Labeling three = Labeling.parse("classes:7,1,3", ImageDatasets.Source.MNIST);
        Dataset m = ImageDatasets.load(DATA, ImageDatasets.Source.MNIST, ImageDatasets.Split.TRAIN, three, 20);
        assertEquals(3, m.numClasses());
        checkSelection(m, mnistTrainLabels, three, 20);
        for (int i = 0; i < m.n(); i++) {
            int digit = mnistTrainLabels[m.sourceIndex()[i]];
            assertEquals(digit == 7 ? 0 : digit == 1 ? 1 : 2, m.labels()[i]);
        }
    }

    @Test
    void allExamplesAndErrors() {
        int[] keep = ImageDatasets.firstPerClass(mnistTrainLabels, Labeling.classes(0, 1), ImageDatasets.ALL, "mnist train");
        assertEquals(5923 + 6742, keep.length);
        BadInputException e = assertThrows(BadInputException.class,
                () -> ImageDatasets.firstPerClass(new int[] {0, 1, 1, 0, 1}, Labeling.oddEven(), 3, "tiny"));
        assertTrue(e.getMessage().contains("fewer than the 3 per class"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> Labeling.parse("odd-even", ImageDatasets.Source.FASHION_MNIST));
        assertTrue(e.getMessage().contains("fashion-mnist offers identity, upper-body"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> ImageDatasets.load(Path.of("no-such-root"),
                ImageDatasets.Source.MNIST, ImageDatasets.Split.TRAIN, Labeling.identity(), 1));
        assertTrue(e.getMessage().contains("no-such-root/mnist/train-labels-idx1-ubyte.gz does not exist"), e.getMessage());
        assertThrows(BadInputException.class, () -> ImageDatasets.Source.parse("cifar10"));
        assertEquals(ImageDatasets.Split.TEST, ImageDatasets.Split.parse("test"));
    }

    @Test
    void defaultRootIsTheRepoDataFolder() {
        if (System.getenv(ImageDatasets.DATA_ENV) == null) {
            assertEquals(Path.of("data"), ImageDatasets.defaultDataRoot());
        }
    }
}
