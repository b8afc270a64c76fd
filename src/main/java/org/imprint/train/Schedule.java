package org.imprint.train;

import org.imprint.io.BadInputException;

/**
 * Learning-rate schedules as a function of the epoch: the rate used for the update that starts epoch e.
 * Written as {@code constant}, {@code step:EVERY:GAMMA} (×γ every EVERY epochs, PyTorch's StepLR) or
 * {@code cosine:WARMUP} (linear warm-up over WARMUP epochs, then cosine decay to 0 at the last epoch).
 */
public sealed interface Schedule {
    double rate(double baseLr, long epoch, long totalEpochs);

    /** The text form, parseable by {@link #parse}. */
    String spec();

    record Constant() implements Schedule {
        public double rate(double baseLr, long epoch, long total) { return baseLr; }
        public String spec() { return "constant"; }
    }

    /** η·γ^⌊e/every⌋. */
    record Step(long every, double gamma) implements Schedule {
        public double rate(double baseLr, long epoch, long total) { return baseLr * Math.pow(gamma, epoch / every); }
        public String spec() { return "step:" + every + ":" + gamma; }
    }

    /** η·(e+1)/w during warm-up, then η·½(1 + cos(π·(e−w)/(T−w))). */
    record Cosine(long warmup) implements Schedule {
        public double rate(double baseLr, long epoch, long total) {
            if (epoch < warmup) return baseLr * (epoch + 1) / warmup;
            long span = Math.max(1, total - warmup);
            return baseLr * 0.5 * (1 + Math.cos(Math.PI * Math.min(1.0, (double) (epoch - warmup) / span)));
        }
        public String spec() { return "cosine:" + warmup; }
    }

    static Schedule parse(String text) {
        String[] p = text.trim().toLowerCase().split(":");
        try {
            switch (p[0]) {
                case "constant":
                    if (p.length == 1) return new Constant();
                    break;
                case "step":
                    if (p.length == 3) {
                        long every = Long.parseLong(p[1]);
                        double gamma = Double.parseDouble(p[2]);
                        if (every <= 0 || !(gamma > 0)) throw new BadInputException("schedule '" + text + "': EVERY must be > 0 and GAMMA > 0");
                        return new Step(every, gamma);
                    }
                    break;
                case "cosine":
                    if (p.length <= 2) {
                        long w = p.length == 2 ? Long.parseLong(p[1]) : 0;
                        if (w < 0) throw new BadInputException("schedule '" + text + "': WARMUP must be >= 0");
                        return new Cosine(w);
                    }
                    break;
                default:
                    break;
            }
        } catch (NumberFormatException e) {
            throw new BadInputException("schedule '" + text + "': " + e.getMessage());
        }
        throw new BadInputException("unknown schedule '" + text + "' (constant, step:EVERY:GAMMA, cosine:WARMUP)");
    }
}
