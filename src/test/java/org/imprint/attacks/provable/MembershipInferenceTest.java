package org.imprint.attacks.provable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.imprint.io.BadInputException;
import org.junit.jupiter.api.Test;

class MembershipInferenceTest {
    @Test void kktLikeCaseIsSeparatedExactly() {
        // members on the margin (|f| = m = 2, either sign), non-members well inside
        double[] fm = {2, -2, 2, -2.5}, ym = {1, -1, 1, -1};
        double[] fn = {0.3, -0.1, 0.9, -1.2, 0.05}, yn = {1, 1, -1, -1, 1};
        var r = MembershipInference.evaluate(fm, ym, fn, yn, Margin.given(2), 0.5);
        assertEquals(1.0, r.test().threshold());
        assertEquals(1.0, r.test().rates().tpr());
        assertEquals(1 / 5.0, r.test().rates().fpr(), 1e-15); // |−1.2| ≥ 1
        assertEquals(1.0, r.score(MembershipInference.Score.ABS_OUTPUT).roc().auc());
        // y·f: members 2,2,2,2.5; non-members 0.3,−0.1,−0.9,1.2,0.05 → all below: AUC 1
        assertEquals(1.0, r.score(MembershipInference.Score.CONFIDENCE).roc().auc());
        assertEquals(r.score(MembershipInference.Score.CONFIDENCE).roc().auc(), r.score(MembershipInference.Score.NEGATIVE_LOSS).roc().auc(), 1e-15);
    }

    @Test void labelFreeScoreIgnoresLabelsButBaselinesDoNot() {
        // a non-member with a large output of the wrong sign: |f| ranks it high, y·f ranks it lowest
        double[] fm = {1, 1}, ym = {1, 1};
        double[] fn = {-3, 0.1}, yn = {1, 1};
        var r = MembershipInference.evaluate(fm, ym, fn, yn, Margin.fromKnownPoint(fm[0], "#0"), 0.5);
        assertEquals(0.5, r.score(MembershipInference.Score.ABS_OUTPUT).roc().auc(), 1e-15);
        assertEquals(1.0, r.score(MembershipInference.Score.CONFIDENCE).roc().auc(), 1e-15);
        assertEquals(0.5, r.test().rates().fpr(), 1e-15);
        assertEquals(Margin.Source.KNOWN_POINT, r.test().margin().source());
    }

    @Test void boundsUseTheLowerEnd() {
        Margin m = Margin.fromBounds(0.5, 4);
        assertEquals(0.5, m.value());
        assertThrows(BadInputException.class, () -> Margin.fromBounds(2, 1));
        assertThrows(BadInputException.class, () -> Margin.given(-1));
        Margin oracle = Margin.oracle(new double[] {3, -1, 0.5, 2}, new double[] {1, 1, 1, 1});
        assertEquals(0.5, oracle.value());
    }

    @Test void theLossScoreKeepsItsOrderBeyondUnderflow() {
        // Margins of 750..900: the logistic loss is 0 in floating point for all of them, −log ℓ still orders them.
        double[] members = {900, 880, 860}, nonMembers = {850, 790, 760, 750, -5};
        double[] ones = {1, 1, 1}, ones5 = {1, 1, 1, 1, 1};
        MembershipInference.Report r = MembershipInference.evaluate(members, ones, nonMembers, ones5, Margin.given(800), 0.5);
        assertEquals(1.0, r.score(MembershipInference.Score.CONFIDENCE).roc().auc(), 1e-15);
        assertEquals(1.0, r.score(MembershipInference.Score.NEGATIVE_LOSS).roc().auc(), 1e-15);
        // The stable formula against the direct one where both are representable, and its asymptote.
        for (double z : new double[] {-29.9, -5, 0, 3, 40}) {
            assertEquals(Math.log(Math.log1p(Math.exp(z))), MembershipInference.logSoftplus(z), 1e-12 * Math.max(1, Math.abs(z)));
        }
        assertEquals(-800, MembershipInference.logSoftplus(-800), 0);
        assertEquals(MembershipInference.logSoftplus(-29.999999), MembershipInference.logSoftplus(-30.000001), 3e-6, "continuous at the switch");
    }
}
