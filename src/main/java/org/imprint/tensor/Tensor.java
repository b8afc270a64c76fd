package org.imprint.tensor;

import java.util.Arrays;
import java.util.List;
import org.imprint.kernels.Blas;
import org.imprint.tensor.Autograd.Backward;
import org.imprint.tensor.Autograd.Node;
import org.imprint.tensor.Kernels.Binary;
import org.imprint.tensor.Kernels.Reduce;
import org.imprint.tensor.Kernels.Unary;

/**
 * A dense, contiguous, row-major array of float64 or float32 values that records the ops applied to it
 * so gradients can be taken by reverse-mode differentiation ({@link #backward()}, {@link Autograd#grad}).
 *
 * <p>Each op below is a forward computation with its backward rule right beside it. The rules are written
 * in tensor ops (never on raw numbers), so gradients can be differentiated again to any order. Ops never
 * modify their inputs; the in-place methods ending in {@code _} are for optimizers and refuse tensors that
 * are part of a recorded graph. {@link #reshape} shares storage with its input; every other op allocates.
 * Binary ops require equal dtypes and broadcast like NumPy.
 */
public final class Tensor {
    private final DType dtype;
    private final int[] shape;
    final double[] d; // storage when F64
    final float[] f;  // storage when F32
    private boolean requiresGrad;
    Node node;        // the op that produced this tensor while grad was recorded; null for leaves
    private Tensor grad;

    private Tensor(DType dtype, int[] shape, double[] d, float[] f) {
        this.dtype = dtype;
        this.shape = shape;
        this.d = d;
        this.f = f;
    }

    // ======================================================================== construction

    /** Wraps {@code data} (not copied) as an F64 tensor of the given shape. */
    public static Tensor of(double[] data, int... shape) {
        int[] s = shape.length == 0 && data.length != 1 ? new int[] {data.length} : shape.clone();
        if (Shape.size(s) != data.length) {
            throw new IllegalArgumentException(data.length + " values do not fill shape " + Shape.str(s));
        }
        return new Tensor(DType.F64, s, data, null);
    }

    /** Wraps {@code data} (not copied) as an F32 tensor of the given shape. */
    public static Tensor of(float[] data, int... shape) {
        int[] s = shape.length == 0 && data.length != 1 ? new int[] {data.length} : shape.clone();
        if (Shape.size(s) != data.length) {
            throw new IllegalArgumentException(data.length + " values do not fill shape " + Shape.str(s));
        }
        return new Tensor(DType.F32, s, null, data);
    }

    /** A rank-0 F64 tensor. */
    public static Tensor scalar(double v) {
        return new Tensor(DType.F64, new int[0], new double[] {v}, null);
    }

    public static Tensor scalar(DType dtype, double v) {
        return full(dtype, v);
    }

    public static Tensor zeros(DType dtype, int... shape) {
        int n = Shape.size(shape);
        return dtype == DType.F64 ? new Tensor(dtype, shape.clone(), new double[n], null)
                                  : new Tensor(dtype, shape.clone(), null, new float[n]);
    }

    public static Tensor ones(DType dtype, int... shape) {
        return full(dtype, 1.0, shape);
    }

    public static Tensor full(DType dtype, double value, int... shape) {
        Tensor t = zeros(dtype, shape);
        if (t.d != null) Arrays.fill(t.d, value); else Arrays.fill(t.f, (float) value);
        return t;
    }

    /** Values 0, 1, …, n−1. */
    public static Tensor arange(DType dtype, int n) {
        Tensor t = zeros(dtype, n);
        for (int i = 0; i < n; i++) t.setFlat(i, i);
        return t;
    }

    /** Uniform on [lo, hi), drawn in row-major order from {@code rng}: the same seed gives the same bits. */
    public static Tensor uniform(DType dtype, Rng rng, double lo, double hi, int... shape) {
        Tensor t = zeros(dtype, shape);
        for (int i = 0; i < t.size(); i++) t.setFlat(i, lo + (hi - lo) * rng.nextDouble());
        return t;
    }

    /** Normal(mean, std²), drawn in row-major order from {@code rng}. */
    public static Tensor normal(DType dtype, Rng rng, double mean, double std, int... shape) {
        Tensor t = zeros(dtype, shape);
        for (int i = 0; i < t.size(); i++) t.setFlat(i, mean + std * rng.nextGaussian());
        return t;
    }

    private static Tensor empty(DType dtype, int[] shape) {
        return zeros(dtype, shape);
    }

    // ======================================================================== inspection

    public DType dtype() { return dtype; }

    /** A copy of the shape. */
    public int[] shape() { return shape.clone(); }

    public int rank() { return shape.length; }

    /** Size of dimension {@code axis} (negative counts from the end). */
    public int dim(int axis) { return shape[Shape.axis(axis, shape.length)]; }

    public int size() { return d != null ? d.length : f.length; }

    /** The value of a one-element tensor. */
    public double item() {
        if (size() != 1) throw new IllegalArgumentException("item() of a tensor of shape " + Shape.str(shape));
        return getFlat(0);
    }

    public double getFlat(int i) { return d != null ? d[i] : f[i]; }

    private void setFlat(int i, double v) {
        if (d != null) d[i] = v; else f[i] = (float) v;
    }

    /** The value at a multi-index. */
    public double get(int... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index of rank " + index.length + " for shape " + Shape.str(shape));
        }
        int flat = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " out of " + Shape.str(shape));
            }
            flat = flat * shape[i] + index[i];
        }
        return getFlat(flat);
    }

    /** A copy of the values as doubles, row-major. */
    public double[] toDoubleArray() {
        if (d != null) return d.clone();
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) out[i] = f[i];
        return out;
    }

    /** A copy of the values as floats, row-major. */
    public float[] toFloatArray() {
        if (f != null) return f.clone();
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) out[i] = (float) d[i];
        return out;
    }

    /** The backing F64 array (no copy); for kernels and optimizers. Throws for F32 tensors. */
    public double[] doubleData() {
        if (d == null) throw new IllegalStateException("tensor is " + dtype + ", not F64");
        return d;
    }

    /** The backing F32 array (no copy). Throws for F64 tensors. */
    public float[] floatData() {
        if (f == null) throw new IllegalStateException("tensor is " + dtype + ", not F32");
        return f;
    }

    private Object data() { return d != null ? d : f; }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor(").append(dtype).append(' ').append(Shape.str(shape)).append(" [");
        int n = Math.min(size(), 8);
        for (int i = 0; i < n; i++) sb.append(i > 0 ? ", " : "").append(getFlat(i));
        if (size() > n) sb.append(", …");
        sb.append("]");
        if (node != null) sb.append(" grad_fn=").append(node.op);
        else if (requiresGrad) sb.append(" requires_grad");
        return sb.append(')').toString();
    }

    // ======================================================================== autograd API

    /** Marks this leaf as a variable to differentiate with respect to; returns this. */
    public Tensor requiresGrad(boolean on) {
        if (node != null) throw new IllegalStateException("requiresGrad can only be set on leaf tensors");
        requiresGrad = on;
        return this;
    }

    /** True for a leaf marked {@link #requiresGrad(boolean)} and for every tensor recorded from one. */
    public boolean requiresGrad() { return requiresGrad || node != null; }

    /** The gradient accumulated by {@link #backward()}, or null. */
    public Tensor grad() { return grad; }

    public void zeroGrad() { grad = null; }

    /** Sets the gradient that optimizers read (PyTorch's {@code p.grad = g}); same shape and dtype, or null. */
    public void setGrad(Tensor g) {
        if (g != null) checkSameShape(g, "setGrad");
        grad = g;
    }

    void accumulateGrad(Tensor g) {
        grad = grad == null ? g : grad.add(g);
    }

    /** Accumulates d(this)/d(leaf) into every leaf's {@link #grad()}; this must be a scalar. Releases the graph. */
    public void backward() { Autograd.backward(this, null, false); }

    /** {@link #backward()} with an explicit upstream gradient and optional graph recording (double backprop). */
    public void backward(Tensor gradOutput, boolean createGraph) { Autograd.backward(this, gradOutput, createGraph); }

    /** The same values, cut from the graph (shares storage). */
    public Tensor detach() {
        return new Tensor(dtype, shape, d, f);
    }

    /** A copy with its own storage, cut from the graph. */
    public Tensor copy() {
        return new Tensor(dtype, shape, d == null ? null : d.clone(), f == null ? null : f.clone());
    }

    /** Records {@code out} as produced by {@code op} from {@code inputs} when grad is on and any input needs it. */
    private static Tensor record(Tensor out, String op, Backward rule, Tensor... inputs) {
        if (!Autograd.isGradEnabled()) return out;
        for (Tensor in : inputs) {
            if (in.requiresGrad()) {
                out.node = new Node(op, inputs, rule);
                return out;
            }
        }
        return out;
    }

    // ======================================================================== in-place updates (optimizers)

    private void checkInPlace() {
        if (node != null) throw new IllegalStateException("in-place update of a tensor recorded in a graph");
    }

    /** this += alpha·x, elementwise, same shape and dtype. Not recorded. */
    public Tensor axpy_(double alpha, Tensor x) {
        checkInPlace();
        checkSameShape(x, "axpy_");
        if (d != null) {
            double[] xd = x.d;
            Kernels.parallel(d.length, (lo, hi) -> { for (int i = lo; i < hi; i++) d[i] += alpha * xd[i]; });
        } else {
            float a = (float) alpha;
            float[] xf = x.f;
            Kernels.parallel(f.length, (lo, hi) -> { for (int i = lo; i < hi; i++) f[i] += a * xf[i]; });
        }
        return this;
    }

    /** this *= s. Not recorded. */
    public Tensor scale_(double s) {
        checkInPlace();
        if (d != null) { for (int i = 0; i < d.length; i++) d[i] *= s; }
        else { float sf = (float) s; for (int i = 0; i < f.length; i++) f[i] *= sf; }
        return this;
    }

    /** Copies the values of {@code src} (same shape; converted if the dtype differs). Not recorded. */
    public Tensor copy_(Tensor src) {
        checkInPlace();
        if (!Arrays.equals(shape, src.shape)) {
            throw new IllegalArgumentException("copy_ from " + Shape.str(src.shape) + " into " + Shape.str(shape));
        }
        for (int i = 0; i < size(); i++) setFlat(i, src.getFlat(i));
        return this;
    }

    public Tensor fill_(double v) {
        checkInPlace();
        if (d != null) Arrays.fill(d, v); else Arrays.fill(f, (float) v);
        return this;
    }

    private void checkSameShape(Tensor x, String op) {
        if (!Arrays.equals(shape, x.shape) || dtype != x.dtype) {
            throw new IllegalArgumentException(op + ": " + dtype + Shape.str(shape) + " vs " + x.dtype + Shape.str(x.shape));
        }
    }

    // ======================================================================== dtype

    /** Converts to {@code target} (a no-op returning this if already of that dtype). */
    public Tensor to(DType target) {
        if (target == dtype) return this;
        Tensor out = empty(target, shape);
        for (int i = 0; i < size(); i++) out.setFlat(i, getFlat(i));
        DType from = dtype;
        return record(out, "to", (g, need) -> new Tensor[] {g.to(from)}, this);
    }

    // ======================================================================== elementwise unary

    private Tensor map(Unary op, double p) {
        Tensor out = empty(dtype, shape);
        if (d != null) Kernels.map(op, p, d, out.d); else Kernels.map(op, p, f, out.f);
        return out;
    }

    public Tensor neg() {
        return record(map(Unary.NEG, 0), "neg", (g, need) -> new Tensor[] {g.neg()}, this);
    }

    /** e^x; d/dx = e^x. */
    public Tensor exp() {
        Tensor out = map(Unary.EXP, 0);
        return record(out, "exp", (g, need) -> new Tensor[] {g.mul(out)}, this);
    }

    /** ln x; d/dx = 1/x. */
    public Tensor log() {
        return record(map(Unary.LOG, 0), "log", (g, need) -> new Tensor[] {g.div(this)}, this);
    }

    /** √x; d/dx = 1/(2√x). */
    public Tensor sqrt() {
        Tensor out = map(Unary.SQRT, 0);
        return record(out, "sqrt", (g, need) -> new Tensor[] {g.div(out).mul(0.5)}, this);
    }

    /** tanh x; d/dx = 1 − tanh²x. */
    public Tensor tanh() {
        Tensor out = map(Unary.TANH, 0);
        return record(out, "tanh", (g, need) -> new Tensor[] {g.mul(out.square().neg().add(1.0))}, this);
    }

    /** σ(x) = 1/(1+e^−x), computed without overflow; d/dx = σ(1−σ). */
    public Tensor sigmoid() {
        return sigmoidOfScaled(1.0);
    }

    /**
     * s = σ(αx) in one pass; ds/dx = α·s(1−s), in tensor ops when a graph is recorded and in one fused pass
     * otherwise (the second-order pass of the reconstruction attack).
     */
    public Tensor sigmoidOfScaled(double alpha) {
        Tensor out = map(Unary.SCALED_SIGMOID, alpha);
        return record(out, "sigmoid", (g, need) -> {
            if (Autograd.isGradEnabled()) return new Tensor[] {g.mul(out.mul(out.neg().add(1.0))).mul(alpha)};
            Tensor gx = empty(dtype, shape);
            Kernels.parallel(size(), (lo, hi) -> {
                for (int i = lo; i < hi; i++) {
                    double sv = out.getFlat(i);
                    gx.setFlat(i, alpha * g.getFlat(i) * sv * (1 - sv));
                }
            });
            return new Tensor[] {gx};
        }, this);
    }

    /**
     * max(x, 0). The derivative is the step 1[x &gt; 0], taken as 0 at x = 0 (as PyTorch does); the step is a
     * constant, so every higher derivative is 0.
     */
    public Tensor relu() {
        return record(map(Unary.RELU, 0), "relu", (g, need) -> new Tensor[] {
            Autograd.isGradEnabled() ? g.mul(map(Unary.STEP, 0)) : g.keepWherePositive(this)}, this);
    }

    /** g·1[x &gt; 0] in one pass, not recorded: the first-order ReLU backward when no graph is built. */
    private Tensor keepWherePositive(Tensor x) {
        checkSameShape(x, "relu backward");
        Tensor out = empty(dtype, shape);
        if (d != null) Kernels.keepWherePositive(d, x.d, out.d); else Kernels.keepWherePositive(f, x.f, out.f);
        return out;
    }

    /**
     * Σ relu(x − hi)² + relu(lo − x)², the squared box penalty of the reconstruction attack's prior (Haim et al.
     * 2022), in one pass instead of nine tensor ops. d/dx = 2·relu(x − hi) − 2·relu(lo − x): in tensor ops when a
     * graph is recorded (so it can be differentiated again), in one fused pass otherwise.
     */
    public Tensor boxPenalty(double lo, double hi) {
        if (!(lo <= hi)) throw new IllegalArgumentException("box penalty needs lo <= hi, got [" + lo + ", " + hi + "]");
        double sum = 0;
        if (d != null) {
            for (double v : d) {
                double over = v > hi ? v - hi : v < lo ? v - lo : 0;
                sum += over * over;
            }
        } else {
            for (float v : f) {
                double over = v > hi ? v - hi : v < lo ? v - lo : 0;
                sum += over * over;
            }
        }
        return record(scalar(dtype, sum), "boxPenalty", (g, need) -> {
            if (Autograd.isGradEnabled()) return new Tensor[] {sub(hi).relu().sub(neg().add(lo).relu()).mul(g.mul(2.0))};
            double g2 = 2 * g.item();
            Tensor gx = empty(dtype, shape);
            Kernels.parallel(size(), (a, b) -> {
                for (int i = a; i < b; i++) {
                    double v = getFlat(i);
                    gx.setFlat(i, g2 * (v > hi ? v - hi : v < lo ? v - lo : 0));
                }
            });
            return new Tensor[] {gx};
        }, this);
    }

    /**
     * Σ (this − other)² in one pass (the stationarity residual ‖θ − Σ λ y ∇f‖² of the reconstruction attack).
     * Gradients ±2(this − other)·g: in tensor ops when a graph is recorded, in one fused pass otherwise.
     */
    public Tensor squaredDistance(Tensor other) {
        checkSameShape(other, "squared distance");
        if (other.dtype != dtype) throw new IllegalArgumentException("squared distance of " + dtype + " and " + other.dtype);
        double sum = 0;
        if (d != null) {
            for (int i = 0; i < d.length; i++) {
                double diff = d[i] - other.d[i];
                sum += diff * diff;
            }
        } else {
            for (int i = 0; i < f.length; i++) {
                double diff = (double) f[i] - other.f[i];
                sum += diff * diff;
            }
        }
        return record(scalar(dtype, sum), "squaredDistance", (g, need) -> {
            if (Autograd.isGradEnabled()) {
                Tensor twice = sub(other).mul(g.mul(2.0));
                return new Tensor[] {need[0] ? twice : null, need[1] ? twice.neg() : null};
            }
            double g2 = 2 * g.item();
            Tensor ga = need[0] ? empty(dtype, shape) : null, gb = need[1] ? empty(dtype, shape) : null;
            Kernels.parallel(size(), (a, b) -> {
                for (int i = a; i < b; i++) {
                    double v = g2 * (getFlat(i) - other.getFlat(i));
                    if (ga != null) ga.setFlat(i, v);
                    if (gb != null) gb.setFlat(i, -v);
                }
            });
            return new Tensor[] {ga, gb};
        }, this, other);
    }

    /**
     * ReLU forward with a smoothed backward: the value is exactly max(x, 0), the derivative used is
     * σ(αx) and so the second derivative is α·σ(αx)(1−σ(αx)). This is the surrogate of Haim et al. (2022)
     * for the reconstruction attack's double backprop, where ReLU's own second derivative is 0 a.e.
     * The rule is shared with {@link #softplus(double)}, whose true derivatives these are.
     */
    public Tensor smoothRelu(double alpha) {
        return sigmoidGated(map(Unary.RELU, 0), alpha, "smoothRelu");
    }

    /**
     * softplus_α(x) = (1/α)·log(1 + e^(αx)) (PyTorch's Softplus with beta = α), a smooth ReLU whose
     * derivative is σ(αx) and second derivative α·σ(αx)(1−σ(αx)).
     */
    public Tensor softplus(double alpha) {
        Tensor out = mul(alpha).detach();
        try (var ignored = Autograd.noGrad()) {
            out = out.softplus().mul(1.0 / alpha);
        }
        return sigmoidGated(out, alpha, "softplusAlpha");
    }

    /** Records {@code value} as a function of this tensor with derivative σ(α·this). */
    private Tensor sigmoidGated(Tensor value, double alpha, String op) {
        if (!(alpha > 0) || Double.isInfinite(alpha)) throw new IllegalArgumentException(op + " alpha must be > 0, got " + alpha);
        return record(value, op, (g, need) -> new Tensor[] {g.mul(sigmoidOfScaled(alpha))}, this);
    }

    /** softplus(x) = log(1+e^x), stable for large |x|; d/dx = σ(x). */
    public Tensor softplus() {
        return record(map(Unary.SOFTPLUS, 0), "softplus", (g, need) -> new Tensor[] {g.mul(sigmoid())}, this);
    }

    /**
     * SiLU(x) = x·σ(x) in one pass; d/dx = σ(x)·(1 + x·(1 − σ(x))), in tensor ops when a graph is recorded and
     * in one fused pass otherwise.
     */
    public Tensor silu() {
        Tensor out = empty(dtype, shape);
        Kernels.parallel(size(), (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                double x = getFlat(i);
                out.setFlat(i, x * Kernels.apply(Unary.SIGMOID, x, 0));
            }
        });
        return record(out, "silu", (g, need) -> {
            if (Autograd.isGradEnabled()) {
                Tensor sg = sigmoid();
                return new Tensor[] {g.mul(sg.mul(mul(sg.neg().add(1.0)).add(1.0)))};
            }
            Tensor gx = empty(dtype, shape);
            Kernels.parallel(size(), (lo, hi) -> {
                for (int i = lo; i < hi; i++) {
                    double x = getFlat(i), sg = Kernels.apply(Unary.SIGMOID, x, 0);
                    gx.setFlat(i, g.getFlat(i) * sg * (1 + x * (1 - sg)));
                }
            });
            return new Tensor[] {gx};
        }, this);
    }

    /** |x|; d/dx = sign(x) (0 at 0). */
    public Tensor abs() {
        return record(map(Unary.ABS, 0), "abs", (g, need) -> new Tensor[] {g.mul(map(Unary.SIGN, 0))}, this);
    }

    /** x^p for a constant p; d/dx = p·x^(p−1). x¹ is x itself and x² is {@link #square()}. */
    public Tensor pow(double p) {
        if (p == 1.0) return mul(1.0);
        if (p == 2.0) return square();
        return record(map(Unary.POW, p), "pow", (g, need) -> new Tensor[] {g.mul(pow(p - 1).mul(p))}, this);
    }

    /** x²; d/dx = 2x. */
    public Tensor square() {
        return record(map(Unary.SQUARE, 0), "square", (g, need) -> new Tensor[] {g.mul(this).mul(2.0)}, this);
    }

    public Tensor sin() {
        return record(map(Unary.SIN, 0), "sin", (g, need) -> new Tensor[] {g.mul(cos())}, this);
    }

    public Tensor cos() {
        return record(map(Unary.COS, 0), "cos", (g, need) -> new Tensor[] {g.mul(sin()).neg()}, this);
    }

    /** x·s for a constant s. */
    public Tensor mul(double s) {
        return record(map(Unary.SCALE, s), "mulScalar", (g, need) -> new Tensor[] {g.mul(s)}, this);
    }

    /** x + s for a constant s. */
    public Tensor add(double s) {
        return record(map(Unary.SHIFT, s), "addScalar", (g, need) -> new Tensor[] {g}, this);
    }

    public Tensor sub(double s) { return add(-s); }

    public Tensor div(double s) { return mul(1.0 / s); }

    // ======================================================================== elementwise binary (broadcasting)

    private Tensor binary(Binary op, Tensor o) {
        if (o.dtype != dtype) {
            throw new IllegalArgumentException(op + " of " + dtype + " and " + o.dtype + ": convert with to() first");
        }
        int[] outShape = Arrays.equals(shape, o.shape) ? shape : Shape.broadcast(shape, o.shape);
        Tensor out = empty(dtype, outShape);
        int[] sa = Shape.broadcastStrides(shape, outShape), sb = Shape.broadcastStrides(o.shape, outShape);
        if (d != null) Kernels.binary(op, d, sa, o.d, sb, out.d, outShape);
        else Kernels.binary(op, f, sa, o.f, sb, out.f, outShape);
        return out;
    }

    /** a + b; grads sum over broadcast dimensions. */
    public Tensor add(Tensor o) {
        return record(binary(Binary.ADD, o), "add",
                (g, need) -> new Tensor[] {need[0] ? g.sumTo(shape) : null, need[1] ? g.sumTo(o.shape) : null}, this, o);
    }

    public Tensor sub(Tensor o) {
        return record(binary(Binary.SUB, o), "sub",
                (g, need) -> new Tensor[] {need[0] ? g.sumTo(shape) : null, need[1] ? g.neg().sumTo(o.shape) : null}, this, o);
    }

    /** a·b; d/da = b, d/db = a. */
    public Tensor mul(Tensor o) {
        return record(binary(Binary.MUL, o), "mul",
                (g, need) -> new Tensor[] {need[0] ? g.mul(o).sumTo(shape) : null, need[1] ? g.mul(this).sumTo(o.shape) : null},
                this, o);
    }

    /** a/b; d/da = 1/b, d/db = −a/b². */
    public Tensor div(Tensor o) {
        return record(binary(Binary.DIV, o), "div", (g, need) -> new Tensor[] {
            need[0] ? g.div(o).sumTo(shape) : null,
            need[1] ? g.mul(this).div(o.square()).neg().sumTo(o.shape) : null}, this, o);
    }

    /** Elementwise max(a, b); the gradient goes to a where a ≥ b, else to b. */
    public Tensor maximum(Tensor o) {
        Tensor out = binary(Binary.MAX, o);
        return record(out, "maximum", (g, need) -> {
            Tensor takeA = ge(o);
            return new Tensor[] {need[0] ? g.mul(takeA).sumTo(shape) : null,
                                 need[1] ? g.mul(takeA.neg().add(1.0)).sumTo(o.shape) : null};
        }, this, o);
    }

    // Comparisons give 0/1 tensors of the same dtype; they are constants (no gradient).
    public Tensor gt(Tensor o) { return binary(Binary.GT, o); }
    public Tensor ge(Tensor o) { return binary(Binary.GE, o); }
    public Tensor lt(Tensor o) { return binary(Binary.LT, o); }
    public Tensor eq(Tensor o) { return binary(Binary.EQ, o); }
    public Tensor gt(double v) { return binary(Binary.GT, full(dtype, v)); }
    public Tensor lt(double v) { return binary(Binary.LT, full(dtype, v)); }

    /**
     * where(mask, a, b): a where mask ≠ 0, else b; the three broadcast together. The mask is a constant;
     * the gradient flows to a where the mask is set and to b elsewhere.
     */
    public static Tensor where(Tensor mask, Tensor a, Tensor b) {
        if (a.dtype != b.dtype || mask.dtype != a.dtype) throw new IllegalArgumentException("where: dtypes differ");
        int[] outShape = Shape.broadcast(Shape.broadcast(mask.shape, a.shape), b.shape);
        Tensor m, ea, eb;
        try (var ignored = Autograd.noGrad()) {
            m = mask.expand(outShape);
            ea = a.expand(outShape);
            eb = b.expand(outShape);
        }
        Tensor out = empty(a.dtype, outShape);
        if (out.d != null) Kernels.select(m.d, ea.d, eb.d, out.d); else Kernels.select(m.f, ea.f, eb.f, out.f);
        Tensor zero = zeros(a.dtype);
        return record(out, "where", (g, need) -> new Tensor[] {
            need[0] ? where(m, g, zero).sumTo(a.shape) : null,
            need[1] ? where(m, zero, g).sumTo(b.shape) : null}, a, b);
    }

    // ======================================================================== reductions

    /** Sum of all elements (a scalar). */
    public Tensor sum() {
        int[] all = new int[shape.length];
        for (int i = 0; i < all.length; i++) all[i] = i;
        return sum(all, false);
    }

    public Tensor sum(int axis, boolean keepDim) { return sum(new int[] {axis}, keepDim); }

    /** Sum over {@code axes}; the gradient is the upstream gradient broadcast back. */
    public Tensor sum(int[] axes, boolean keepDim) {
        boolean[] reduced = reducedAxes(axes);
        Tensor out = reduceKeep(Reduce.SUM, reduced);
        int[] keptShape = out.shape;
        if (!keepDim) out = new Tensor(out.dtype, dropAxes(reduced), out.d, out.f);
        return record(out, "sum", (g, need) -> new Tensor[] {g.reshape(keptShape).expand(shape)}, this);
    }

    /** Mean of all elements. */
    public Tensor mean() { return sum().mul(1.0 / Math.max(size(), 1)); }

    public Tensor mean(int axis, boolean keepDim) {
        return sum(axis, keepDim).mul(1.0 / dim(axis));
    }

    /** Maximum along {@code axis}; the gradient is shared equally among the positions that attain it. */
    public Tensor max(int axis, boolean keepDim) {
        boolean[] reduced = reducedAxes(new int[] {axis});
        Tensor kept = reduceKeep(Reduce.MAX, reduced);
        Tensor out = keepDim ? kept : new Tensor(kept.dtype, dropAxes(reduced), kept.d, kept.f);
        int[] keptShape = kept.shape;
        return record(out, "max", (g, need) -> {
            Tensor hit = eq(kept);
            Tensor count = hit.sum(axis, true);
            return new Tensor[] {g.reshape(keptShape).div(count).mul(hit)};
        }, this);
    }

    private boolean[] reducedAxes(int[] axes) {
        boolean[] r = new boolean[shape.length];
        for (int a : axes) r[Shape.axis(a, shape.length)] = true;
        return r;
    }

    private int[] dropAxes(boolean[] reduced) {
        int k = 0;
        for (boolean b : reduced) if (!b) k++;
        int[] s = new int[k];
        k = 0;
        for (int i = 0; i < shape.length; i++) if (!reduced[i]) s[k++] = shape[i];
        return s;
    }

    /** Reduces the marked axes one at a time (each as an (outer, n, inner) pass), keeping them as size 1. */
    private Tensor reduceKeep(Reduce op, boolean[] reduced) {
        Tensor cur = this;
        int[] s = shape.clone();
        for (int ax = 0; ax < s.length; ax++) {
            if (!reduced[ax]) continue;
            int outer = 1, inner = 1;
            for (int i = 0; i < ax; i++) outer *= s[i];
            for (int i = ax + 1; i < s.length; i++) inner *= s[i];
            int n = s[ax];
            int[] ns = s.clone();
            ns[ax] = 1;
            Tensor next = empty(dtype, ns);
            if (cur.d != null) Kernels.reduce(op, cur.d, outer, n, inner, next.d);
            else Kernels.reduce(op, cur.f, outer, n, inner, next.f);
            cur = next;
            s = ns;
        }
        return cur == this ? copy() : cur;
    }

    /**
     * Sums this tensor down to {@code target}, the inverse of broadcasting: leading extra axes and axes where
     * the target has size 1 are summed. Used by the backward rules of broadcasting ops.
     */
    public Tensor sumTo(int[] target) {
        if (Arrays.equals(shape, target)) return this;
        int lead = shape.length - target.length;
        if (lead < 0) throw new IllegalArgumentException("cannot sum " + Shape.str(shape) + " to " + Shape.str(target));
        int[] axes = new int[shape.length];
        int k = 0;
        for (int i = 0; i < shape.length; i++) {
            if (i < lead) axes[k++] = i;
            else if (target[i - lead] == 1 && shape[i] != 1) axes[k++] = i;
            else if (target[i - lead] != shape[i]) {
                throw new IllegalArgumentException("cannot sum " + Shape.str(shape) + " to " + Shape.str(target));
            }
        }
        return sum(Arrays.copyOf(axes, k), true).reshape(target);
    }

    /** Broadcasts to {@code target} (materialised); the gradient sums back. */
    public Tensor expand(int[] target) {
        if (Arrays.equals(shape, target)) return this;
        int[] outShape = Shape.broadcast(shape, target);
        if (!Arrays.equals(outShape, target)) {
            throw new IllegalArgumentException("cannot expand " + Shape.str(shape) + " to " + Shape.str(target));
        }
        Tensor out = empty(dtype, target);
        int[] src = Shape.broadcastStrides(shape, target), zero = new int[target.length];
        Tensor z = zeros(dtype, 1);
        if (d != null) Kernels.binary(Binary.ADD, d, src, z.d, zero, out.d, target);
        else Kernels.binary(Binary.ADD, f, src, z.f, zero, out.f, target);
        return record(out, "expand", (g, need) -> new Tensor[] {g.sumTo(shape)}, this);
    }

    /**
     * softmax over the last axis, y_j = e^(x_j − max) / Σ_k e^(x_k − max), one pass per row. With {@code causal}
     * the input is (…, T, T) attention scores and row i keeps columns j ≤ i only (the others are exactly 0, as if
     * they were −∞). Backward: dx = y ⊙ (g − Σ_j g_j y_j), in tensor ops (so it can be differentiated again), or
     * in one fused pass when no graph is recorded.
     */
    public Tensor softmaxLastAxis(boolean causal) {
        int c = shape.length == 0 ? 1 : shape[shape.length - 1];
        if (causal && (shape.length < 2 || shape[shape.length - 2] != c)) {
            throw new IllegalArgumentException("causal softmax expects (…, T, T), got " + Shape.str(shape));
        }
        Tensor y = empty(dtype, shape);
        int rows = c == 0 ? 0 : size() / c;
        Kernels.parallel(rows, size(), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int valid = causal ? r % c + 1 : c, o = r * c;
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j < valid; j++) max = Math.max(max, getFlat(o + j));
                for (int j = 0; j < valid; j++) {
                    double e = Math.exp(getFlat(o + j) - max);
                    y.setFlat(o + j, e);
                    sum += e;
                }
                for (int j = 0; j < valid; j++) y.setFlat(o + j, y.getFlat(o + j) / sum);
            }
        });
        return record(y, causal ? "causalSoftmax" : "softmax", (g, need) -> {
            if (!Autograd.isGradEnabled()) return new Tensor[] {g.softmaxBackward(y, c)};
            Tensor gy = g.mul(y);
            return new Tensor[] {gy.sub(y.mul(gy.sum(-1, true)))};
        }, this);
    }

    /** y ⊙ (this − Σ_j this_j y_j) per row of length c, in one pass per row; not recorded. */
    private Tensor softmaxBackward(Tensor y, int c) {
        Tensor out = empty(dtype, shape);
        int rows = c == 0 ? 0 : size() / c;
        Kernels.parallel(rows, size(), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * c;
                double dot = 0;
                for (int j = 0; j < c; j++) dot += getFlat(o + j) * y.getFlat(o + j);
                for (int j = 0; j < c; j++) out.setFlat(o + j, y.getFlat(o + j) * (getFlat(o + j) - dot));
            }
        });
        return out;
    }

    // ======================================================================== shape ops

    /** Same values in a new shape (one dimension may be −1); shares storage. */
    public Tensor reshape(int... newShape) {
        int[] s = Shape.resolveReshape(newShape, size());
        if (Arrays.equals(s, shape)) return this;
        Tensor out = new Tensor(dtype, s, d, f);
        return record(out, "reshape", (g, need) -> new Tensor[] {g.reshape(shape)}, this);
    }

    /** Reorders dimensions: output dimension i is input dimension perm[i]. */
    public Tensor permute(int... perm) {
        if (perm.length != shape.length) throw new IllegalArgumentException("permute " + Arrays.toString(perm) + " for rank " + shape.length);
        int[] inverse = new int[perm.length];
        int[] outShape = new int[perm.length];
        boolean[] seen = new boolean[perm.length];
        for (int i = 0; i < perm.length; i++) {
            int p = Shape.axis(perm[i], perm.length);
            if (seen[p]) throw new IllegalArgumentException("permute repeats axis " + p);
            seen[p] = true;
            inverse[p] = i;
            outShape[i] = shape[p];
        }
        Tensor out = empty(dtype, outShape);
        int[] norm = new int[perm.length];
        for (int i = 0; i < perm.length; i++) norm[i] = Shape.axis(perm[i], perm.length);
        Kernels.permute(data(), shape, norm, out.data());
        return record(out, "permute", (g, need) -> new Tensor[] {g.permute(inverse)}, this);
    }

    /** Swaps two axes. */
    public Tensor transpose(int a, int b) {
        int[] perm = new int[shape.length];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        int x = Shape.axis(a, perm.length), y = Shape.axis(b, perm.length);
        perm[x] = y;
        perm[y] = x;
        return permute(perm);
    }

    /** Transpose of a matrix (swaps the last two axes). */
    public Tensor t() {
        if (shape.length < 2) throw new IllegalArgumentException("t() needs rank >= 2, got " + Shape.str(shape));
        return transpose(-2, -1);
    }

    /** Elements [start, end) along {@code axis}; the gradient is placed back into zeros. */
    public Tensor slice(int axis, int start, int end) {
        int ax = Shape.axis(axis, shape.length);
        if (start < 0 || end > shape[ax] || start > end) {
            throw new IllegalArgumentException("slice [" + start + ", " + end + ") of axis " + ax + " with size " + shape[ax]);
        }
        int[] outShape = shape.clone();
        outShape[ax] = end - start;
        Tensor out = empty(dtype, outShape);
        copyBlock(this, ax, start, out, 0, end - start);
        int full = shape[ax];
        return record(out, "slice", (g, need) -> new Tensor[] {g.padAxis(ax, start, full)}, this);
    }

    /** Embeds this tensor at [start, start+len) of a zero tensor whose {@code axis} has size {@code full}. */
    private Tensor padAxis(int ax, int start, int full) {
        int[] outShape = shape.clone();
        outShape[ax] = full;
        Tensor out = zeros(dtype, outShape);
        copyBlock(this, ax, 0, out, start, shape[ax]);
        int len = shape[ax];
        return record(out, "pad", (g, need) -> new Tensor[] {g.slice(ax, start, start + len)}, this);
    }

    /** Copies {@code len} positions of axis {@code ax} from src (from srcStart) to dst (at dstStart). */
    private static void copyBlock(Tensor src, int ax, int srcStart, Tensor dst, int dstStart, int len) {
        int outer = 1, inner = 1;
        for (int i = 0; i < ax; i++) outer *= src.shape[i];
        for (int i = ax + 1; i < src.shape.length; i++) inner *= src.shape[i];
        int sn = src.shape[ax], dn = dst.shape[ax];
        for (int o = 0; o < outer; o++) {
            int s = (o * sn + srcStart) * inner, t = (o * dn + dstStart) * inner;
            System.arraycopy(src.data(), s, dst.data(), t, len * inner);
        }
    }

    /** Joins tensors along {@code axis}; the gradient is sliced back. */
    public static Tensor concat(List<Tensor> parts, int axis) {
        if (parts.isEmpty()) throw new IllegalArgumentException("concat of no tensors");
        Tensor first = parts.get(0);
        int ax = Shape.axis(axis, first.shape.length);
        int[] outShape = first.shape.clone();
        outShape[ax] = 0;
        for (Tensor p : parts) {
            if (p.dtype != first.dtype || p.shape.length != first.shape.length) throw new IllegalArgumentException("concat: dtype or rank differs");
            for (int i = 0; i < outShape.length; i++) {
                if (i != ax && p.shape[i] != first.shape[i]) {
                    throw new IllegalArgumentException("concat: shapes " + Shape.str(first.shape) + " and " + Shape.str(p.shape));
                }
            }
            outShape[ax] += p.shape[ax];
        }
        Tensor out = empty(first.dtype, outShape);
        int[] starts = new int[parts.size()];
        int at = 0;
        for (int k = 0; k < parts.size(); k++) {
            starts[k] = at;
            copyBlock(parts.get(k), ax, 0, out, at, parts.get(k).shape[ax]);
            at += parts.get(k).shape[ax];
        }
        Tensor[] inputs = parts.toArray(new Tensor[0]);
        return record(out, "concat", (g, need) -> {
            Tensor[] gs = new Tensor[inputs.length];
            for (int k = 0; k < inputs.length; k++) {
                if (need[k]) gs[k] = g.slice(ax, starts[k], starts[k] + inputs[k].shape[ax]);
            }
            return gs;
        }, inputs);
    }

    /** Rows {@code index[i]} of this tensor along axis 0 (embedding lookup); the gradient is scatter-added. */
    public Tensor indexSelect(int[] index) {
        int rows = shape.length == 0 ? 0 : shape[0];
        int inner = rows == 0 ? 0 : size() / rows;
        int[] outShape = shape.clone();
        outShape[0] = index.length;
        Tensor out = empty(dtype, outShape);
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= rows) throw new IndexOutOfBoundsException("index " + index[i] + " out of " + rows + " rows");
            System.arraycopy(data(), index[i] * inner, out.data(), i * inner, inner);
        }
        return record(out, "indexSelect", (g, need) -> new Tensor[] {g.indexAdd(index, rows)}, this);
    }

    /** A zero tensor with {@code rows} rows into which row i of this tensor is added at row index[i]. */
    private Tensor indexAdd(int[] index, int rows) {
        int[] outShape = shape.clone();
        outShape[0] = rows;
        Tensor out = zeros(dtype, outShape);
        int inner = index.length == 0 ? 0 : size() / index.length;
        for (int i = 0; i < index.length; i++) {
            int t = index[i] * inner, s = i * inner;
            if (d != null) { for (int j = 0; j < inner; j++) out.d[t + j] += d[s + j]; }
            else { for (int j = 0; j < inner; j++) out.f[t + j] += f[s + j]; }
        }
        return record(out, "indexAdd", (g, need) -> new Tensor[] {g.indexSelect(index)}, this);
    }

    /** For x of shape (..., C): out[r] = x[r, index[r]] over the flattened leading rows (picks a class per row). */
    public Tensor takeAlongLastAxis(int[] index) {
        int c = dim(-1), rows = size() / Math.max(c, 1);
        if (index.length != rows) throw new IllegalArgumentException(index.length + " indices for " + rows + " rows");
        int[] outShape = Arrays.copyOf(shape, shape.length - 1);
        Tensor out = empty(dtype, outShape);
        for (int r = 0; r < rows; r++) {
            if (index[r] < 0 || index[r] >= c) throw new IndexOutOfBoundsException("class index " + index[r] + " out of " + c);
            out.setFlat(r, getFlat(r * c + index[r]));
        }
        int[] inShape = shape;
        return record(out, "takeAlongLastAxis", (g, need) -> new Tensor[] {g.putAlongLastAxis(index, inShape)}, this);
    }

    /** Inverse of {@link #takeAlongLastAxis}: zeros of {@code fullShape} with this tensor's values at the indices. */
    private Tensor putAlongLastAxis(int[] index, int[] fullShape) {
        Tensor out = zeros(dtype, fullShape);
        int c = fullShape[fullShape.length - 1];
        for (int r = 0; r < index.length; r++) out.setFlat(r * c + index[r], getFlat(r));
        return record(out, "putAlongLastAxis", (g, need) -> new Tensor[] {g.takeAlongLastAxis(index)}, this);
    }

    // ======================================================================== matrix products

    /**
     * Matrix product over the last two axes, NumPy style: (…, m, k) @ (…, k, n) → (…, m, n) with equal
     * batch dimensions, or a rank-2 right operand shared by every batch (a weight matrix). Runs on
     * {@link Blas} (OpenBLAS when available).
     */
    public Tensor matmul(Tensor o) {
        if (shape.length < 1 || o.shape.length < 2) {
            throw new IllegalArgumentException("matmul of " + Shape.str(shape) + " and " + Shape.str(o.shape));
        }
        if (shape.length == 1) return reshape(1, shape[0]).matmul(o).reshape(dropAxis(o.shape, o.shape.length - 2));
        if (o.shape.length == 2) { // (…, m, k) @ (k, n): one GEMM over all rows
            int k = shape[shape.length - 1];
            int[] outShape = shape.clone();
            outShape[outShape.length - 1] = o.shape[1];
            return reshape(-1, k).mm(o, false, false).reshape(outShape);
        }
        if (shape.length != o.shape.length || !Arrays.equals(Arrays.copyOf(shape, shape.length - 2), Arrays.copyOf(o.shape, o.shape.length - 2))) {
            throw new IllegalArgumentException("matmul batch dimensions differ: " + Shape.str(shape) + " and " + Shape.str(o.shape));
        }
        int[] batch = Arrays.copyOf(shape, shape.length - 2);
        int b = Shape.size(batch);
        Tensor a3 = reshape(b, dim(-2), dim(-1)), b3 = o.reshape(b, o.dim(-2), o.dim(-1));
        Tensor out = a3.mm(b3, false, false);
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = dim(-2);
        outShape[batch.length + 1] = o.dim(-1);
        return out.reshape(outShape);
    }

    /**
     * A fully connected layer in one GEMM: this (N, in) · weightᵀ (in, out) + bias (out), the bias written into the
     * output first and the product accumulated onto it (beta = 1), which saves a pass and an array over
     * {@code mm} followed by {@code add}. Backward: d(this) = G·W, dW = Gᵀ·this, d(bias) = Σ_rows G.
     */
    public Tensor linear(Tensor weight, Tensor bias) {
        if (rank() != 2 || weight.rank() != 2 || dim(1) != weight.dim(1) || weight.dtype != dtype
                || (bias != null && (bias.rank() != 1 || bias.dim(0) != weight.dim(0) || bias.dtype != dtype))) {
            throw new IllegalArgumentException("linear of " + dtype + Shape.str(shape) + " with weight " + weight.dtype + Shape.str(weight.shape)
                    + (bias == null ? "" : " and bias " + bias.dtype + Shape.str(bias.shape)));
        }
        if (bias == null) return mm(weight, false, true);
        int n = dim(0), in = dim(1), out = weight.dim(0);
        Tensor y = empty(dtype, new int[] {n, out});
        if (d != null) {
            for (int r = 0; r < n; r++) System.arraycopy(bias.d, 0, y.d, r * out, out);
            Blas.dgemm(false, true, n, out, in, 1.0, d, 0, in, weight.d, 0, in, 1.0, y.d, 0, out);
        } else {
            for (int r = 0; r < n; r++) System.arraycopy(bias.f, 0, y.f, r * out, out);
            Blas.sgemm(false, true, n, out, in, 1f, f, 0, in, weight.f, 0, in, 1f, y.f, 0, out);
        }
        return record(y, "linear", (g, need) -> new Tensor[] {
            need[0] ? g.mm(weight, false, false) : null,
            need[1] ? g.mm(this, true, false) : null,
            need[2] ? g.sum(0, false) : null}, this, weight, bias);
    }

    private static int[] dropAxis(int[] s, int ax) {
        int[] out = new int[s.length - 1];
        for (int i = 0, k = 0; i < s.length; i++) if (i != ax) out[k++] = s[i];
        return out;
    }

    /**
     * C = op(A)·op(B) for rank-2 operands or rank-3 operands with equal batch, op = transpose when the flag
     * is set. Backward (derived from dL/dC = G):
     * dA = G·op(B)ᵀ (or op(B)·Gᵀ when A is transposed), dB = op(A)ᵀ·G (or Gᵀ·op(A) when B is transposed),
     * each again an {@code mm} so it stays differentiable. No transposed copy is made.
     */
    public Tensor mm(Tensor o, boolean ta, boolean tb) {
        if (o.dtype != dtype) throw new IllegalArgumentException("matmul of " + dtype + " and " + o.dtype);
        int r = shape.length;
        if (r != o.shape.length || (r != 2 && r != 3) || (r == 3 && shape[0] != o.shape[0])) {
            throw new IllegalArgumentException("mm of " + Shape.str(shape) + " and " + Shape.str(o.shape));
        }
        int batch = r == 3 ? shape[0] : 1;
        int ar = shape[r - 2], ac = shape[r - 1], br = o.shape[r - 2], bc = o.shape[r - 1];
        int m = ta ? ac : ar, k = ta ? ar : ac, kb = tb ? bc : br, n = tb ? br : bc;
        if (k != kb) {
            throw new IllegalArgumentException("matmul inner dimensions differ: " + Shape.str(shape) + (ta ? "ᵀ" : "")
                    + " @ " + Shape.str(o.shape) + (tb ? "ᵀ" : ""));
        }
        int[] outShape = r == 3 ? new int[] {batch, m, n} : new int[] {m, n};
        Tensor out = empty(dtype, outShape);
        int sa = ar * ac, sb = br * bc, sc = m * n;
        for (int p = 0; p < batch; p++) {
            if (d != null) Blas.dgemm(ta, tb, m, n, k, 1.0, d, p * sa, ac, o.d, p * sb, bc, 0.0, out.d, p * sc, n);
            else Blas.sgemm(ta, tb, m, n, k, 1f, f, p * sa, ac, o.f, p * sb, bc, 0f, out.f, p * sc, n);
        }
        return record(out, "matmul", (g, need) -> new Tensor[] {
            need[0] ? (ta ? o.mm(g, tb, true) : g.mm(o, false, !tb)) : null,
            need[1] ? (tb ? g.mm(this, true, ta) : this.mm(g, !ta, false)) : null}, this, o);
    }
}
