package org.imprint.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;
import org.junit.jupiter.api.Test;

class PreprocessTest {
    @Test
    void subtractsTrainingMeanEverywhereAndAddMeanInverts() {
        Dataset train = Synthetic.gaussianMixture(10, 4, 2, new Rng(1));
        Dataset test = Synthetic.gaussianMixture(6, 4, 2, new Rng(2));
        Preprocess.Centered c = Preprocess.subtractMean(train, test);
        double[] mu = c.mean().toDoubleArray();
        for (int j = 0; j < 4; j++) {
            double s = 0;
            for (int i = 0; i < 10; i++) s += train.x().getFlat(i * 4 + j);
            assertEquals(s / 10, mu[j], 1e-15);
            double cs = 0;
            for (int i = 0; i < 10; i++) cs += c.train().x().getFlat(i * 4 + j);
            assertEquals(0, cs, 1e-12);
        }
        Dataset t2 = c.others().get(0);
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 4; j++) assertEquals(test.x().getFlat(i * 4 + j) - mu[j], t2.x().getFlat(i * 4 + j), 0.0);
        }
        assertArrayEquals(test.labels(), t2.labels());
        assertArrayEquals(train.x().doubleData(), Preprocess.addMean(c.train(), c.mean()).x().doubleData(), 1e-14);
        Tensor rec = Preprocess.addMean(c.train().x().to(DType.F32), c.mean());
        assertEquals(DType.F32, rec.dtype());
        assertEquals(train.x().getFlat(5), rec.getFlat(5), 1e-6);
    }
}
