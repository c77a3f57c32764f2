package cpi.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Lemmas 4–6: the per-class margins m = ⟨v0(c) − v0(s), e_c − σ(z)⟩ at t = 0. */
class LemmasTest {

    /** m for one [c, s, r] point, measured from the model (not from the closed form). */
    static double margin(OneLayerAttention m, Example e) {
        double[] vc = m.valueLogits(e.context());
        double[] vs = m.valueLogits(e.subject());
        double[] p = m.forward(e).probs();
        double sum = 0;
        for (int x = 0; x < p.length; x++) {
            sum += (vc[x] - vs[x]) * ((x == e.target() ? 1 : 0) - p[x]);
        }
        return sum;
    }

    @Test
    void contextCriticalMarginIsPositiveNonContextCriticalNegativeAndSmaller() {
        // the default construction plus other settings that satisfy δ_C > 3/(K_A−1) and δ_M > 2δ_C
        double[][] deltas = {{0.2, 0.6}, {0.1, 0.9}, {0.1, 0.6}, {0.2, 0.99}, {0.05, 0.11}, {0.3, 0.7}};
        for (double[] dd : deltas) {
            TheoryParams p = TheoryParams.defaults().withDeltaC(dd[0]).withDeltaM(dd[1]);
            assertTrue(p.assumptionWarnings().isEmpty(), p.assumptionWarnings().toString());
            Construction c = Construction.build(p);
            OneLayerAttention m = c.initialModel();
            double mC = Double.NaN;
            double mCS = Double.NaN;
            for (Example e : c.data().train()) {
                double got = margin(m, e);
                if (e.kind() == PointKind.CONTEXT_CRITICAL) {
                    // A6: m is the same for every point of a class
                    assertTrue(Double.isNaN(mC) || Math.abs(got - mC) < 1e-12);
                    mC = got;
                } else {
                    assertTrue(Double.isNaN(mCS) || Math.abs(got - mCS) < 1e-12);
                    mCS = got;
                }
            }
            String at = " at δ_C=" + dd[0] + ", δ_M=" + dd[1];
            assertTrue(mC > 0, "Lemma 5: m_C > 0" + at + " (m_C=" + mC + ")");
            assertTrue(mCS < 0, "Lemma 5: m_{C+S} < 0" + at + " (m_CS=" + mCS + ")");
            assertTrue(Math.abs(mC) > Math.abs(mCS), "Lemma 6: |m_C| > |m_{C+S}|" + at);
            // Lemma 4's closed forms (45), (46); they take σ_r = 0, the simulator has σ_r ≈ e^-30
            assertEquals(ClosedForms.marginC(p), mC, 1e-9, "eq. 45" + at);
            assertEquals(ClosedForms.marginCS(p), mCS, 1e-9, "eq. 46" + at);
        }
    }

    @Test
    void lemma6FailsNearTheLowerEndOfItsStatedDeltaCRange() {
        // Finding: δ_C = 0.04 > 3/(K_A−1) ≈ 0.038 and δ_M = 0.6 > 2δ_C satisfy the stated assumptions, yet
        // |m_{C+S}| > |m_C| (λ_{C+S} ≈ 0.80 does not shrink the larger C+S log term enough). The first phase of
        // Prop. 1 then never happens: the θ_C projection is negative from t = 0 and test M_C only falls.
        TheoryParams p = TheoryParams.defaults().withDeltaC(0.04).withDeltaM(0.6);
        Construction c = Construction.build(p);
        OneLayerAttention m = c.initialModel();
        double mC = margin(m, c.data().train(PointKind.CONTEXT_CRITICAL).get(0));
        double mCS = margin(m, c.data().train(PointKind.NON_CONTEXT_CRITICAL).get(0));
        assertTrue(mC > 0 && mCS < 0, "Lemma 5 still holds");
        assertTrue(Math.abs(mCS) > Math.abs(mC), "m_C=" + mC + " m_CS=" + mCS);
        assertTrue(p.assumptionWarnings().stream().anyMatch(w -> w.contains("Lemma 6")), p.assumptionWarnings().toString());
        Trajectory t = TheorySimulator.run(p.withSteps(30));
        assertTrue(t.first().gradThetaC() < 0);
        assertEquals(0, t.peak().step());
    }
}
