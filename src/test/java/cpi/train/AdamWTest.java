package cpi.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import cpi.util.Djl;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AdamWTest {

    /** Three steps of AdamW on a matrix (decays) and a vector (does not) from given gradients. */
    private static Map<String, float[]> run(boolean fused, double weightDecay, double gradScale) {
        Djl.engine();
        try (NDManager m = NDManager.newBaseManager()) {
            Random r = new Random(3);
            Map<String, NDArray> params = new LinkedHashMap<>();
            params.put("w", m.create(randoms(r, 12), new Shape(3, 4)));
            params.put("b", m.create(randoms(r, 4), new Shape(4)));
            AdamW adam = new AdamW(m, 0.9, 0.95, 1e-8, weightDecay, fused);
            for (int step = 0; step < 3; step++) {
                Map<String, NDArray> grads = new LinkedHashMap<>();
                grads.put("w", m.create(randoms(r, 12), new Shape(3, 4)));
                grads.put("b", m.create(randoms(r, 4), new Shape(4)));
                adam.update(params, grads, 1e-2, gradScale, m);
            }
            Map<String, float[]> out = new LinkedHashMap<>();
            params.forEach((k, v) -> out.put(k, v.toFloatArray()));
            return out;
        }
    }

    private static float[] randoms(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    @Test
    void fusedKernelIsAvailableOnThePyTorchEngine() {
        Djl.engine();
        try (NDManager m = NDManager.newBaseManager(); FusedAdamW f = FusedAdamW.load(m)) {
            assertNotNull(f, "torch._fused_adamw_ could not be compiled: training falls back to the composed step");
        }
    }

    @Test
    void fusedAndComposedStepsAgree() {
        for (double wd : new double[] {0.0, 0.1}) {
            for (double scale : new double[] {1.0, 0.25}) {
                Map<String, float[]> a = run(true, wd, scale);
                Map<String, float[]> b = run(false, wd, scale);
                for (String k : a.keySet()) {
                    for (int i = 0; i < a.get(k).length; i++) {
                        assertEquals(b.get(k)[i], a.get(k)[i], 1e-5, k + "[" + i + "] wd=" + wd + " scale=" + scale);
                    }
                }
            }
        }
    }

    @Test
    void firstStepMovesEachWeightByTheLearningRate() {
        // Adam's first update is lr·sign(g) (m̂/√v̂ = g/|g|), whatever the gradient's size: a check on the
        // bias correction both paths must pass, independent of the other path
        Djl.engine();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = m.create(new float[] {1f, -2f, 3f}, new Shape(3));
            NDArray g = m.create(new float[] {0.5f, -1e-3f, 40f}, new Shape(3));
            AdamW adam = new AdamW(m, 0.9, 0.999, 1e-12, 0.0);
            adam.update(Map.of("p", p), Map.of("p", g), 0.1, 1.0, m);
            float[] got = p.toFloatArray();
            assertEquals(0.9f, got[0], 1e-5);
            assertEquals(-1.9f, got[1], 1e-5);
            assertEquals(2.9f, got[2], 1e-5);
        }
    }
}
