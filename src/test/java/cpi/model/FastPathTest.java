package cpi.model;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The speed paths agree with the plain ones: the engine's fused tanh GELU (values and gradients) with the
 * op-by-op formula, fused-QKV single-token decoding with full recomputation when the fused GELU is in play,
 * decoding with a Q/K/V adapter (which must bypass the fused projection) or after a weight change
 * (which a new cache must see), and the LM head on selected rows only (training's loss rows).
 */
class FastPathTest extends EngineTestBase {

    private static NDArray geluByOps(NDArray x) {
        NDManager m = x.getManager();
        double k = Math.sqrt(2.0 / Math.PI);
        NDArray inner = x.mul(x).mul(x).mul(m.create((float) (k * 0.044715))).add(x.mul(m.create((float) k)));
        return x.mul(inner.tanh().add(m.create(1f))).mul(m.create(0.5f));
    }

    @Test
    void fusedGeluMatchesTheFormulaAndItsGradient() {
        try (NDManager m = manager.newSubManager(); FusedGelu g = FusedGelu.load(m)) {
            assertNotNull(g, "the engine should compile the fused GELU module");
            NDArray x = m.randomNormal(new Shape(4, 8, 1024)).mul(m.create(3f));
            float d = g.apply(x).sub(geluByOps(x)).abs().max().getFloat();
            assertTrue(d < 1e-5, "fused vs formula max diff " + d);

            NDArray seed = m.randomNormal(new Shape(4, 8, 1024));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(g.apply(x).mul(seed).sum());
            }
            NDArray fusedGrad = x.getGradient().duplicate();
            ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) x);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(geluByOps(x).mul(seed).sum());
            }
            float dg = fusedGrad.sub(x.getGradient()).abs().max().getFloat();
            assertTrue(dg < 1e-4, "fused vs formula gradient max diff " + dg);
        }
    }

    @Test
    void forwardRowsEqualsTheSameRowsOfTheFullLogits() {
        for (ModelConfig cfg : new ModelConfig[] {ModelConfig.gpt2(60, 32, 2, 4, 64),
                ModelConfig.llama(60, 32, 2, 4, 2, 64, 64)}) {
            try (NDManager m = manager.newSubManager(); Transformer t = Transformer.random(cfg, 5, m)) {
                long[] ids = new long[2 * 9];
                long[] mask = new long[2 * 9];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = (i * 11 + 2) % 60;
                    mask[i] = i % 9 < (i < 9 ? 9 : 6) ? 1 : 0; // the second row right-padded
                }
                NDArray in = m.create(ids, new Shape(2, 9));
                NDArray am = m.create(mask, new Shape(2, 9));
                long[] rows = {0, 3, 8, 9, 13};
                float[] full = t.forward(in, am, null, false, null).reshape(18, 60).get(m.create(rows)).toFloatArray();
                float[] picked = t.forwardRows(in, am, false, null, m.create(rows)).toFloatArray();
                assertTrue(picked.length == full.length, cfg.family() + ": " + picked.length + " values");
                for (int i = 0; i < full.length; i++) {
                    assertTrue(Math.abs(full[i] - picked[i]) < 1e-5, cfg.family() + " value " + i + ": " + full[i]
                            + " vs " + picked[i]);
                }
            }
        }
    }

    /** gpt2 with a wide MLP: the prompt's forward uses the fused GELU, single-token steps the op chain. */
    @Test
    void fusedPathsAgreeWithFullRecompute() {
        ModelConfig cfg = ModelConfig.gpt2(60, 32, 2, 4, 64);
        try (Transformer t = Transformer.random(cfg, 3, manager.newSubManager())) {
            long[] ids = new long[40];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = (i * 7 + 3) % 60;
            }
            // 4 identical rows x 40 tokens x 128 = 20480 GELU inputs: above the fused threshold
            long[] batch = new long[4 * ids.length];
            for (int r = 0; r < 4; r++) {
                System.arraycopy(ids, 0, batch, r * ids.length, ids.length);
            }
            assertTrue(decodeVsFull(t, batch, 4, ids.length) < 1e-5);
        }
    }

    @Test
    void qkvAdapterAndWeightChangesReachDecoding() {
        ModelConfig cfg = ModelConfig.llama(50, 32, 2, 4, 2, 48, 64);
        try (Transformer t = Transformer.random(cfg, 5, manager.newSubManager())) {
            long[] ids = {3, 14, 15, 9, 26, 5, 35, 8};
            String q = "model.layers.1.self_attn.q_proj.weight";
            NDArray delta = t.manager().randomNormal(new Shape(32, 32)).mul(t.manager().create(0.05f));
            // An adapter on Q: decoding must go through it (the fused projection would skip it).
            t.setAdapter(q, (in, base, training) -> base.add(in.matMul(delta.transpose())));
            assertTrue(decodeVsFull(t, ids, 1, ids.length) < 1e-5);
            t.clearAdapters();
            // A weight changed in place between generations: the next cache uses the new weights.
            float before = decodeVsFull(t, ids, 1, ids.length);
            t.parameters().get(q).addi(delta);
            assertTrue(before < 1e-5 && decodeVsFull(t, ids, 1, ids.length) < 1e-5);
        }
    }

    /** Max |logits| difference between prefill-then-single-token decoding and one full forward. */
    private static float decodeVsFull(Transformer t, long[] ids, int rows, int len) {
        int prefill = len / 2;
        try (NDManager s = t.manager().newSubManager(); KvCache cache = t.newCache(rows, s)) {
            NDArray full = t.forward(s.create(ids, new Shape(rows, len)), null, null, false, null);
            long[] head = new long[rows * prefill];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(ids, r * len, head, r * prefill, prefill);
            }
            NDArray first = t.forward(s.create(head, new Shape(rows, prefill)), null, cache, false, null);
            float d = first.sub(full.get(new NDIndex().addAllDim().addSliceDim(0, prefill))).abs().max().getFloat();
            for (int i = prefill; i < len; i++) {
                try (NDManager step = s.newSubManager()) {
                    long[] col = new long[rows];
                    for (int r = 0; r < rows; r++) {
                        col[r] = ids[r * len + i];
                    }
                    NDArray one = t.forward(step.create(col, new Shape(rows, 1)), null, cache, false, null);
                    NDArray ref = full.get(new NDIndex().addAllDim().addSliceDim(i, i + 1));
                    d = Math.max(d, one.sub(ref).abs().max().getFloat());
                }
            }
            return d;
        }
    }

    @Test
    void inPlaceInferenceLeavesInputsAlone() {
        // The inference path adds residuals in place; the caller's input ids and a reused mask stay intact.
        ModelConfig cfg = ModelConfig.gpt2(50, 32, 2, 4, 64);
        try (Transformer t = Transformer.random(cfg, 9, manager.newSubManager()); NDManager s = manager.newSubManager()) {
            long[] ids = {1, 2, 3, 4, 5, 6};
            NDArray in = s.create(ids, new Shape(1, ids.length));
            float[] a = t.forward(in, null, null, false, null).toFloatArray();
            float[] b = t.forward(in, null, null, false, null).toFloatArray();
            assertTrue(Arrays.equals(a, b));
            assertTrue(Arrays.equals(ids, in.toLongArray()));
        }
    }
}
