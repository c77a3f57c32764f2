package cpi.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/** The analytic gradients (Lemma 1 for W_KQ, App. B.3 for W_V) against central finite differences. */
class GradientCheckTest {
    private static final double H = 1e-5;

    /** A state where every term matters: σ_r not negligible, S points (seen and unseen), random basis, W_V moved. */
    private static OneLayerAttention generalState(Construction c) {
        OneLayerAttention m = c.initialModel();
        for (int t = 0; t < 5; t++) {
            m.step(m.negativeGradient(c.data().train(), true), 2.0, TrainMode.KQ_V);
        }
        return m;
    }

    private static Construction general() {
        return Construction.build(TheoryParams.defaults().withKqR(-1.5).withSPoints(3).withSUnseenPoints(2).withSeed(11));
    }

    @Test
    void keyQueryGradientMatchesFiniteDifferencesAlongRandomDirections() {
        Construction c = general();
        OneLayerAttention m = generalState(c);
        List<Example> train = c.data().train();
        Gradient g = m.negativeGradient(train, true);
        Random rnd = new Random(1);
        for (int k = 0; k < 5; k++) {
            DMatrixRMaj dir = gaussian(m.keyQuery(), rnd);
            double fd = directional(m, train, dir, true);
            double analytic = -dot(g.negKQ(), dir);
            assertEquals(analytic, fd, 1e-7 * Math.max(1, Math.abs(analytic)), "direction " + k);
        }
    }

    @Test
    void valueGradientMatchesFiniteDifferencesAlongRandomDirections() {
        Construction c = general();
        OneLayerAttention m = generalState(c);
        List<Example> train = c.data().train();
        Gradient g = m.negativeGradient(train, true);
        Random rnd = new Random(2);
        for (int k = 0; k < 5; k++) {
            DMatrixRMaj dir = gaussian(m.value(), rnd);
            double fd = directional(m, train, dir, false);
            double analytic = -dot(g.negV(), dir);
            assertEquals(analytic, fd, 1e-7 * Math.max(1, Math.abs(analytic)), "direction " + k);
        }
    }

    @Test
    void singleEntriesMatchIncludingTheProjectionEntriesOfProposition1() {
        // Canonical basis, so entry (θ_C, e_r) of −∇W_KQ is exactly the logged θ_C projection.
        Construction c = Construction.build(TheoryParams.defaults().withKqR(-2));
        OneLayerAttention m = c.initialModel();
        List<Example> train = c.data().train();
        Gradient g = m.negativeGradient(train, true);
        int d = c.embeddings().dim();
        int thetaS = d - 3;
        int thetaC = d - 2;
        int er = d - 1;
        int[][] entries = {{thetaC, er}, {thetaS, er}, {er, er}, {0, er}, {45, er}, {thetaC, thetaC}, {3, 7}};
        for (int[] e : entries) {
            DMatrixRMaj dir = new DMatrixRMaj(d, d);
            dir.set(e[0], e[1], 1.0);
            assertEquals(-g.negKQ().get(e[0], e[1]), directional(m, train, dir, true), 1e-8,
                    "W_KQ entry " + e[0] + "," + e[1]);
            assertEquals(-g.negV().get(e[0], e[1]), directional(m, train, dir, false), 1e-8,
                    "W_V entry " + e[0] + "," + e[1]);
        }
        StepMetrics s = TheorySimulator.measure(0, m, g, c);
        assertEquals(g.negKQ().get(thetaC, er), s.gradThetaC(), 1e-15);
        assertTrue(Math.abs(g.negKQ().get(thetaC, er)) > 1e-3, "the θ_C entry is non-trivial");
    }

    /** (L(W + hD) − L(W − hD)) / 2h, perturbing W_KQ or W_V. */
    private static double directional(OneLayerAttention m, List<Example> batch, DMatrixRMaj dir, boolean kq) {
        DMatrixRMaj kq0 = m.keyQuery();
        DMatrixRMaj v0 = m.value();
        OneLayerAttention probe = m.copy();
        probe.setWeights(kq ? plus(kq0, dir, H) : kq0, kq ? v0 : plus(v0, dir, H));
        double up = probe.loss(batch);
        probe.setWeights(kq ? plus(kq0, dir, -H) : kq0, kq ? v0 : plus(v0, dir, -H));
        double down = probe.loss(batch);
        return (up - down) / (2 * H);
    }

    private static DMatrixRMaj plus(DMatrixRMaj a, DMatrixRMaj dir, double h) {
        DMatrixRMaj out = a.copy();
        for (int i = 0; i < out.data.length; i++) {
            out.data[i] += h * dir.data[i];
        }
        return out;
    }

    private static DMatrixRMaj gaussian(DMatrixRMaj like, Random rnd) {
        DMatrixRMaj out = new DMatrixRMaj(like.numRows, like.numCols);
        for (int i = 0; i < out.data.length; i++) {
            out.data[i] = rnd.nextGaussian() / like.numRows;
        }
        return out;
    }

    private static double dot(DMatrixRMaj a, DMatrixRMaj b) {
        double s = 0;
        for (int i = 0; i < a.data.length; i++) {
            s += a.data[i] * b.data[i];
        }
        return s;
    }
}
