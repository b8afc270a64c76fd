package org.imprint.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of a long run on stderr: a live one-line bar (rewritten with '\r') with ETA and the current
 * value when stderr is an interactive terminal, otherwise plain lines at most every {@code minLineSeconds}.
 */
public final class Progress {
    private final PrintWriter err;
    private final String label;
    private final long total;
    private final boolean live;
    private final double minLineSeconds;
    private final long startNanos = System.nanoTime();
    private long startUnits = -1;
    private double lastPrint = Double.NEGATIVE_INFINITY;

    public Progress(PrintWriter err, String label, long total, boolean live, double minLineSeconds) {
        this.err = err;
        this.label = label;
        this.total = total;
        this.live = live;
        this.minLineSeconds = minLineSeconds;
    }

    /** Whether this JVM's console is an interactive terminal. */
    public static boolean interactive() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    /** Reports that {@code done} of {@code total} units are finished; {@code status} is shown after the bar. */
    public void update(long done, String status) {
        double now = (System.nanoTime() - startNanos) * 1e-9;
        if (startUnits < 0) startUnits = done;
        boolean finished = done >= total;
        if (!finished && now - lastPrint < (live ? 0.2 : minLineSeconds)) return;
        lastPrint = now;
        double rate = (done - startUnits) / Math.max(now, 1e-9);
        String eta = rate > 0 ? duration((total - done) / rate) : "?";
        double frac = total == 0 ? 1 : Math.min(1.0, (double) done / total);
        if (live) {
            int width = 30, filled = (int) Math.round(frac * width);
            // \r returns to the line start; ESC[K erases what a longer previous line left behind.
            err.print(String.format(Locale.ROOT, "\r%s [%s%s] %3.0f%% %d/%d ETA %s %s\u001b[K", label, "#".repeat(filled),
                    " ".repeat(width - filled), 100 * frac, done, total, eta, status));
            if (finished) err.println();
        } else {
            err.println(String.format(Locale.ROOT, "%s %d/%d (%.0f%%) elapsed %s ETA %s %s", label, done, total,
                    100 * frac, duration(now), eta, status));
        }
        err.flush();
    }

    /** Ends a live bar's line early (when a run stops before its total). */
    public void finish() {
        if (live) {
            err.println();
            err.flush();
        }
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) return s + "s";
        if (s < 3600) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
}
