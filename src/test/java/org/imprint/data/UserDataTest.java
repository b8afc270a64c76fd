package org.imprint.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.imprint.io.BadInputException;
import org.imprint.io.Npy;
import org.imprint.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserDataTest {
    @TempDir
    Path tmp;

    static final Path FIX = Path.of("src/test/resources/fixtures");

    Path csv(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void csvWithLabelsInLastColumn() throws IOException {
        Dataset ds = UserData.load(csv("xy.csv", "a,b,y\n1,2,-1\n3,4,1\n5,6,1\n"), null);
        assertEquals(3, ds.n());
        assertEquals(2, ds.d());
        assertArrayEquals(new int[] {0, 1, 1}, ds.labels());
        assertArrayEquals(new double[] {-1, 1, 1}, ds.signs());
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, ds.x().doubleData());
        assertArrayEquals(new int[] {0, 1, 2}, ds.sourceIndex());
    }

    @Test
    void npyXWithSeparateLabels() throws IOException {
        Path x = tmp.resolve("x.npy");
        Npy.write(x, Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 5, 2));
        Dataset ds = UserData.load(x, FIX.resolve("i8_5.npy"));
        assertArrayEquals(new int[] {0, 1, 1, 0, 1}, ds.labels());
        assertEquals(2, ds.numClasses());
        Dataset multi = UserData.load(x, csv("y.csv", "0\n3\n1\n2\n1\n"));
        assertEquals(4, multi.numClasses());
        Dataset pix = UserData.load(FIX.resolve("u1_2x2.npy"), csv("y2.csv", "1\n-1\n"));
        assertArrayEquals(new double[] {0, 1, 7 / 255.0, 128 / 255.0}, pix.x().doubleData(), 0.0);
        assertArrayEquals(new int[] {1, 0}, pix.labels());
    }

    static void rejects(String fragment, Path x, Path y) {
        BadInputException e = assertThrows(BadInputException.class, () -> UserData.load(x, y));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void clearErrors() throws IOException {
        Path x = FIX.resolve("f8_2x3.npy");
        rejects("3 labels for the 2 rows of X", x, csv("y3.csv", "0\n1\n1\n"));
        rejects("expected a 2-D array", FIX.resolve("f4_4.npy"), csv("y4.csv", "0\n1\n1\n0\n"));
        rejects("X has dtype <i8", FIX.resolve("i8_5.npy"), csv("y5.csv", "0\n1\n1\n0\n1\n"));
        rejects("labels mix -1 with 0", x, csv("bad.csv", "-1\n0\n"));
        rejects("is not a whole number", x, csv("frac.csv", "0.5\n1\n"));
        rejects("is negative", x, csv("neg.csv", "-2\n1\n"));
        rejects("needs a separate labels file", x, null);
        rejects("one column", x, csv("wide.csv", "1,2\n3,4\n"));
        rejects("line 3 has 2 values", csv("rag.csv", "1,2,0\n3,4,1\n5,6\n"), null);
    }
}
