package cpi.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proposition 2: adding memorised [s, r] points raises the θ_S projection and leaves the θ_C projection
 * unchanged at t = 0. The paper's statement is about the summed gradient (each point adds its own term);
 * with the mean loss the old points' terms are also diluted by n_old/n_new, which the last test pins down.
 */
class Proposition2Test {

    private static Gradient sumGradient(OneLayerAttention m, List<Example> batch) {
        Gradient g = m.negativeGradient(batch, false);
        org.ejml.dense.row.CommonOps_DDRM.scale(batch.size(), g.negKQ());
        return g;
    }

    private static void check(double kqR) {
        Construction c = Construction.build(TheoryParams.defaults().withSPoints(5).withKqR(kqR));
        OneLayerAttention m = c.initialModel();
        Embeddings emb = c.embeddings();
        List<Example> all = c.data().train();
        List<Example> old = all.stream().filter(e -> e.kind() != PointKind.SUBJECT_SEEN).toList();
        double[] r = emb.eR();
        Gradient gOld = sumGradient(m, old);
        Gradient gNew = sumGradient(m, all);
        assertEquals(gOld.projectKQ(emb.thetaC(), r), gNew.projectKQ(emb.thetaC(), r), 1e-12, "eq. 12 at kq_r=" + kqR);
        double rise = gNew.projectKQ(emb.thetaS(), r) - gOld.projectKQ(emb.thetaS(), r);
        assertTrue(rise > 0, "eq. 11 at kq_r=" + kqR + ": rise " + rise);

        // each S point's own term: θ_C part exactly 0, θ_S part (1/√2)σ_sσ_r (v(a,s) − v(a,r))(1 − σ(z)_a) > 0
        double expectedRise = 0;
        for (Example e : all) {
            if (e.kind() != PointKind.SUBJECT_SEEN) {
                continue;
            }
            Gradient g = m.negativeGradient(List.of(e), false);
            assertEquals(0.0, g.projectKQ(emb.thetaC(), r), 1e-15);
            Forward f = m.forward(e);
            double sigmaS = f.attention()[0];
            double sigmaR = f.relationAttention();
            int a = e.target();
            double closed = Math.sqrt(0.5) * sigmaS * sigmaR
                    * (m.valueLogits(e.subject())[a] - m.valueLogits(emb.relationToken())[a]) * (1 - f.probs()[a]);
            assertTrue(closed > 0);
            assertEquals(closed, g.projectKQ(emb.thetaS(), r), 1e-12 + 1e-9 * closed);
            expectedRise += closed;
        }
        assertEquals(expectedRise, rise, 1e-12 + 1e-6 * expectedRise);
    }

    @Test
    void memorisedSubjectPointsPushTowardTheSubjectOnly() {
        check(-5);   // σ_r ≈ e^-5: the effect is visible
        check(-30);  // the paper-faithful σ_r ≈ e^-30: same signs, effect ∝ σ_r, about 1e-13 per point
    }

    @Test
    void withTheMeanLossExtraPointsAlsoDiluteTheOldTerms() {
        Construction c = Construction.build(TheoryParams.defaults().withSPoints(5));
        OneLayerAttention m = c.initialModel();
        Embeddings emb = c.embeddings();
        List<Example> all = c.data().train();
        List<Example> old = all.stream().filter(e -> e.kind() != PointKind.SUBJECT_SEEN).toList();
        double before = m.negativeGradient(old, false).projectKQ(emb.thetaC(), emb.eR());
        double after = m.negativeGradient(all, false).projectKQ(emb.thetaC(), emb.eR());
        assertEquals(before * old.size() / all.size(), after, 1e-12);
    }
}
