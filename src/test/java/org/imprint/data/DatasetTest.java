package org.imprint.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.imprint.tensor.DType;
import org.imprint.tensor.Tensor;
import org.junit.jupiter.api.Test;

class DatasetTest {
    static Dataset small() {
        return new Dataset(Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2), new int[] {0, 1, 1}, 2,
                new int[] {2}, new int[] {10, 20, 30}, "small");
    }

    @Test
    void basics() {
        Dataset ds = small();
        assertEquals(3, ds.n());
        assertEquals(2, ds.d());
        assertArrayEquals(new double[] {-1, 1, 1}, ds.signs());
        assertArrayEquals(new int[] {1, 2}, ds.classCounts());
        Dataset sub = ds.subset(new int[] {2, 0});
        assertArrayEquals(new double[] {5, 6, 1, 2}, sub.x().doubleData());
        assertArrayEquals(new int[] {1, 0}, sub.labels());
        assertArrayEquals(new int[] {30, 10}, sub.sourceIndex());
        Dataset f = ds.toDType(DType.F32);
        assertEquals(DType.F32, f.x().dtype());
        assertArrayEquals(new float[] {3, 4}, f.subset(new int[] {1}).x().floatData());
    }

    @Test
    void validation() {
        assertThrows(IllegalArgumentException.class, () -> new Dataset(Tensor.of(new double[4], 2, 2), new int[] {0, 2}, 2,
                new int[] {2}, new int[] {0, 1}, ""));
        assertThrows(IllegalArgumentException.class, () -> new Dataset(Tensor.of(new double[4], 2, 2), new int[] {0, 1}, 2,
                new int[] {3}, new int[] {0, 1}, ""));
        Dataset three = new Dataset(Tensor.of(new double[2], 2, 1), new int[] {0, 2}, 3, new int[] {1}, new int[] {-1, -1}, "");
        assertThrows(IllegalStateException.class, three::signs);
    }
}
