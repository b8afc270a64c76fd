package org.imprint.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shipped MNIST / Fashion-MNIST files are the published ones and parse to the published counts. */
class ShippedDataTest {
    static final Path DATA = Path.of("data");

    /** sha256 of each .gz, from /work/shared/data/README.md (= the upstream-published sums). */
    static final Map<String, String> SHA256 = Map.of(
            "mnist/train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            "mnist/train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            "mnist/t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            "mnist/t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
            "fashion-mnist/train-images-idx3-ubyte.gz", "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            "fashion-mnist/train-labels-idx1-ubyte.gz", "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            "fashion-mnist/t10k-images-idx3-ubyte.gz", "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            "fashion-mnist/t10k-labels-idx1-ubyte.gz", "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5");

    @Test
    void shippedGzFilesHaveThePublishedSha256() throws Exception {
        for (Map.Entry<String, String> e : SHA256.entrySet()) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(DATA.resolve(e.getKey()))) {
                byte[] buf = new byte[1 << 16];
                for (int r; (r = in.read(buf)) > 0; ) md.update(buf, 0, r);
            }
            assertEquals(e.getValue(), HexFormat.of().formatHex(md.digest()), e.getKey());
        }
    }

    static int[] histogram(int[] labels) {
        int[] h = new int[10];
        for (int l : labels) h[l]++;
        return h;
    }

    @Test
    void mnistParsesWithPublishedCountsAndHistograms() {
        Idx.Labels train = Idx.readLabels(DATA.resolve("mnist/train-labels-idx1-ubyte.gz"));
        Idx.Labels test = Idx.readLabels(DATA.resolve("mnist/t10k-labels-idx1-ubyte.gz"));
        assertEquals(60000, train.count());
        assertEquals(10000, test.count());
        assertArrayEquals(new int[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, histogram(train.labels()));
        assertArrayEquals(new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, histogram(test.labels()));
        Idx.Images trainX = Idx.readImages(DATA.resolve("mnist/train-images-idx3-ubyte.gz"));
        Idx.Images testX = Idx.readImages(DATA.resolve("mnist/t10k-images-idx3-ubyte.gz"));
        assertEquals(60000, trainX.count());
        assertEquals(10000, testX.count());
        for (Idx.Images im : new Idx.Images[] {trainX, testX}) {
            assertEquals(28, im.rows());
            assertEquals(28, im.cols());
            assertEquals((long) im.count() * 784, im.pixels().length);
        }
        // the well-known first training label is a 5, and corner pixels are background
        assertEquals(5, train.labels()[0]);
        assertEquals(0, trainX.pixel(0, 0, 0));
    }

    @Test
    void fashionMnistParsesWithBalancedClasses() {
        Idx.Labels train = Idx.readLabels(DATA.resolve("fashion-mnist/train-labels-idx1-ubyte.gz"));
        Idx.Labels test = Idx.readLabels(DATA.resolve("fashion-mnist/t10k-labels-idx1-ubyte.gz"));
        int[] six = new int[10], one = new int[10];
        java.util.Arrays.fill(six, 6000);
        java.util.Arrays.fill(one, 1000);
        assertArrayEquals(six, histogram(train.labels()));
        assertArrayEquals(one, histogram(test.labels()));
        Idx.Images trainX = Idx.readImages(DATA.resolve("fashion-mnist/train-images-idx3-ubyte.gz"));
        Idx.Images testX = Idx.readImages(DATA.resolve("fashion-mnist/t10k-images-idx3-ubyte.gz"));
        assertEquals(60000, trainX.count());
        assertEquals(10000, testX.count());
        assertEquals(28, trainX.rows());
        assertEquals(28, testX.cols());
    }

    @Test
    void magicNumbersOfShippedFiles() throws Exception {
        for (String name : SHA256.keySet()) {
            try (InputStream in = new java.util.zip.GZIPInputStream(Files.newInputStream(DATA.resolve(name)))) {
                byte[] h = in.readNBytes(4);
                int magic = java.nio.ByteBuffer.wrap(h).getInt();
                assertEquals(name.contains("images") ? Idx.IMAGES_MAGIC : Idx.LABELS_MAGIC, magic, name);
            }
        }
    }
}
