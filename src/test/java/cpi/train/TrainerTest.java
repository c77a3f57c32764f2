package cpi.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import cpi.util.Djl;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trainer mechanics on a tiny attention LM (the same properties are checked on Transformer.random). */
class TrainerTest {
    static final int V = 23;
    NDManager manager;

    @TempDir
    Path dir;

    @BeforeEach
    void setUp() {
        Djl.engine();
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    static List<TokenExample> data(int n, long seed) {
        Random r = new Random(seed);
        List<TokenExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = 4 + r.nextInt(6);
            int[] ids = new int[len];
            boolean[] mask = new boolean[len];
            int promptLen = 2 + r.nextInt(len - 3);
            for (int t = 0; t < len; t++) {
                ids[t] = r.nextInt(V);
                mask[t] = t >= promptLen;
            }
            out.add(new TokenExample(ids, mask));
        }
        return out;
    }

    static Map<String, float[]> snapshot(TrainableModel m) {
        Map<String, float[]> s = new LinkedHashMap<>();
        m.parameters().forEach((k, v) -> s.put(k, v.toFloatArray()));
        return s;
    }

    @Test
    void maskedLossEqualsLossOverResponseTokensAlone() {
        ToyLm lm = new ToyLm(V, 8, 1, manager);
        List<TokenExample> batch = data(5, 3);
        double manual = 0;
        int n = 0;
        for (TokenExample ex : batch) {
            try (NDManager m = manager.newSubManager()) {
                var b = Trainer.Batch.of(List.of(ex), 0, m);
                float[] logits = lm.forward(b.ids(), b.mask(), false, null).toFloatArray();
                for (int t = 1; t < ex.length(); t++) {
                    if (!ex.lossMask()[t]) {
                        continue;
                    }
                    double max = Double.NEGATIVE_INFINITY;
                    for (int v = 0; v < V; v++) {
                        max = Math.max(max, logits[(t - 1) * V + v]);
                    }
                    double z = 0;
                    for (int v = 0; v < V; v++) {
                        z += Math.exp(logits[(t - 1) * V + v] - max);
                    }
                    manual += -(logits[(t - 1) * V + ex.ids()[t]] - max - Math.log(z));
                    n++;
                }
            }
        }
        manual /= n;
        try (Trainer tr = new Trainer(lm, TrainerOptions.defaults(TrainMode.FULL, 1e-3, 10), 0)) {
            assertEquals(manual, tr.evalLoss(batch), 1e-5);
            StepResult r = tr.step(batch);
            assertEquals(manual, r.loss(), 1e-5); // the step reports the pre-update loss of the same tokens
            assertEquals(n, r.lossTokens());
        }
        // Prompt tokens carry no loss: changing a prompt-position target leaves the loss unchanged only via
        // context, so instead check that a batch with every mask false has no loss tokens at all.
        assertEquals(0, new TokenExample(new int[] {1, 2, 3}, new boolean[3]).lossTokens());
    }

    @Test
    void qkOnlyLeavesEveryOtherParameterBitIdentical() {
        ToyLm lm = new ToyLm(V, 8, 2, manager);
        Map<String, float[]> before = snapshot(lm);
        try (Trainer tr = new Trainer(lm, TrainerOptions.defaults(TrainMode.QK, 1e-2, 10)
                .withRegularization(0.1, 1.0, 0.1), 0)) {
            assertEquals(List.of("attn.q.weight", "attn.k.weight", "attn.q.bias"), tr.trainableNames());
            for (int i = 0; i < 3; i++) {
                assertFalse(tr.step(data(4, 10 + i)).skipped());
            }
        }
        Map<String, float[]> after = snapshot(lm);
        for (String k : before.keySet()) {
            boolean qk = k.startsWith("attn.q") || k.startsWith("attn.k");
            if (qk) {
                assertFalse(java.util.Arrays.equals(before.get(k), after.get(k)), k + " should change");
            } else {
                assertArrayEquals(before.get(k), after.get(k), k + " must be bit-identical");
            }
        }
    }

    @Test
    void loraWithZeroBReproducesBaseOutputsThenTrainsOnlyAdapters() {
        ToyLm lm = new ToyLm(V, 8, 3, manager);
        List<TokenExample> batch = data(3, 5);
        float[] base;
        try (NDManager m = manager.newSubManager()) {
            var b = Trainer.Batch.of(batch, 0, m);
            base = lm.forward(b.ids(), b.mask(), false, null).toFloatArray();
        }
        Map<String, float[]> before = snapshot(lm);
        TrainerOptions o = TrainerOptions.defaults(TrainMode.LORA, 1e-2, 10)
                .withLora(new LoraOptions(2, 4, 0.0, List.of("q", "v")));
        try (Trainer tr = new Trainer(lm, o, 0)) {
            assertEquals(4, tr.trainableNames().size());
            assertTrue(tr.trainableNames().contains("base_model.model.attn.q.lora_A.weight"));
            try (NDManager m = manager.newSubManager()) {
                var b = Trainer.Batch.of(batch, 0, m);
                assertArrayEquals(base, lm.forward(b.ids(), b.mask(), false, null).toFloatArray());
            }
            for (int i = 0; i < 3; i++) {
                tr.step(data(4, 20 + i));
            }
            try (NDManager m = manager.newSubManager()) {
                var b = Trainer.Batch.of(batch, 0, m);
                assertFalse(java.util.Arrays.equals(base, lm.forward(b.ids(), b.mask(), false, null).toFloatArray()));
            }
        }
        Map<String, float[]> after = snapshot(lm);
        before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k));
    }

    @Test
    void microBatchingMatchesOneBigBatch() {
        List<TokenExample> batch = data(6, 7);
        ToyLm a = new ToyLm(V, 8, 4, manager);
        ToyLm b = new ToyLm(V, 8, 4, manager);
        StepResult ra;
        StepResult rb;
        try (Trainer ta = new Trainer(a, TrainerOptions.defaults(TrainMode.FULL, 1e-2, 10), 0);
             Trainer tb = new Trainer(b, TrainerOptions.defaults(TrainMode.FULL, 1e-2, 10).withMicroBatchTokens(12), 0)) {
            ra = ta.step(batch);
            rb = tb.step(batch);
        }
        assertEquals(1, ra.microBatches());
        assertTrue(rb.microBatches() > 2);
        assertEquals(ra.loss(), rb.loss(), 1e-5);
        assertEquals(ra.gradNorm(), rb.gradNorm(), 1e-4);
        Map<String, float[]> sa = snapshot(a);
        Map<String, float[]> sb = snapshot(b);
        sa.forEach((k, v) -> assertArrayEquals(v, sb.get(k), 1e-5f, k));
    }

    @Test
    void nonFiniteLossSkipsTheUpdateAndKeepsTheLastGoodState() {
        ToyLm lm = new ToyLm(V, 8, 5, manager);
        try (Trainer tr = new Trainer(lm, TrainerOptions.defaults(TrainMode.FULL, 1e-2, 10), 0)) {
            tr.setFaultInjector(s -> s == 1); // the second call
            tr.step(data(3, 1));
            Map<String, float[]> good = snapshot(lm);
            StepResult bad = tr.step(data(3, 2));
            assertTrue(bad.skipped());
            assertTrue(Double.isNaN(bad.loss()));
            assertEquals(1, tr.step());
            assertEquals(1, tr.consecutiveFailures());
            Map<String, float[]> now = snapshot(lm);
            good.forEach((k, v) -> assertArrayEquals(v, now.get(k), k));
            tr.setFaultInjector(null);
            StepResult ok = tr.step(data(3, 2));
            assertFalse(ok.skipped());
            assertEquals(2, tr.step());
            assertEquals(0, tr.consecutiveFailures());
            assertEquals(1, tr.skippedSteps());
        }
    }

    @Test
    void savedStateResumesWithIdenticalLosses() throws Exception {
        TrainerOptions o = TrainerOptions.defaults(TrainMode.FULL, 1e-2, 20).withRegularization(0.01, 0.5, 0.2)
                .withSeed(9);
        ToyLm a = new ToyLm(V, 8, 6, manager);
        List<Double> straight = new ArrayList<>();
        Map<String, float[]> mid;
        try (Trainer ta = new Trainer(a, o, 0)) {
            for (int i = 0; i < 3; i++) {
                ta.step(data(4, 100 + i));
            }
            ta.saveState(dir);
            mid = snapshot(a);
            for (int i = 3; i < 6; i++) {
                straight.add(ta.step(data(4, 100 + i)).loss());
            }
        }
        ToyLm b = new ToyLm(V, 8, 99, manager);
        mid.forEach((k, v) -> b.parameters().get(k).set(v));
        List<Double> resumed = new ArrayList<>();
        try (Trainer tb = new Trainer(b, o, 0)) {
            tb.loadState(dir);
            assertEquals(3, tb.step());
            for (int i = 3; i < 6; i++) {
                resumed.add(tb.step(data(4, 100 + i)).loss());
            }
        }
        assertEquals(straight, resumed);
    }

    @Test
    void loraStateRoundTrips() throws Exception {
        TrainerOptions o = TrainerOptions.defaults(TrainMode.LORA, 1e-2, 20).withSeed(3)
                .withLora(new LoraOptions(2, 4, 0.1, List.of("q", "k", "v", "o")));
        ToyLm a = new ToyLm(V, 8, 7, manager);
        List<Double> straight = new ArrayList<>();
        try (Trainer ta = new Trainer(a, o, 0)) {
            for (int i = 0; i < 2; i++) {
                ta.step(data(4, 200 + i));
            }
            ta.saveState(dir);
            for (int i = 2; i < 4; i++) {
                straight.add(ta.step(data(4, 200 + i)).loss());
            }
        }
        ToyLm b = new ToyLm(V, 8, 7, manager);
        List<Double> resumed = new ArrayList<>();
        try (Trainer tb = new Trainer(b, o, 0)) {
            tb.loadState(dir);
            for (int i = 2; i < 4; i++) {
                resumed.add(tb.step(data(4, 200 + i)).loss());
            }
        }
        assertEquals(straight, resumed);
    }

    @SuppressWarnings("unused")
    private static float[] f(NDArray a) {
        return a.toFloatArray();
    }
}
