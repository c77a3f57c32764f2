package cpi.theory;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Proposition 3: one gradient step on W_V at t = 0 makes a C point's subject value predict its answer. */
class Proposition3Test {

    @Test
    void oneValueStepRaisesTheSubjectsProbabilityOfTheContextAnswer() {
        for (double lr : new double[] {0.5, 2, 10}) {
            Construction c = Construction.build(TheoryParams.defaults());
            OneLayerAttention m = c.initialModel();
            OneLayerAttention after = m.copy();
            after.step(m.negativeGradient(c.data().train(), true), lr, TrainMode.KQ_V);
            int checked = 0;
            for (Example e : c.data().train(PointKind.CONTEXT_CRITICAL)) {
                double[] v0 = m.valueLogits(e.subject());
                double[] v1 = after.valueLogits(e.subject());
                double p0 = OneLayerAttention.softmax(v0)[e.target()];
                double p1 = OneLayerAttention.softmax(v1)[e.target()];
                assertTrue(p1 > p0, "eq. 13 at lr " + lr + ": " + p0 + " -> " + p1);
                // App. B.3: the increment of v(·, s) is largest at the point's own answer c
                double own = v1[e.target()] - v0[e.target()];
                for (int x = 0; x < v0.length; x++) {
                    if (x != e.target()) {
                        assertTrue(own > v1[x] - v0[x], "increment at c " + own + " vs token " + x);
                    }
                }
                checked++;
            }
            assertTrue(checked == 10);
        }
    }

    @Test
    void freezingValueLeavesSubjectValuesUnchanged() {
        Construction c = Construction.build(TheoryParams.defaults());
        OneLayerAttention m = c.initialModel();
        OneLayerAttention after = m.copy();
        after.step(m.negativeGradient(c.data().train(), true), 2, TrainMode.KQ);
        Example e = c.data().train(PointKind.CONTEXT_CRITICAL).get(0);
        assertTrue(java.util.Arrays.equals(m.valueLogits(e.subject()), after.valueLogits(e.subject())));
    }
}
