package cpi.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Proposition 1: two-phase dynamics of W_KQ (W_V frozen, D = D_C ∪ D_{C+S}, |D_C| ≥ |D_{C+S}|). */
class Proposition1Test {

    @Test
    void thetaCProjectionIsPositiveAtStartAndNegativeLaterWithThetaSMirrored() {
        TheoryParams p = TheoryParams.defaults();
        Trajectory t = TheorySimulator.run(p);
        StepMetrics s0 = t.first();
        assertTrue(s0.gradThetaC() > 0, "eq. 9: θ_C projection > 0 at t = 0");
        assertTrue(s0.gradThetaS() < 0, "eq. 9: θ_S projection < 0 at t = 0");
        assertEquals(ClosedForms.thetaCProjectionAtStart(p), s0.gradThetaC(), 1e-9, "(m_C + m_{C+S})/(8√2)");
        StepMetrics firstNegative = t.steps().stream().filter(m -> m.gradThetaC() < 0).findFirst().orElseThrow(
                () -> new AssertionError("θ_C projection never turns negative"));
        assertTrue(firstNegative.gradThetaS() > 0, "eq. 10: θ_S projection > 0 in the second phase");
        for (StepMetrics m : t.steps()) {
            // Lemma 2 with σ_r ≈ 0: the two projections are equal and opposite at every step
            assertEquals(0.0, m.gradThetaC() + m.gradThetaS(), 1e-10, "step " + m.step());
        }
    }

    @Test
    void oneLargeStepAlreadyReachesTheSecondPhase() {
        // the proposition's η*: one full-batch step with η = 20 flips both signs at t = 1
        Trajectory t = TheorySimulator.run(TheoryParams.defaults().withLr(20).withSteps(2));
        assertTrue(t.steps().get(0).gradThetaC() > 0);
        assertTrue(t.steps().get(1).gradThetaC() < 0, "θ_C projection at t=1: " + t.steps().get(1).gradThetaC());
        assertTrue(t.steps().get(1).gradThetaS() > 0);
        // the C points' context attention rose more than the C+S points' (A_1 > A_2)
        assertTrue(t.steps().get(1).attC() > t.steps().get(1).attCs());
        assertTrue(t.steps().get(1).attCs() > 0.5);
    }

    @Test
    void aSmallStepStaysInTheFirstPhase() {
        Trajectory t = TheorySimulator.run(TheoryParams.defaults().withLr(0.5).withSteps(1));
        assertTrue(t.steps().get(1).gradThetaC() > 0);
    }

    @Test
    void theMirrorNeedsSigmaRNearZero() {
        // with kq_r = −2 the relation token takes attention and Lemma 2's mirror breaks: the claim can fail
        Trajectory t = TheorySimulator.run(TheoryParams.defaults().withKqR(-2).withSteps(0));
        StepMetrics s = t.first();
        assertTrue(Math.abs(s.gradThetaC() + s.gradThetaS()) > 1e-3,
                "θ_C + θ_S = " + (s.gradThetaC() + s.gradThetaS()));
    }
}
