package org.imprint.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** SSIM and NCC matching against golden values of an independent numpy implementation (make_ssim_golden.py). */
class ImageSimilarityTest {
    private static final JsonNode GOLDEN = read();

    private static JsonNode read() {
        try {
            return new ObjectMapper().readTree(new File("src/test/resources/golden/ssim_golden.json"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double[] arr(JsonNode n) {
        double[] v = new double[n.size()];
        for (int i = 0; i < v.length; i++) v[i] = n.get(i).asDouble();
        return v;
    }

    @Test void ssimMatchesTheReference() {
        for (JsonNode c : GOLDEN.get("ssim")) {
            int h = c.get("h").asInt(), w = c.get("w").asInt();
            double[] a = arr(c.get("a")), b = arr(c.get("b")), cc = arr(c.get("c"));
            assertEquals(c.get("ssim_ab").asDouble(), ImageSimilarity.ssim(a, b, h, w), 1e-12);
            assertEquals(c.get("ssim_ac").asDouble(), ImageSimilarity.ssim(a, cc, h, w), 1e-12);
            assertEquals(1.0, ImageSimilarity.ssim(a, a, h, w), 1e-12);
        }
    }

    @Test void nccNearestNeighboursMatchTheReference() {
        JsonNode n = GOLDEN.get("ncc");
        ImageSimilarity.Match m = ImageSimilarity.nearestByNcc(arr(n.get("q")), n.get("nq").asInt(), arr(n.get("r")), n.get("nr").asInt(), n.get("d").asInt());
        int[] want = new int[n.get("index").size()];
        for (int i = 0; i < want.length; i++) want[i] = n.get("index").get(i).asInt();
        assertArrayEquals(want, m.index());
        assertArrayEquals(arr(n.get("distance")), m.distance(), 1e-12);
        assertEquals(4, m.index()[2], "a scaled, shifted copy is the nearest");
        assertEquals(0.0, m.distance()[2], 1e-12);
    }

    @Test void minMaxAndDssim() {
        assertArrayEquals(new double[] {0, 0.5, 1}, ImageSimilarity.minMax(new double[] {-2, 0, 2}), 0);
        assertArrayEquals(new double[] {0, 0}, ImageSimilarity.minMax(new double[] {3, 3}), 0);
        assertEquals(0.25, ImageSimilarity.dssim(0.5), 0);
    }

    @Test void correlationIsPearsonAndAgreesWithTheNccDistance() {
        java.util.Random r = new java.util.Random(3);
        int d = 50;
        double[] a = new double[d], b = new double[d], affine = new double[d], flipped = new double[d];
        for (int i = 0; i < d; i++) {
            a[i] = r.nextGaussian();
            b[i] = 0.6 * a[i] + r.nextGaussian();
            affine[i] = 2.5 * a[i] + 3;
            flipped[i] = -a[i];
        }
        assertEquals(1, ImageSimilarity.correlation(a, affine), 1e-14);
        assertEquals(-1, ImageSimilarity.correlation(a, flipped), 1e-14);
        assertEquals(0, ImageSimilarity.correlation(a, new double[d]), 0, "a constant image correlates with nothing");
        // NCC distance of standardised rows (unbiased std) = 2(d−1)/d · (1 − correlation).
        ImageSimilarity.Match m = ImageSimilarity.nearestByNcc(a, 1, b, 1, d);
        assertEquals(2.0 * (d - 1) / d * (1 - ImageSimilarity.correlation(a, b)), m.distance()[0], 1e-12);
    }
}
