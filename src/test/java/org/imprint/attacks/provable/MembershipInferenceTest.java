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
}
