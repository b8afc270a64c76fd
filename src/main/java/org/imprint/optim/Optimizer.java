package org.imprint.optim;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.imprint.tensor.Tensor;

/**
 * Base of every optimizer, shaped like {@code torch.optim.Optimizer}: it holds parameter groups (each with
 * its own learning rate), lazily created per-parameter state, and updates the parameters in place from
 * their {@code grad()} in {@link #step()}. Subclasses implement one parameter's update.
 */
public abstract class Optimizer {
    /**
     * A set of parameters sharing hyperparameters; the learning rate is mutable for schedules, and the rate the
     * group was created with is kept so that a schedule can scale every group by the same factor.
     */
    public static final class ParamGroup {
        private final List<Tensor> params;
        private final double initialLr;
        private double lr;

        public ParamGroup(List<Tensor> params, double lr) {
            this.params = List.copyOf(params);
            this.initialLr = lr;
            this.lr = lr;
        }

        public List<Tensor> params() { return params; }

        public double lr() { return lr; }

        /** The learning rate this group was constructed with. */
        public double initialLr() { return initialLr; }

        public void setLr(double lr) { this.lr = lr; }
    }

    protected final List<ParamGroup> groups = new ArrayList<>();
    private final Map<Tensor, Map<String, Tensor>> state = new IdentityHashMap<>();

    protected Optimizer(List<ParamGroup> groups) {
        if (groups.isEmpty()) throw new IllegalArgumentException("optimizer got no parameters");
        for (ParamGroup g : groups) {
            requireNonNegative("learning rate", g.lr());
            if (g.params().isEmpty()) throw new IllegalArgumentException("optimizer got an empty parameter group");
        }
        this.groups.addAll(groups);
    }

    protected static void requireNonNegative(String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) throw new IllegalArgumentException(name + " should be >= 0 and finite but is: " + v);
    }

    protected static void requireInRange(String name, double v, double lo, double hi) {
        if (!(v >= lo && v < hi)) throw new IllegalArgumentException(name + " should be in [" + lo + ", " + hi + ") but is: " + v);
    }

    protected static void requirePositive(String name, double v) {
        if (!(v > 0) || Double.isInfinite(v)) throw new IllegalArgumentException(name + " should be > 0 and finite but is: " + v);
    }

    protected static void requirePositive(String name, int v) {
        if (v <= 0) throw new IllegalArgumentException(name + " should be > 0 but is: " + v);
    }

    /** Rejects parameters that are not matrices: matrix optimizers route everything else to AdamW. */
    protected static void requireMatrices(String optimizer, List<Tensor> params) {
        for (Tensor p : params) {
            if (p.rank() != 2) {
                throw new IllegalArgumentException(optimizer + " only updates 2-D weight matrices, got a parameter of shape "
                        + java.util.Arrays.toString(p.shape()) + " (route embeddings, norms and biases to AdamW)");
            }
        }
    }

    /** A scalar counter kept in the state as a rank-0 float64 tensor, so it is saved with checkpoints. */
    protected static long counter(Map<String, Tensor> state, String name) {
        Tensor t = state.get(name);
        return t == null ? 0 : (long) t.item();
    }

    protected static void setCounter(Map<String, Tensor> state, String name, double value) {
        state.put(name, Tensor.scalar(value));
    }

    public List<ParamGroup> paramGroups() { return groups; }

    /** Sets the learning rate of every group (what a schedule does). */
    public void setLearningRate(double lr) {
        requireNonNegative("learning rate", lr);
        for (ParamGroup g : groups) g.setLr(lr);
    }

    /**
     * Sets every group's rate to its initial rate times {@code factor}: a schedule's multiplier applied to
     * groups that were given different rates (a matrix optimizer and its AdamW companion).
     */
    public void scaleLearningRates(double factor) {
        requireNonNegative("learning-rate factor", factor);
        for (ParamGroup g : groups) g.setLr(g.initialLr() * factor);
    }

    /** Every parameter of every group, in order (the indices of {@link #stateDict()}). */
    public List<Tensor> allParams() {
        List<Tensor> all = new ArrayList<>();
        for (ParamGroup g : groups) all.addAll(g.params());
        return all;
    }

    /** The live per-parameter state (for memory accounting and experiments); null before the first step. */
    public Map<String, Tensor> state(Tensor param) {
        return state.get(param);
    }

    /** Drops all per-parameter state: the next step starts as the first one did. */
    public void reset() {
        state.clear();
    }

    /** Updates every parameter that has a gradient, in place. */
    public void step() {
        for (ParamGroup g : groups) {
            for (Tensor p : g.params()) {
                if (p.grad() != null) update(p, p.grad(), g.lr(), state.computeIfAbsent(p, k -> new LinkedHashMap<>()));
            }
        }
    }

    /** Clears every parameter's gradient. */
    public void zeroGrad() {
        for (ParamGroup g : groups) for (Tensor p : g.params()) p.zeroGrad();
    }

    /** One parameter's update: {@code state} is this parameter's own map, empty on the first step. */
    protected abstract void update(Tensor param, Tensor grad, double lr, Map<String, Tensor> state);

    /** The per-parameter state as named tensors, "{parameter index}.{name}", for checkpoints. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        int i = 0;
        for (ParamGroup g : groups) {
            for (Tensor p : g.params()) {
                Map<String, Tensor> s = state.get(p);
                if (s != null) for (Map.Entry<String, Tensor> e : s.entrySet()) out.put(i + "." + e.getKey(), e.getValue());
                i++;
            }
        }
        return out;
    }

    /** Restores what {@link #stateDict()} produced (tensors are copied and keep their saved dtype). */
    public void loadStateDict(Map<String, Tensor> saved) {
        state.clear();
        List<Tensor> all = allParams();
        for (Map.Entry<String, Tensor> e : saved.entrySet()) {
            int dot = e.getKey().indexOf('.');
            int index;
            try {
                index = Integer.parseInt(e.getKey().substring(0, dot));
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException("optimizer state key '" + e.getKey() + "' is not '<index>.<name>'");
            }
            if (index < 0 || index >= all.size()) throw new IllegalArgumentException("optimizer state for parameter " + index + " of " + all.size());
            state.computeIfAbsent(all.get(index), k -> new LinkedHashMap<>())
                 .put(e.getKey().substring(dot + 1), e.getValue().copy());
        }
    }
}
