package org.imprint.tensor;

import static org.imprint.tensor.GradCheck.check;
import static org.imprint.tensor.GradCheck.rand;
import static org.imprint.tensor.GradCheck.randAwayFromZero;

import java.util.List;
import org.junit.jupiter.api.Test;

/** First- and second-order finite-difference checks of every differentiable op (float64). */
class OpsGradTest {
    @Test void unaryOps() {
        Tensor x = rand(1, -2, 2, 3, 4);
        Tensor pos = rand(2, 0.5, 2, 3, 4);
        check(v -> v.get(0).neg(), x);
        check(v -> v.get(0).exp(), x);
        check(v -> v.get(0).log(), pos);
        check(v -> v.get(0).sqrt(), pos);
        check(v -> v.get(0).tanh(), x);
        check(v -> v.get(0).sigmoid(), x);
        check(v -> v.get(0).softplus(), x);
        check(v -> v.get(0).softplus(7.0), x);
        check(v -> v.get(0).pow(3), x);
        check(v -> v.get(0).pow(-1.5), pos);
        check(v -> v.get(0).square(), x);
        check(v -> v.get(0).sin(), x);
        check(v -> v.get(0).cos(), x);
        check(v -> v.get(0).mul(-2.5).add(0.75), x);
        check(v -> v.get(0).div(4.0).sub(1.0), x);
    }

    @Test void kinkedOpsAwayFromTheKink() {
        Tensor x = randAwayFromZero(3, 0.05, 4, 5);
        check(v -> v.get(0).relu(), x);
        check(v -> v.get(0).abs(), x);
        check(v -> v.get(0).relu().square(), x);
    }

    @Test void broadcastingBinaryOps() {
        Tensor a = rand(4, -1, 1, 2, 3, 4), b = rand(5, 0.5, 1.5, 3, 1), c = rand(6, 0.5, 1.5, 4);
        check(v -> v.get(0).add(v.get(1)), a, b);
        check(v -> v.get(0).sub(v.get(1)), a, c);
        check(v -> v.get(0).mul(v.get(1)), a, b);
        check(v -> v.get(0).div(v.get(1)), a, c);
        check(v -> v.get(1).div(v.get(0)), rand(7, 0.5, 1.5, 2, 3, 4), b);
        check(v -> v.get(0).mul(v.get(0)), b); // the same tensor on both sides
        Tensor s = rand(8, -1, 1);
        check(v -> v.get(0).mul(v.get(1)), a, Tensor.of(new double[] {0.7}));
        check(v -> v.get(0).add(v.get(1)), s.reshape(), a);
    }

    @Test void maximumAwayFromTies() {
        Tensor a = rand(9, -1, 1, 3, 4);
        Tensor b = a.add(randAwayFromZero(10, 0.05, 3, 4)).detach();
        check(v -> v.get(0).maximum(v.get(1)), a, b);
    }

    @Test void whereRoutesGradients() {
        Tensor mask = rand(11, -1, 1, 3, 4).gt(0.0);
        check(v -> Tensor.where(mask, v.get(0), v.get(1)), rand(12, -1, 1, 3, 4), rand(13, -1, 1, 4));
    }

    @Test void reductions() {
        Tensor x = rand(14, -1, 1, 2, 3, 4);
        check(v -> v.get(0).sum(), x);
        check(v -> v.get(0).sum(1, false), x);
        check(v -> v.get(0).sum(new int[] {0, 2}, true), x);
        check(v -> v.get(0).mean(), x);
        check(v -> v.get(0).mean(-1, true), x);
        check(v -> v.get(0).max(1, false).square(), x);
        check(v -> v.get(0).max(-1, true), x);
        check(v -> v.get(0).sumTo(new int[] {3, 1}), x);
        check(v -> v.get(0).expand(new int[] {2, 3, 4}), rand(15, -1, 1, 3, 1));
    }

    @Test void shapeOps() {
        Tensor x = rand(16, -1, 1, 2, 3, 4);
        check(v -> v.get(0).reshape(6, -1).square(), x);
        check(v -> v.get(0).permute(2, 0, 1).exp(), x);
        check(v -> v.get(0).transpose(0, 2).square(), x);
        check(v -> v.get(0).slice(1, 1, 3).square(), x);
        check(v -> Tensor.concat(List.of(v.get(0), v.get(1).square()), 1), x, rand(17, -1, 1, 2, 2, 4));
        check(v -> v.get(0).indexSelect(new int[] {2, 0, 2, 1}).square(), rand(18, -1, 1, 3, 5));
        check(v -> v.get(0).takeAlongLastAxis(new int[] {1, 0, 3}).square(), rand(19, -1, 1, 3, 4));
        check(v -> v.get(0).to(DType.F64).square(), x);
    }

    @Test void matrixProducts() {
        Tensor a = rand(20, -1, 1, 3, 4), b = rand(21, -1, 1, 4, 5);
        check(v -> v.get(0).matmul(v.get(1)), a, b);
        check(v -> v.get(0).matmul(v.get(1)).square(), a, b); // second derivative non-zero
        check(v -> v.get(0).matmul(v.get(1)).tanh(), rand(22, -1, 1, 2, 3, 4), b); // shared weight
        check(v -> v.get(0).matmul(v.get(1)).sin(), rand(23, -1, 1, 2, 3, 4), rand(24, -1, 1, 2, 4, 2)); // batched
        check(v -> v.get(0).matmul(v.get(1)).exp(), rand(25, -1, 1, 4), b); // vector @ matrix
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                Tensor x = ta ? rand(26, -1, 1, 4, 3) : rand(26, -1, 1, 3, 4);
                Tensor y = tb ? rand(27, -1, 1, 5, 4) : rand(27, -1, 1, 4, 5);
                check(v -> v.get(0).mm(v.get(1), ta, tb).square(), x, y);
            }
        }
    }

    @Test void functionalOps() {
        Tensor q = rand(30, -3, 3, 6);
        check(v -> Functional.logisticLoss(v.get(0)), q);
        check(v -> Functional.exponentialLoss(v.get(0)), q);
        Tensor z = rand(31, -2, 2, 3, 5);
        check(v -> Functional.logSoftmax(v.get(0), -1), z);
        check(v -> Functional.softmax(v.get(0), 0), z);
        check(v -> Functional.softmax(v.get(0), -1).square(), z);
        check(v -> Functional.crossEntropy(v.get(0), new int[] {4, 0, 2}), z);
        check(v -> Functional.mse(v.get(0), v.get(1)), z, rand(32, -1, 1, 3, 5));
        check(v -> Functional.rmsNorm(v.get(0), v.get(1), 1e-5), z, rand(33, 0.5, 1.5, 5));
        check(v -> Functional.silu(v.get(0)), z);
        check(v -> Functional.linear(v.get(0), v.get(1), v.get(2)).tanh(), rand(36, -1, 1, 2, 3, 4), rand(37, -1, 1, 5, 4), rand(38, -1, 1, 5));
        check(v -> Functional.embedding(v.get(0), new int[] {1, 1, 0}).square(), rand(34, -1, 1, 2, 3));
        check(v -> Functional.causalSoftmax(v.get(0)), rand(35, -2, 2, 2, 4, 4));
        check(v -> Functional.norm(v.get(0)), z);
    }

    @Test void fusedAttackTermsMatchTheirCompositesAndFiniteDifferences() {
        // Inside, above and below the box [−1, 1], away from its edges so that every derivative exists.
        Tensor x = Tensor.of(new double[] {-1.9, -1.4, -0.7, -0.3, 0.2, 0.6, 1.3, 1.8, 2.4, -2.2, 0.9, -0.95, 1.05, 0.0, -1.2}, 3, 5);
        Tensor y = rand(42, -1, 1, 3, 5);
        Tensor composite = x.sub(1.0).relu().square().sum().add(x.neg().add(-1.0).relu().square().sum());
        org.junit.jupiter.api.Assertions.assertEquals(composite.item(), x.boxPenalty(-1, 1).item(), 1e-13);
        org.junit.jupiter.api.Assertions.assertEquals(x.sub(y).square().sum().item(), x.squaredDistance(y).item(), 1e-13);
        check(v -> v.get(0).boxPenalty(-1, 1), x);
        check(v -> v.get(0).squaredDistance(v.get(1)), x, y);
        check(v -> v.get(0).mul(v.get(0)).squaredDistance(v.get(1).sigmoid()), x, y);
    }
}
