package org.imprint.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A grid of greyscale images with a caption under each, for reconstruction results (candidate | nearest
 * training image). Each image is scaled to [0, 1] by its own min and max unless a fixed range is given.
 */
public final class ImageGrid {
    private ImageGrid() {}

    /** One cell: pixels row-major (height × width) and a short caption (may be empty). */
    public record Cell(double[] pixels, int height, int width, String caption) {}

    /**
     * Lays out the cells in rows of {@code columns}, each pixel drawn as a {@code zoom}×{@code zoom} block.
     *
     * @param lo fixed black level, or NaN to use each image's minimum
     * @param hi fixed white level, or NaN to use each image's maximum
     */
    public static BufferedImage render(List<Cell> cells, int columns, int zoom, double lo, double hi) {
        if (cells.isEmpty()) throw new IllegalArgumentException("no images to lay out");
        int h = cells.get(0).height() * zoom, w = cells.get(0).width() * zoom, caption = 16, gap = 6;
        int rows = (cells.size() + columns - 1) / columns;
        BufferedImage img = new BufferedImage(columns * (w + gap) + gap, rows * (h + caption + gap) + gap, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int k = 0; k < cells.size(); k++) {
            Cell c = cells.get(k);
            if (c.pixels().length != c.height() * c.width()) throw new IllegalArgumentException("cell " + k + ": pixels do not fill " + c.height() + "×" + c.width());
            double mn = lo, mx = hi;
            if (Double.isNaN(mn) || Double.isNaN(mx)) {
                double a = Double.POSITIVE_INFINITY, b = Double.NEGATIVE_INFINITY;
                for (double v : c.pixels()) if (Double.isFinite(v)) { a = Math.min(a, v); b = Math.max(b, v); }
                if (Double.isNaN(mn)) mn = a;
                if (Double.isNaN(mx)) mx = b;
            }
            double span = mx > mn ? mx - mn : 1;
            int ox = gap + (k % columns) * (w + gap), oy = gap + (k / columns) * (h + caption + gap);
            for (int i = 0; i < c.height(); i++) {
                for (int j = 0; j < c.width(); j++) {
                    double v = c.pixels()[i * c.width() + j];
                    int grey = Double.isFinite(v) ? (int) Math.round(255 * Math.max(0, Math.min(1, (v - mn) / span))) : 0;
                    g.setColor(new Color(grey, grey, grey));
                    g.fillRect(ox + j * zoom, oy + i * zoom, zoom, zoom);
                }
            }
            g.setColor(Color.BLACK);
            g.drawString(c.caption(), ox, oy + h + 12);
        }
        g.dispose();
        return img;
    }
}
