package org.imprint.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.imprint.tensor.Tensor;

/**
 * Several optimizers over disjoint parameter sets stepped as one (tinygrad's OptimizerGroup; the routing of
 * Muon, GaLore and SUMO: 2-D hidden matrices to the matrix optimizer, embeddings, output head, norms and biases
 * to AdamW). The first part is the primary one: {@link #setLearningRate} sets its rate and scales every other
 * part's rate by the same factor, so a schedule keeps the ratio the parts were built with. State keys are
 * "{part}:{index}.{name}".
 */
public final class CompositeOptimizer extends Optimizer {
    private final List<Optimizer> parts;

    public CompositeOptimizer(List<Optimizer> parts) {
        super(groupsOf(parts));
        this.parts = List.copyOf(parts);
        if (groups.get(0).initialLr() <= 0) {
            throw new IllegalArgumentException("the primary optimizer's learning rate should be > 0 but is: " + groups.get(0).initialLr());
        }
    }

    private static List<ParamGroup> groupsOf(List<Optimizer> parts) {
        if (parts.isEmpty()) throw new IllegalArgumentException("composite optimizer got no parts");
        List<ParamGroup> all = new ArrayList<>();
        for (Optimizer o : parts) all.addAll(o.paramGroups());
        return all;
    }

    public List<Optimizer> parts() { return parts; }

    @Override
    public void setLearningRate(double lr) {
        requireNonNegative("learning rate", lr);
        scaleLearningRates(lr / groups.get(0).initialLr());
    }

    @Override
    public void step() {
        for (Optimizer o : parts) o.step();
    }

    @Override
    public void reset() {
        for (Optimizer o : parts) o.reset();
    }

    @Override
    public Map<String, Tensor> state(Tensor param) {
        for (Optimizer o : parts) {
            Map<String, Tensor> s = o.state(param);
            if (s != null) return s;
        }
        return null;
    }

    @Override
    protected void update(Tensor param, Tensor grad, double lr, Map<String, Tensor> state) {
        throw new IllegalStateException("a composite optimizer steps its parts");
    }

    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int k = 0; k < parts.size(); k++) {
            for (Map.Entry<String, Tensor> e : parts.get(k).stateDict().entrySet()) out.put(k + ":" + e.getKey(), e.getValue());
        }
        return out;
    }

    @Override
    public void loadStateDict(Map<String, Tensor> saved) {
        List<Map<String, Tensor>> split = new ArrayList<>();
        for (int k = 0; k < parts.size(); k++) split.add(new LinkedHashMap<>());
        for (Map.Entry<String, Tensor> e : saved.entrySet()) {
            int colon = e.getKey().indexOf(':');
            int part;
            try {
                part = Integer.parseInt(e.getKey().substring(0, colon));
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException("composite optimizer state key '" + e.getKey() + "' is not '<part>:<index>.<name>'");
            }
            if (part < 0 || part >= parts.size()) throw new IllegalArgumentException("optimizer state for part " + part + " of " + parts.size());
            split.get(part).put(e.getKey().substring(colon + 1), e.getValue());
        }
        for (int k = 0; k < parts.size(); k++) parts.get(k).loadStateDict(split.get(k));
    }
}
