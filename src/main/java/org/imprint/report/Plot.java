package org.imprint.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small chart: line, scatter and histogram series on linear or logarithmic axes, with title, axis labels,
 * ticks, a grid and a legend. Non-finite points, and non-positive ones on a log axis, are skipped.
 *
 * <pre>
 *   new Plot("ROC", "false positive rate", "true positive rate").xScale(Plot.Scale.LOG)
 *       .line("membership test (AUC 0.97)", fpr, tpr).line("chance", diag, diag).writePng(path);
 * </pre>
 */
public final class Plot {
    public enum Scale { LINEAR, LOG }

    private enum Kind { LINE, SCATTER, DASHED, BARS }

    private record Series(String name, double[] x, double[] y, Kind kind, Color color) {}

    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};

    private final String title, xLabel, yLabel;
    private final List<Series> series = new ArrayList<>();
    private Scale xScale = Scale.LINEAR, yScale = Scale.LINEAR;
    private double xMin = Double.NaN, xMax = Double.NaN, yMin = Double.NaN, yMax = Double.NaN;

    public Plot(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    public Plot xScale(Scale s) { xScale = s; return this; }

    public Plot yScale(Scale s) { yScale = s; return this; }

    /** Fixes the x range (NaN: from the data). */
    public Plot xRange(double lo, double hi) { xMin = lo; xMax = hi; return this; }

    public Plot yRange(double lo, double hi) { yMin = lo; yMax = hi; return this; }

    /** A polyline through the points in the order given. */
    public Plot line(String name, double[] x, double[] y) { return add(name, x, y, Kind.LINE); }

    /** A dashed polyline (references: chance, bounds, targets). */
    public Plot dashed(String name, double[] x, double[] y) { return add(name, x, y, Kind.DASHED); }

    /** Unconnected dots. */
    public Plot scatter(String name, double[] x, double[] y) { return add(name, x, y, Kind.SCATTER); }

    /**
     * A histogram of the finite values in {@code bins} equal bins between their minimum and maximum, drawn as
     * bars from zero (the y axis then starts at 0 on a linear scale).
     */
    public Plot histogram(String name, double[] values, int bins) {
        Bins h = bins(values, bins);
        // Each bar is the pair of points (left edge, count), (right edge, count).
        double[] x = new double[2 * h.counts.length], y = new double[2 * h.counts.length];
        for (int b = 0; b < h.counts.length; b++) {
            x[2 * b] = h.edges[b];
            x[2 * b + 1] = h.edges[b + 1];
            y[2 * b] = y[2 * b + 1] = h.counts[b];
        }
        return add(name, x, y, Kind.BARS);
    }

    /** Histogram bins: {@code edges.length == counts.length + 1}; the last bin is closed on the right. */
    record Bins(double[] edges, double[] counts) {}

    /** Counts the finite values in {@code bins} equal bins over [min, max] (no bins when no value is finite). */
    static Bins bins(double[] values, int bins) {
        if (bins < 1) throw new IllegalArgumentException("bins must be >= 1, got " + bins);
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            if (Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        }
        if (!(lo <= hi)) return new Bins(new double[] {0}, new double[0]);
        if (lo == hi) { lo -= 0.5; hi += 0.5; }
        double[] counts = new double[bins], edges = new double[bins + 1];
        for (int b = 0; b <= bins; b++) edges[b] = lo + (hi - lo) * b / bins;
        for (double v : values) {
            if (Double.isFinite(v)) counts[Math.min(bins - 1, (int) ((v - lo) / (hi - lo) * bins))]++;
        }
        return new Bins(edges, counts);
    }

    private Plot add(String name, double[] x, double[] y, Kind kind) {
        if (x.length != y.length) throw new IllegalArgumentException("series '" + name + "': " + x.length + " x values, " + y.length + " y values");
        series.add(new Series(name, x.clone(), y.clone(), kind, PALETTE[series.size() % PALETTE.length]));
        return this;
    }

    private boolean usable(double v, Scale s) {
        return Double.isFinite(v) && (s == Scale.LINEAR || v > 0);
    }

    private double[] range(boolean isX) {
        Scale s = isX ? xScale : yScale;
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Series se : series) {
            double[] v = isX ? se.x : se.y, o = isX ? se.y : se.x;
            for (int i = 0; i < v.length; i++) {
                if (usable(v[i], s) && usable(o[i], isX ? yScale : xScale)) {
                    lo = Math.min(lo, v[i]);
                    hi = Math.max(hi, v[i]);
                }
            }
        }
        double fixedLo = isX ? xMin : yMin, fixedHi = isX ? xMax : yMax;
        boolean bars = series.stream().anyMatch(se -> se.kind == Kind.BARS);
        if (!isX && bars && s == Scale.LINEAR && lo > 0) lo = 0;
        if (!Double.isNaN(fixedLo)) lo = fixedLo;
        if (!Double.isNaN(fixedHi)) hi = fixedHi;
        if (!(lo <= hi)) { lo = s == Scale.LOG ? 0.1 : 0; hi = s == Scale.LOG ? 10 : 1; }
        if (lo == hi) {
            double pad = s == Scale.LOG ? lo * 0.5 : Math.max(Math.abs(lo) * 0.05, 0.5);
            lo -= pad;
            hi += s == Scale.LOG ? hi : pad;
        } else if (s == Scale.LINEAR && Double.isNaN(fixedLo) && Double.isNaN(fixedHi)) {
            double pad = 0.03 * (hi - lo);
            if (!(bars && !isX && lo == 0)) lo -= pad;
            hi += pad;
        }
        return new double[] {lo, hi};
    }

    private static double t(double v, Scale s) { return s == Scale.LOG ? Math.log10(v) : v; }

    /** Tick positions: decades on a log axis, 1-2-5 steps on a linear one. */
    static List<Double> ticks(double lo, double hi, Scale s) {
        List<Double> out = new ArrayList<>();
        if (s == Scale.LOG) {
            int a = (int) Math.ceil(Math.log10(lo) - 1e-9), b = (int) Math.floor(Math.log10(hi) + 1e-9);
            int step = Math.max(1, (b - a + 1) / 8 + ((b - a + 1) % 8 == 0 ? 0 : 1));
            for (int e = a; e <= b; e += step) out.add(Math.pow(10, e));
            return out;
        }
        double raw = (hi - lo) / 6, mag = Math.pow(10, Math.floor(Math.log10(raw))), step;
        double r = raw / mag;
        step = (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10) * mag;
        for (double v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.add(Math.abs(v) < step * 1e-9 ? 0 : v);
        return out;
    }

    static String label(double v, Scale s) {
        if (s == Scale.LOG) {
            int e = (int) Math.round(Math.log10(v));
            return e >= -2 && e <= 3 ? new java.math.BigDecimal(Math.pow(10, e)).round(new java.math.MathContext(1)).stripTrailingZeros().toPlainString() : "1e" + e;
        }
        if (v == 0) return "0";
        double a = Math.abs(v);
        if (a >= 1e5 || a < 1e-3) return String.format(Locale.ROOT, "%.0e", v);
        String str = String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "");
        return str.endsWith(".") ? str.substring(0, str.length() - 1) : str;
    }

    public BufferedImage render(int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 12), big = new Font(Font.SANS_SERIF, Font.BOLD, 15);
        int left = 72, right = 20, top = 40, bottom = 52;
        int pw = width - left - right, ph = height - top - bottom;
        double[] xr = range(true), yr = range(false);
        double x0 = t(xr[0], xScale), x1 = t(xr[1], xScale), y0 = t(yr[0], yScale), y1 = t(yr[1], yScale);
        java.util.function.DoubleUnaryOperator px = v -> left + (t(v, xScale) - x0) / (x1 - x0) * pw;
        java.util.function.DoubleUnaryOperator py = v -> top + ph - (t(v, yScale) - y0) / (y1 - y0) * ph;

        g.setFont(small);
        FontMetrics fm = g.getFontMetrics();
        for (double v : ticks(xr[0], xr[1], xScale)) {
            int x = (int) Math.round(px.applyAsDouble(v));
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(x, top, x, top + ph);
            g.setColor(Color.DARK_GRAY);
            String s = label(v, xScale);
            g.drawString(s, x - fm.stringWidth(s) / 2, top + ph + 16);
        }
        for (double v : ticks(yr[0], yr[1], yScale)) {
            int y = (int) Math.round(py.applyAsDouble(v));
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(left, y, left + pw, y);
            g.setColor(Color.DARK_GRAY);
            String s = label(v, yScale);
            g.drawString(s, left - 6 - fm.stringWidth(s), y + 4);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, pw, ph);
        g.drawString(xLabel, left + (pw - fm.stringWidth(xLabel)) / 2, height - 12);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, -(top + (ph + fm.stringWidth(yLabel)) / 2), 16);
        g.setTransform(saved);
        g.setFont(big);
        g.drawString(title, left + (pw - g.getFontMetrics().stringWidth(title)) / 2, 24);

        g.setClip(left, top, pw + 1, ph + 1);
        for (Series s : series) {
            g.setColor(s.color);
            if (s.kind == Kind.BARS) {
                double base = py.applyAsDouble(yScale == Scale.LOG ? yr[0] : Math.max(yr[0], 0));
                for (int i = 0; i + 1 < s.x.length; i += 2) {
                    if (!usable(s.y[i], yScale)) continue;
                    double xa = px.applyAsDouble(s.x[i]), xb = px.applyAsDouble(s.x[i + 1]), barTop = py.applyAsDouble(s.y[i]);
                    java.awt.geom.Rectangle2D bar = new java.awt.geom.Rectangle2D.Double(xa, Math.min(barTop, base), xb - xa, Math.abs(base - barTop));
                    g.setColor(new Color(s.color.getRed(), s.color.getGreen(), s.color.getBlue(), 150));
                    g.fill(bar);
                    g.setColor(s.color);
                    g.draw(bar);
                }
            } else if (s.kind == Kind.SCATTER) {
                for (int i = 0; i < s.x.length; i++) {
                    if (!usable(s.x[i], xScale) || !usable(s.y[i], yScale)) continue;
                    g.fill(new Ellipse2D.Double(px.applyAsDouble(s.x[i]) - 2.5, py.applyAsDouble(s.y[i]) - 2.5, 5, 5));
                }
            } else {
                g.setStroke(s.kind == Kind.DASHED ? new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1, new float[] {6, 4}, 0)
                                                  : new BasicStroke(2f));
                Path2D path = new Path2D.Double();
                boolean pen = false;
                for (int i = 0; i < s.x.length; i++) {
                    if (!usable(s.x[i], xScale) || !usable(s.y[i], yScale)) { pen = false; continue; }
                    double x = px.applyAsDouble(s.x[i]), y = py.applyAsDouble(s.y[i]);
                    if (pen) path.lineTo(x, y); else path.moveTo(x, y);
                    pen = true;
                }
                g.draw(path);
            }
        }
        g.setClip(null);
        g.setStroke(new BasicStroke(1f));
        g.setFont(small);
        int ly = top + 8;
        int lw = 0;
        for (Series s : series) lw = Math.max(lw, fm.stringWidth(s.name));
        if (!series.isEmpty()) {
            g.setColor(new Color(255, 255, 255, 220));
            g.fillRect(left + pw - lw - 44, ly - 4, lw + 38, 18 * series.size() + 6);
            for (Series s : series) {
                g.setColor(s.color);
                int lx = left + pw - lw - 38;
                if (s.kind == Kind.SCATTER) g.fillOval(lx + 7, ly + 4, 6, 6);
                else g.fillRect(lx, ly + 6, 20, 3);
                g.setColor(Color.BLACK);
                g.drawString(s.name, lx + 26, ly + 12);
                ly += 18;
            }
        }
        g.dispose();
        return img;
    }

    /** Renders at 800×560 and writes a PNG atomically. */
    public void writePng(Path path) {
        Png.write(render(800, 560), path);
    }
}
