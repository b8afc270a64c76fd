package org.imprint.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.imprint.tensor.Tensor;

/**
 * Builds optimizers by name, with hyperparameters given as text options (what {@code --optimizer} and
 * {@code --opt KEY=VALUE} on the command line pass). Names:
 * <pre>
 *   sgd       momentum=0 dampening=0 nesterov=false weight_decay=0
 *   adam      beta1=0.9 beta2=0.999 eps=1e-8 weight_decay=0                 (L2 penalty)
 *   adamw     beta1=0.9 beta2=0.999 eps=1e-8 weight_decay=0.01              (decoupled)
 *   muon      momentum=0.95 nesterov=true weight_decay=0 ns_steps=5 update_scale=muon
 *   galore    rank=128 update_gap=200 scale=0.25 beta1=0.9 beta2=0.999 eps=1e-6 weight_decay=0
 *             side=shorter subspace=exact seed=0
 *   sumo      rank=8 update_gap=200 momentum=0.95 nesterov=false growth_limit=1.1 scale=1
 *   sumo-ns5  update_scale=moonlight weight_decay=0 subspace=exact oversampling=8 power_iterations=1
 *             transport=true orthogonal_complement=true side=shorter seed=0
 * </pre>
 * sgd, adam and adamw update every parameter. The matrix optimizers (muon, galore, sumo, sumo-ns5) update the
 * hidden 2-D matrices and route every other parameter to AdamW in a {@link CompositeOptimizer}, with the options
 * adam_lr (default: the same learning rate — never the 1e-5 that SUMO's public code silently falls back to),
 * adam_beta1=0.9, adam_beta2=0.999, adam_eps=1e-8, adam_weight_decay=0.
 */
public final class Optimizers {
    /** Every name {@link #create} accepts. */
    public static final List<String> NAMES = List.of("sgd", "adam", "adamw", "muon", "galore", "sumo", "sumo-ns5");

    private Optimizers() {}

    /** Whether {@code name} routes hidden matrices to a matrix optimizer (and the rest to AdamW). */
    public static boolean isMatrixOptimizer(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "muon", "galore", "sumo", "sumo-ns5" -> true;
            default -> false;
        };
    }

    /**
     * Routes by shape alone (nanoGPT's configure_optimizers): every 2-D parameter is a hidden matrix, the rest
     * go to AdamW. Models that know their embedding and head should call the other overload.
     */
    public static Optimizer create(String name, List<Tensor> params, double lr, Map<String, String> options) {
        List<Tensor> matrices = new ArrayList<>(), others = new ArrayList<>();
        for (Tensor p : params) (p.rank() == 2 ? matrices : others).add(p);
        return create(name, matrices, others, lr, options);
    }

    /**
     * The optimizer {@code name} at learning rate {@code lr} for the hidden matrices (all parameters for sgd,
     * adam and adamw), AdamW for {@code others}.
     *
     * @throws IllegalArgumentException for an unknown name, an unknown option or a bad value (the message names it)
     */
    public static Optimizer create(String name, List<Tensor> hiddenMatrices, List<Tensor> others, double lr, Map<String, String> options) {
        String key = name.toLowerCase(Locale.ROOT);
        Options o = new Options(key, options);
        List<Tensor> all = new ArrayList<>(hiddenMatrices);
        all.addAll(others);
        Optimizer built = switch (key) {
            case "sgd" -> {
                double momentum = o.real("momentum", 0), dampening = o.real("dampening", 0), wd = o.real("weight_decay", 0);
                boolean nesterov = o.bool("nesterov", false);
                o.finish();
                yield new Sgd(all, lr, momentum, dampening, wd, nesterov);
            }
            case "adam", "adamw" -> {
                boolean decoupled = key.equals("adamw");
                double b1 = o.real("beta1", 0.9), b2 = o.real("beta2", 0.999), eps = o.real("eps", 1e-8);
                double wd = o.real("weight_decay", decoupled ? 1e-2 : 0);
                o.finish();
                yield new Adam(all, lr, b1, b2, eps, wd, decoupled);
            }
            case "muon", "galore", "sumo", "sumo-ns5" -> routed(key, hiddenMatrices, others, lr, o);
            default -> throw new IllegalArgumentException("unknown optimizer '" + name + "' (known: " + String.join(", ", NAMES) + ")");
        };
        return built;
    }

    private static Optimizer routed(String key, List<Tensor> matrices, List<Tensor> others, double lr, Options o) {
        double adamLr = o.real("adam_lr", lr), b1 = o.real("adam_beta1", 0.9), b2 = o.real("adam_beta2", 0.999);
        double eps = o.real("adam_eps", 1e-8), wd = o.real("adam_weight_decay", 0);
        Optimizer matrix = null;
        if (key.equals("muon")) {
            double momentum = o.real("momentum", 0.95), mwd = o.real("weight_decay", 0);
            boolean nesterov = o.bool("nesterov", true);
            int steps = o.integer("ns_steps", 5);
            UpdateScale scale = o.parse("update_scale", UpdateScale.MUON, UpdateScale::parse);
            o.finish();
            if (!matrices.isEmpty()) matrix = new Muon(matrices, lr, momentum, nesterov, mwd, steps, scale);
        } else if (key.equals("galore")) {
            int rank = o.integer("rank", 128), gap = o.integer("update_gap", 200);
            double scale = o.real("scale", 0.25), gb1 = o.real("beta1", 0.9), gb2 = o.real("beta2", 0.999);
            double geps = o.real("eps", 1e-6), gwd = o.real("weight_decay", 0);
            ProjectionSide side = o.parse("side", ProjectionSide.SHORTER, ProjectionSide::parse);
            Subspace.Method method = o.parse("subspace", Subspace.Method.EXACT, Subspace.Method::parse);
            long seed = o.integer("seed", 0);
            o.finish();
            if (!matrices.isEmpty()) matrix = new GaLore(matrices, lr, rank, gap, scale, gb1, gb2, geps, gwd, side, method, seed);
        } else {
            Sumo.Config d = Sumo.Config.defaults();
            Sumo.Config c = new Sumo.Config(o.integer("rank", d.rank()), o.integer("update_gap", d.updateGap()),
                    o.real("momentum", d.momentum()), o.bool("nesterov", d.nesterov()), o.real("growth_limit", d.growthLimit()),
                    o.real("scale", d.scale()), o.parse("update_scale", d.updateScale(), UpdateScale::parse),
                    o.real("weight_decay", d.weightDecay()),
                    key.equals("sumo-ns5") ? Sumo.Orthogonalizer.NS5 : Sumo.Orthogonalizer.SVD,
                    o.parse("subspace", d.subspace(), Subspace.Method::parse), o.integer("oversampling", d.oversampling()),
                    o.integer("power_iterations", d.powerIterations()), o.bool("transport", d.momentTransport()),
                    o.bool("orthogonal_complement", d.orthogonalComplement()),
                    o.parse("side", d.side(), ProjectionSide::parse), o.integer("seed", (int) d.seed()));
            o.finish();
            if (!matrices.isEmpty()) matrix = new Sumo(matrices, lr, c);
        }
        List<Optimizer> parts = new ArrayList<>();
        if (matrix != null) parts.add(matrix);
        if (!others.isEmpty()) parts.add(new Adam(others, adamLr, b1, b2, eps, wd, true));
        if (parts.isEmpty()) throw new IllegalArgumentException(key + " got no parameters");
        return parts.size() == 1 ? parts.get(0) : new CompositeOptimizer(parts);
    }

    /** Text options of one optimizer: each read once with its default; {@link #finish} rejects leftovers. */
    private static final class Options {
        private final String optimizer;
        private final Map<String, String> values;
        private final Set<String> known = new LinkedHashSet<>();

        Options(String optimizer, Map<String, String> values) {
            this.optimizer = optimizer;
            this.values = new LinkedHashMap<>(values == null ? Map.of() : values);
        }

        private String take(String key) {
            known.add(key);
            return values.remove(key);
        }

        double real(String key, double fallback) {
            String v = take(key);
            if (v == null) return fallback;
            try {
                return Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("option " + key + "=" + v + " of " + optimizer + " is not a number");
            }
        }

        int integer(String key, int fallback) {
            String v = take(key);
            if (v == null) return fallback;
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("option " + key + "=" + v + " of " + optimizer + " is not an integer");
            }
        }

        boolean bool(String key, boolean fallback) {
            String v = take(key);
            if (v == null) return fallback;
            return switch (v.trim().toLowerCase(Locale.ROOT)) {
                case "true", "on", "yes", "1" -> true;
                case "false", "off", "no", "0" -> false;
                default -> throw new IllegalArgumentException("option " + key + "=" + v + " of " + optimizer + " is not true/false");
            };
        }

        <T> T parse(String key, T fallback, java.util.function.Function<String, T> parser) {
            String v = take(key);
            return v == null ? fallback : parser.apply(v.trim());
        }

        void finish() {
            if (!values.isEmpty()) {
                throw new IllegalArgumentException("unknown option '" + values.keySet().iterator().next() + "' for " + optimizer
                        + " (known: " + String.join(", ", known) + ")");
            }
        }
    }
}
