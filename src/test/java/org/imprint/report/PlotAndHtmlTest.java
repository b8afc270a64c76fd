package org.imprint.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** Histogram binning and drawing, and the HTML helpers' escaping and number format. */
class PlotAndHtmlTest {
    @Test void histogramBinsCountEveryFiniteValueOnce() {
        Plot.Bins b = Plot.bins(new double[] {0, 1, 1, 2, 3, 4, Double.NaN, Double.POSITIVE_INFINITY}, 4);
        assertArrayEquals(new double[] {0, 1, 2, 3, 4}, b.edges(), 1e-15);
        assertArrayEquals(new double[] {1, 2, 1, 2}, b.counts(), 0, "the maximum falls in the last, closed bin");
        Plot.Bins same = Plot.bins(new double[] {5, 5, 5}, 3);
        assertEquals(3, java.util.Arrays.stream(same.counts()).sum());
        assertEquals(0, Plot.bins(new double[] {Double.NaN}, 3).counts().length);
        assertThrows(IllegalArgumentException.class, () -> Plot.bins(new double[] {1}, 0));
    }

    @Test void barsAreDrawnFromZero() {
        // One bar of height 4 over [0, 1] and one of height 2 over [1, 2]: the left bar's top is higher.
        BufferedImage img = new Plot("h", "x", "n").histogram("values", new double[] {0, 0.2, 0.4, 0.6, 1.5, 2}, 2).render(400, 300);
        int barColumnLeft = 72 + (400 - 72 - 20) / 4, barColumnRight = 72 + 3 * (400 - 72 - 20) / 4;
        assertEquals(true, topOfColour(img, barColumnLeft) < topOfColour(img, barColumnRight));
        int bottomInside = 300 - 52 - 2;
        assertEquals(true, isBar(img.getRGB(barColumnLeft, bottomInside)) && isBar(img.getRGB(barColumnRight, bottomInside)), "bars reach the zero line");
    }

    private static int topOfColour(BufferedImage img, int x) {
        for (int y = 40; y < img.getHeight() - 52; y++) if (isBar(img.getRGB(x, y))) return y;
        return Integer.MAX_VALUE;
    }

    private static boolean isBar(int rgb) {
        int r = (rgb >> 16) & 255, g = (rgb >> 8) & 255, b = rgb & 255;
        return b > r + 40 && b > g; // the blue of the first palette colour, blended
    }

    @Test void escapingAndNumbers() {
        assertEquals("a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;", Html.esc("a <b> & \"c\" 'd'"));
        assertEquals("42", Html.num(42));
        assertEquals("0.1235", Html.num(0.123456));
        assertEquals("1.500e-05", Html.num(1.5e-5));
        assertEquals("n/a", Html.num(Double.NaN));
        assertEquals("12.5%", Html.percent(0.125));
    }
}
