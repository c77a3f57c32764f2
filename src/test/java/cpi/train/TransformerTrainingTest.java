package cpi.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import cpi.model.ModelConfig;
import cpi.model.ParamRole;
import cpi.model.Transformer;
import cpi.util.Djl;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The "must show" trainer properties on cpi's Transformer (llama and gpt2 families). */
class TransformerTrainingTest {
    NDManager manager;

    @BeforeEach
    void setUp() {
        Djl.engine();
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    static ModelConfig cfg(String family) {
        return family.equals("llama") ? TinyModels.llama() : TinyModels.gpt2();
    }

    static List<TokenExample> data(int n, long seed) {
        List<TokenExample> out = new java.util.ArrayList<>();
        for (TokenExample e : TrainerTest.data(n, seed)) {
            out.add(e);
        }
        return out;
    }

    static Map<String, float[]> snapshot(Transformer t) {
        Map<String, float[]> s = new LinkedHashMap<>();
        t.parameters().forEach((k, v) -> s.put(k, v.toFloatArray()));
        return s;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2"})
    void maskedLossEqualsLossOverResponseTokensAlone(String family) {
        Transformer t = Transformer.random(cfg(family), 1, manager);
        List<TokenExample> batch = data(4, 2);
        int v = t.config().vocabSize();
        double manual = 0;
        int n = 0;
        for (TokenExample ex : batch) {
            try (NDManager m = manager.newSubManager()) {
                var b = Trainer.Batch.of(List.of(ex), 0, m);
                float[] logits = t.forward(b.ids(), b.mask(), null, false, null).toFloatArray();
                for (int i = 1; i < ex.length(); i++) {
                    if (!ex.lossMask()[i]) {
                        continue;
                    }
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < v; k++) {
                        max = Math.max(max, logits[(i - 1) * v + k]);
                    }
                    double z = 0;
                    for (int k = 0; k < v; k++) {
                        z += Math.exp(logits[(i - 1) * v + k] - max);
                    }
                    manual -= logits[(i - 1) * v + ex.ids()[i]] - max - Math.log(z);
                    n++;
                }
            }
        }
        try (Trainer tr = new Trainer(new TransformerModel(t), TrainerOptions.defaults(TrainMode.FULL, 1e-3, 5), 0)) {
            // Batched with right padding: the same number as scoring each example's response alone.
            assertEquals(manual / n, tr.evalLoss(batch), 1e-5);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2"})
    void qkOnlyLeavesEveryOtherParameterBitIdentical(String family) {
        Transformer t = Transformer.random(cfg(family), 2, manager);
        Map<String, float[]> before = snapshot(t);
        try (Trainer tr = new Trainer(new TransformerModel(t), TrainerOptions.defaults(TrainMode.QK, 1e-2, 5)
                .withRegularization(0.1, 1.0, 0.1), 0)) {
            for (int i = 0; i < 3; i++) {
                assertFalse(tr.step(data(4, 10 + i)).skipped());
            }
        }
        Map<String, float[]> after = snapshot(t);
        int changed = 0;
        for (String k : before.keySet()) {
            ParamRole r = Transformer.role(k);
            if (r == ParamRole.QUERY || r == ParamRole.KEY) {
                if (!java.util.Arrays.equals(before.get(k), after.get(k))) {
                    changed++;
                }
            } else {
                assertArrayEquals(before.get(k), after.get(k), k + " must be bit-identical");
            }
        }
        assertTrue(changed >= 2 * t.config().numLayers(), "q and k weights of every layer should train");
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2"})
    void loraWithZeroBReproducesTheBaseOutputs(String family) {
        Transformer t = Transformer.random(cfg(family), 3, manager);
        List<TokenExample> batch = data(3, 5);
        float[] base;
        try (NDManager m = manager.newSubManager()) {
            var b = Trainer.Batch.of(batch, 0, m);
            base = t.forward(b.ids(), b.mask(), null, false, null).toFloatArray();
        }
        Map<String, float[]> before = snapshot(t);
        TrainerOptions o = TrainerOptions.defaults(TrainMode.LORA, 1e-2, 5)
                .withLora(new LoraOptions(4, 8, 0.0, List.of("q", "k", "v", "o", "up", "down", "gate")));
        try (Trainer tr = new Trainer(new TransformerModel(t), o, 0)) {
            assertFalse(tr.adapters().isEmpty());
            try (NDManager m = manager.newSubManager()) {
                var b = Trainer.Batch.of(batch, 0, m);
                assertArrayEquals(base, t.forward(b.ids(), b.mask(), null, false, null).toFloatArray());
            }
            tr.step(data(4, 6));
            tr.step(data(4, 7));
            try (NDManager m = manager.newSubManager()) {
                var b = Trainer.Batch.of(batch, 0, m);
                assertFalse(java.util.Arrays.equals(base, t.forward(b.ids(), b.mask(), null, false, null).toFloatArray()));
            }
        }
        Map<String, float[]> after = snapshot(t);
        before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k + " (base weights are frozen under LoRA)"));
    }
}
