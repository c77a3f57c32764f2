package cpi.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Theorem 1: the test-time consequence, M_C rises then falls; and the control without C+S points. */
class Theorem1Test {

    @Test
    void defaultConstructionRisesThenFalls() {
        Trajectory t = TheorySimulator.run(TheoryParams.defaults());
        StepMetrics peak = t.peak();
        assertTrue(peak.step() > 0 && peak.step() < t.params().steps(), "interior peak, got step " + peak.step());
        assertTrue(peak.mcTest() - t.first().mcTest() > 0.3, "rise " + (peak.mcTest() - t.first().mcTest()));
        assertTrue(t.drop() > 0.2, "drop " + t.drop());
        // the fall follows the phase change of Prop. 1: the θ_C projection is negative from the peak on
        for (StepMetrics m : t.steps().subList(peak.step() + 1, t.steps().size())) {
            assertTrue(m.gradThetaC() < 0, "step " + m.step());
        }
        // test attention tracks M_C: it peaks and falls too
        assertTrue(t.last().attTest() < t.steps().get(peak.step()).attTest() - 0.1);
    }

    @Test
    void eq15WithOneLargeStep() {
        // M_C^(1) > M_C^(0) and M_C^(1) > M_C^(2) in the one-step setting of Prop. 1 (η = 20)
        Trajectory t = TheorySimulator.run(TheoryParams.defaults().withLr(20).withSteps(2));
        double m0 = t.steps().get(0).mcTest();
        double m1 = t.steps().get(1).mcTest();
        double m2 = t.steps().get(2).mcTest();
        assertTrue(m1 > m0 && m1 > m2, m0 + " " + m1 + " " + m2);
    }

    @Test
    void testContextMassFollowsEq165AtEveryStep() {
        TheoryParams p = TheoryParams.defaults();
        Construction c = Construction.build(p);
        OneLayerAttention m = c.initialModel();
        for (int t = 0; t <= 60; t++) {
            for (Example e : c.data().test()) {
                Forward f = m.forward(e);
                assertEquals(ClosedForms.testContextMass(p, f.contextAttention()), f.contextMass(), 1e-9, "step " + t);
            }
            m.step(m.negativeGradient(c.data().train(), false), p.lr(), TrainMode.KQ);
        }
    }

    @Test
    void controlWithOnlyContextCriticalPointsNeverFalls() {
        Trajectory t = TheorySimulator.run(TheoryParams.defaults().withCsPoints(0));
        for (int i = 1; i < t.steps().size(); i++) {
            assertTrue(t.steps().get(i).mcTest() >= t.steps().get(i - 1).mcTest() - 1e-12, "step " + i);
            assertTrue(t.steps().get(i).gradThetaC() > 0, "step " + i);
        }
        assertTrue(t.last().mcTest() > 0.9);
        assertEquals(0.0, t.drop(), 1e-12);
    }
}
