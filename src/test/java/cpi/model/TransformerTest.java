package cpi.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Cache, padding, naming and adapter behaviour of the transformer on tiny random models of each family. */
class TransformerTest {

    static Stream<ModelConfig> configs() {
        return Stream.of(
                ModelConfig.llama(50, 32, 2, 4, 2, 48, 64),
                ModelConfig.mistral(50, 32, 2, 4, 1, 48, 64, 5),
                ModelConfig.gpt2(50, 32, 2, 4, 64),
                ModelConfig.gptNeox(50, 48, 2, 3, 64, 64, 0.25),
                // llama with attention and MLP biases, explicit head_dim != hidden/heads, sequential neox
                new ModelConfig(Family.LLAMA, 50, 32, 1, 4, 2, 40, 64, 12, 1e-5, 10000, 1.0, true, false, true,
                        true, 0, "silu", 1, 2, "float32", null, null),
                new ModelConfig(Family.GPT_NEOX, 50, 32, 1, 2, 2, 40, 64, 16, 1e-5, 10000, 0.5, false, false, true,
                        true, 0, "gelu", null, null, "float32", null, null));
    }

    private static float[] row(NDArray logits, int b, int tFrom, int tTo) {
        return logits.get(new NDIndex().addIndices(b).addSliceDim(tFrom, tTo)).toFloatArray();
    }

    /** Prefill 5 tokens, then feed 4 more one at a time: every step's logits equal the full recompute. */
    @ParameterizedTest
    @MethodSource("configs")
    void kvCachedIncrementalEqualsFullRecompute(ModelConfig cfg) {
        try (NDManager m = ModelTestSupport.manager(); Transformer t = Transformer.random(cfg, 7, m.newSubManager())) {
            long[] ids = {3, 14, 15, 9, 26, 5, 35, 8, 9};
            int prefill = 5;
            try (NDManager s = m.newSubManager(); KvCache cache = t.newCache(1, s)) {
                NDArray full = t.forward(s.create(ids, new Shape(1, ids.length)), null, null, false, null);
                NDArray first = t.forward(s.create(java.util.Arrays.copyOf(ids, prefill), new Shape(1, prefill)),
                        null, cache, false, null);
                float d = ModelTestSupport.maxAbsDiff(row(first, 0, 0, prefill), row(full, 0, 0, prefill));
                for (int i = prefill; i < ids.length; i++) {
                    try (NDManager step = s.newSubManager()) {
                        NDArray one = t.forward(step.create(new long[] {ids[i]}, new Shape(1, 1)), null, cache, false,
                                null);
                        d = Math.max(d, ModelTestSupport.maxAbsDiff(row(one, 0, 0, 1), row(full, 0, i, i + 1)));
                    }
                }
                assertEquals(ids.length, cache.length());
                assertTrue(d < 1e-5, cfg.family() + ": cached vs full max diff " + d);
            }
        }
    }

    /**
     * A left-padded batch (generation) and a right-padded batch (training) give each real token the same
     * logits as running the row alone; cached decoding of the left-padded batch continues correctly.
     */
    @ParameterizedTest
    @MethodSource("configs")
    void paddedBatchEqualsUnpadded(ModelConfig cfg) {
        try (NDManager m = ModelTestSupport.manager(); Transformer t = Transformer.random(cfg, 11, m.newSubManager());
             NDManager s = m.newSubManager()) {
            long[] a = {5, 6, 7, 8, 9, 10, 11};
            long[] b = {12, 13, 14};
            int pad = a.length - b.length;
            NDArray aloneA = t.forward(s.create(a, new Shape(1, a.length)), null, null, false, null);
            NDArray aloneB = t.forward(s.create(b, new Shape(1, b.length)), null, null, false, null);
            // left padding
            long[] ids = new long[2 * a.length];
            long[] mask = new long[2 * a.length];
            for (int i = 0; i < a.length; i++) {
                ids[i] = a[i];
                mask[i] = 1;
                boolean real = i >= pad;
                ids[a.length + i] = real ? b[i - pad] : 0;
                mask[a.length + i] = real ? 1 : 0;
            }
            NDArray left = t.forward(s.create(ids, new Shape(2, a.length)), s.create(mask, new Shape(2, a.length)),
                    null, false, null);
            float d = ModelTestSupport.maxAbsDiff(row(left, 0, 0, a.length), row(aloneA, 0, 0, a.length));
            d = Math.max(d, ModelTestSupport.maxAbsDiff(row(left, 1, pad, a.length), row(aloneB, 0, 0, b.length)));
            // right padding
            for (int i = 0; i < a.length; i++) {
                boolean real = i < b.length;
                ids[a.length + i] = real ? b[i] : 0;
                mask[a.length + i] = real ? 1 : 0;
            }
            NDArray right = t.forward(s.create(ids, new Shape(2, a.length)), s.create(mask, new Shape(2, a.length)),
                    null, false, null);
            d = Math.max(d, ModelTestSupport.maxAbsDiff(row(right, 1, 0, b.length), row(aloneB, 0, 0, b.length)));
            assertTrue(d < 1e-5, cfg.family() + ": padded vs unpadded max diff " + d);
        }
    }

    /** Batched, left-padded, cached decoding: each step equals the unpadded single-row recompute. */
    @ParameterizedTest
    @MethodSource("configs")
    void leftPaddedCachedDecodeEqualsSingleRow(ModelConfig cfg) {
        try (NDManager m = ModelTestSupport.manager(); Transformer t = Transformer.random(cfg, 13, m.newSubManager());
             NDManager s = m.newSubManager(); KvCache cache = t.newCache(2, s)) {
            long[] a = {5, 6, 7, 8};
            long[] b = {12, 13};
            long[] ids = {5, 6, 7, 8, 0, 0, 12, 13};
            List<Long> mask = new ArrayList<>(List.of(1L, 1L, 1L, 1L, 0L, 0L, 1L, 1L));
            t.forward(s.create(ids, new Shape(2, 4)), s.create(toArray(mask), new Shape(2, 4)), cache, false, null);
            long[] nextA = {20, 21, 22};
            long[] nextB = {30, 31, 32};
            float d = 0;
            long[] fullMask = toArray(mask);
            for (int step = 0; step < nextA.length; step++) {
                int len = fullMask.length / 2;
                long[] grown = new long[2 * (len + 1)];
                System.arraycopy(fullMask, 0, grown, 0, len);
                grown[len] = 1;
                System.arraycopy(fullMask, len, grown, len + 1, len);
                grown[2 * len + 1] = 1;
                fullMask = grown;
                NDArray out = t.forward(s.create(new long[] {nextA[step], nextB[step]}, new Shape(2, 1)),
                        s.create(fullMask, new Shape(2, len + 1)), cache, false, null);
                long[] seqA = concat(a, java.util.Arrays.copyOf(nextA, step + 1));
                long[] seqB = concat(b, java.util.Arrays.copyOf(nextB, step + 1));
                NDArray ra = t.forward(s.create(seqA, new Shape(1, seqA.length)), null, null, false, null);
                NDArray rb = t.forward(s.create(seqB, new Shape(1, seqB.length)), null, null, false, null);
                d = Math.max(d, ModelTestSupport.maxAbsDiff(row(out, 0, 0, 1), row(ra, 0, seqA.length - 1,
                        seqA.length)));
                d = Math.max(d, ModelTestSupport.maxAbsDiff(row(out, 1, 0, 1), row(rb, 0, seqB.length - 1,
                        seqB.length)));
            }
            assertTrue(d < 1e-5, cfg.family() + ": padded cached decode max diff " + d);
        }
    }

    private static long[] toArray(List<Long> l) {
        return l.stream().mapToLong(Long::longValue).toArray();
    }

    private static long[] concat(long[] x, long[] y) {
        long[] out = java.util.Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, out, x.length, y.length);
        return out;
    }

    @Test
    void namesRolesAndLayers() {
        try (NDManager m = ModelTestSupport.manager()) {
            for (ModelConfig cfg : configs().toList()) {
                try (Transformer t = Transformer.random(cfg, 1, m.newSubManager())) {
                    int q = 0;
                    int k = 0;
                    int v = 0;
                    for (String name : t.parameters().keySet()) {
                        ParamRole r = Transformer.role(name);
                        q += r == ParamRole.QUERY && name.endsWith(".weight") ? 1 : 0;
                        k += r == ParamRole.KEY && name.endsWith(".weight") ? 1 : 0;
                        v += r == ParamRole.VALUE && name.endsWith(".weight") ? 1 : 0;
                        int layer = Transformer.layerOf(name);
                        assertTrue(layer >= -1 && layer < cfg.numLayers(), name);
                    }
                    assertEquals(cfg.numLayers(), q, cfg.family() + " q_proj count");
                    assertEquals(cfg.numLayers(), k);
                    assertEquals(cfg.numLayers(), v);
                }
            }
            assertEquals(ParamRole.QUERY, Transformer.role("model.layers.3.self_attn.q_proj.weight"));
            assertEquals(3, Transformer.layerOf("model.layers.3.self_attn.q_proj.weight"));
            assertEquals(1, Transformer.layerOf("transformer.h.1.attn.k_proj.bias"));
            assertEquals(ParamRole.OUTPUT, Transformer.role("gpt_neox.layers.0.attention.dense.weight"));
            assertEquals(ParamRole.MLP_DOWN, Transformer.role("transformer.h.0.mlp.c_proj.weight"));
            assertEquals(ParamRole.OUTPUT, Transformer.role("transformer.h.0.attn.c_proj.weight"));
            assertEquals(ParamRole.LM_HEAD, Transformer.role("embed_out.weight"));
            assertEquals(ParamRole.EMBEDDING, Transformer.role("transformer.wte.weight"));
            assertEquals(ParamRole.POSITION, Transformer.role("transformer.wpe.weight"));
            assertEquals(ParamRole.NORM, Transformer.role("model.norm.weight"));
            assertEquals(-1, Transformer.layerOf("model.norm.weight"));
        }
    }

    /** An adapter on q_proj changes the output; clearing it restores it; the probe sees row-stochastic maps. */
    @Test
    void adaptersAndProbe() {
        ModelConfig cfg = ModelConfig.llama(50, 32, 2, 4, 2, 48, 64);
        try (NDManager m = ModelTestSupport.manager(); Transformer t = Transformer.random(cfg, 3, m.newSubManager());
             NDManager s = m.newSubManager()) {
            NDArray ids = s.create(new long[] {1, 2, 3, 4}, new Shape(1, 4));
            float[] base = t.forward(ids, null, null, false, null).toFloatArray();
            t.setAdapter("model.layers.0.self_attn.q_proj", (in, out, training) -> out.mul(s.create(2f)));
            float[] adapted = t.forward(ids, null, null, false, null).toFloatArray();
            assertTrue(ModelTestSupport.maxAbsDiff(base, adapted) > 1e-4);
            t.clearAdapters();
            assertEquals(0f, ModelTestSupport.maxAbsDiff(base, t.forward(ids, null, null, false, null).toFloatArray()));
            assertThrows(IllegalArgumentException.class, () -> t.setAdapter("nope", null));
            List<Integer> seen = new ArrayList<>();
            t.forward(ids, null, null, false, (layer, probs) -> {
                seen.add(layer);
                assertEquals(new Shape(1, 4, 4, 4), probs.getShape());
                float[] sums = probs.sum(new int[] {3}).toFloatArray();
                for (float x : sums) {
                    assertEquals(1f, x, 1e-5f);
                }
                // causal: position 0 attends only to itself
                assertEquals(1f, probs.getFloat(0, 0, 0, 0), 1e-6f);
            });
            assertEquals(List.of(0, 1), seen);
        }
    }

    /** Dropout is active only when training; lastOnly returns the final position's logits. */
    @Test
    void dropoutOnlyWhenTrainingAndLastOnly() {
        ModelConfig cfg = ModelConfig.gpt2(50, 32, 2, 4, 64);
        try (NDManager m = ModelTestSupport.manager(); Transformer t = Transformer.random(cfg, 3, m.newSubManager());
             NDManager s = m.newSubManager()) {
            NDArray ids = s.create(new long[] {1, 2, 3, 4}, new Shape(1, 4));
            float[] base = t.forward(ids, null, null, false, null).toFloatArray();
            t.setDropout(0.5);
            assertEquals(0f, ModelTestSupport.maxAbsDiff(base, t.forward(ids, null, null, false, null).toFloatArray()));
            assertTrue(ModelTestSupport.maxAbsDiff(base, t.forward(ids, null, null, true, null).toFloatArray()) > 1e-3);
            t.setDropout(0);
            NDArray last = t.forward(ids, null, null, false, null, true);
            assertEquals(new Shape(1, 1, 50), last.getShape());
            assertTrue(ModelTestSupport.maxAbsDiff(java.util.Arrays.copyOfRange(base, 150, 200), last.toFloatArray())
                    < 1e-6);
        }
    }
}
