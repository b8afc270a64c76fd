package org.imprint.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode automatic differentiation over the graph that {@link Tensor} ops record.
 *
 * <p>Every backward rule is written in tensor ops, so when {@code createGraph} is true the gradients are
 * themselves recorded and can be differentiated again (double backprop, as the KKT reconstruction attack
 * needs: it minimises a loss that contains ∇_θ f). With {@code createGraph} false the rules run in no-grad
 * mode and record nothing. Like PyTorch, a graph is released after use unless it is retained, so the
 * garbage collector can reclaim it.
 */
public final class Autograd {
    private Autograd() {}

    /** A recorded op: its inputs and the rule mapping the output's gradient to the inputs' gradients. */
    static final class Node {
        final String op;
        final Tensor[] inputs;
        final Backward rule;

        Node(String op, Tensor[] inputs, Backward rule) {
            this.op = op;
            this.inputs = inputs;
            this.rule = rule;
        }
    }

    /**
     * The chain rule of one op: given dL/d(output), returns dL/d(input_i) for each input whose
     * {@code needed[i]} is true (null elsewhere), each of the input's shape, computed with tensor ops.
     */
    @FunctionalInterface
    interface Backward {
        Tensor[] apply(Tensor gradOutput, boolean[] needed);
    }

    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    /** Whether ops on this thread currently record a graph. */
    public static boolean isGradEnabled() {
        return ENABLED.get()[0];
    }

    /** A scope that sets grad recording on or off for this thread and restores the previous mode on close. */
    public static final class Mode implements AutoCloseable {
        private final boolean previous;

        private Mode(boolean enabled) {
            boolean[] flag = ENABLED.get();
            previous = flag[0];
            flag[0] = enabled;
        }

        @Override
        public void close() {
            ENABLED.get()[0] = previous;
        }
    }

    /** {@code try (var g = Autograd.noGrad()) { ... }}: ops inside record no graph. */
    public static Mode noGrad() {
        return new Mode(false);
    }

    /** A scope with recording set to {@code enabled}. */
    public static Mode gradMode(boolean enabled) {
        return new Mode(enabled);
    }

    /**
     * Gradients of sum_k ⟨gradOutputs_k, outputs_k⟩ with respect to each input (PyTorch's
     * {@code torch.autograd.grad}). A null {@code gradOutputs} means ones, which requires scalar outputs.
     * Inputs the outputs do not depend on get a zero gradient.
     *
     * @param createGraph record the gradient computation so the result can be differentiated again
     * @param retainGraph keep the forward graph usable for another backward pass
     */
    public static List<Tensor> grad(List<Tensor> outputs, List<Tensor> inputs, List<Tensor> gradOutputs,
                                    boolean createGraph, boolean retainGraph) {
        Set<Tensor> targets = Collections.newSetFromMap(new IdentityHashMap<>());
        targets.addAll(inputs);
        Map<Tensor, Tensor> grads = run(outputs, gradOutputs, targets, false, createGraph, retainGraph);
        List<Tensor> result = new ArrayList<>(inputs.size());
        for (Tensor in : inputs) {
            Tensor g = grads.get(in);
            result.add(g != null ? g : Tensor.zeros(in.dtype(), in.shape()));
        }
        return result;
    }

    /** {@link #grad(List, List, List, boolean, boolean)} for one scalar output; retains the graph iff createGraph. */
    public static List<Tensor> grad(Tensor output, List<Tensor> inputs, boolean createGraph) {
        return grad(List.of(output), inputs, null, createGraph, createGraph);
    }

    /** Accumulates d(output)/d(leaf) into {@code leaf.grad()} for every reachable leaf that requires grad. */
    static void backward(Tensor output, Tensor gradOutput, boolean createGraph) {
        run(List.of(output), gradOutput == null ? null : List.of(gradOutput), null, true, createGraph, createGraph);
    }

    /**
     * The reverse sweep. {@code targets} null means "every leaf that requires grad" and the results are
     * accumulated into the leaves' {@code grad}; otherwise the gradients of the targets are returned.
     */
    private static Map<Tensor, Tensor> run(List<Tensor> outputs, List<Tensor> gradOutputs, Set<Tensor> targets,
                                           boolean accumulateIntoLeaves, boolean createGraph, boolean retainGraph) {
        List<Tensor> order = topologicalOrder(outputs);
        // A tensor is relevant if a target (or, for backward(), a leaf requiring grad) is reachable from it.
        Set<Tensor> relevant = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Tensor t : order) { // order lists inputs before the ops that use them
            boolean isTarget = targets != null ? targets.contains(t) : (t.node == null && t.requiresGrad());
            if (isTarget) { relevant.add(t); continue; }
            if (t.node != null) {
                for (Tensor in : t.node.inputs) {
                    if (relevant.contains(in)) { relevant.add(t); break; }
                }
            }
        }
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        for (int k = 0; k < outputs.size(); k++) {
            Tensor out = outputs.get(k);
            Tensor seed;
            if (gradOutputs == null || gradOutputs.get(k) == null) {
                if (out.size() != 1) {
                    throw new IllegalArgumentException("grad of a non-scalar output " + Shape.str(out.shape())
                            + " needs an explicit gradOutput");
                }
                seed = Tensor.ones(out.dtype(), out.shape());
            } else {
                seed = gradOutputs.get(k);
                if (!java.util.Arrays.equals(seed.shape(), out.shape())) {
                    throw new IllegalArgumentException("gradOutput shape " + Shape.str(seed.shape())
                            + " differs from output shape " + Shape.str(out.shape()));
                }
            }
            accumulate(grads, out, seed, createGraph);
        }
        try (Mode ignored = gradMode(createGraph)) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Node node = t.node;
                Tensor g = grads.get(t);
                if (node == null || g == null || !relevant.contains(t)) continue;
                boolean[] needed = new boolean[node.inputs.length];
                boolean any = false;
                for (int j = 0; j < needed.length; j++) {
                    needed[j] = relevant.contains(node.inputs[j]);
                    any |= needed[j];
                }
                if (any) {
                    Tensor[] inGrads = node.rule.apply(g, needed);
                    for (int j = 0; j < needed.length; j++) {
                        if (needed[j] && inGrads[j] != null) accumulate(grads, node.inputs[j], inGrads[j], createGraph);
                    }
                }
                if (targets == null || !targets.contains(t)) grads.remove(t); // interior gradient no longer needed
            }
        }
        if (accumulateIntoLeaves) {
            for (Map.Entry<Tensor, Tensor> e : grads.entrySet()) {
                Tensor leaf = e.getKey();
                if (leaf.node == null && leaf.requiresGrad()) {
                    Tensor g = createGraph ? e.getValue() : e.getValue().detach();
                    leaf.accumulateGrad(g);
                }
            }
        }
        if (!retainGraph) {
            for (Tensor t : order) t.node = null; // release: the interior tensors become plain constants
        }
        return grads;
    }

    private static void accumulate(Map<Tensor, Tensor> grads, Tensor t, Tensor g, boolean createGraph) {
        if (g.dtype() != t.dtype()) g = g.to(t.dtype());
        Tensor prev = grads.get(t);
        if (prev == null) {
            grads.put(t, g);
        } else {
            try (Mode ignored = gradMode(createGraph)) {
                grads.put(t, prev.add(g));
            }
        }
    }

    /** Tensors reachable from the outputs, every input before the op that consumes it (iterative DFS). */
    private static List<Tensor> topologicalOrder(List<Tensor> outputs) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object[]> stack = new ArrayDeque<>(); // {tensor, next input index}
        for (Tensor out : outputs) {
            if (!visited.add(out)) continue;
            stack.push(new Object[] {out, 0});
            while (!stack.isEmpty()) {
                Object[] top = stack.peek();
                Tensor t = (Tensor) top[0];
                int next = (Integer) top[1];
                Tensor[] ins = t.node == null ? new Tensor[0] : t.node.inputs;
                if (next < ins.length) {
                    top[1] = next + 1;
                    Tensor in = ins[next];
                    if (visited.add(in)) stack.push(new Object[] {in, 0});
                } else {
                    stack.pop();
                    order.add(t);
                }
            }
        }
        return order;
    }
}
