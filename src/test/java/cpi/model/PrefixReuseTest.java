package cpi.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Shared-prompt scoring (each distinct prompt run once, its KV-cache rows repeated per continuation) gives
 * the same log-probabilities as scoring every item on its own, and KvCache.select repeats rows exactly.
 */
class PrefixReuseTest extends EngineTestBase {
    @ParameterizedTest
    @MethodSource("families")
    void sharedPromptsScoreLikeSingleItems(String family) {
        // Pairs with one prompt and two continuations of different lengths (the Evaluator's logprob pattern),
        // prompts of different lengths (left padding) and one prompt used three times.
        List<int[]> prompts = new ArrayList<>();
        List<int[]> conts = new ArrayList<>();
        int[][] ps = {{1, 5, 17, 3}, {1, 40, 41, 42, 43, 44, 45}, {2, 9}, {1, 5, 17, 3}};
        int[][][] cs = {{{8, 9}, {30}}, {{77, 78, 79}, {12, 13}}, {{95, 0, 12}, {4}}, {{50, 51}, {8, 9}}};
        for (int i = 0; i < ps.length; i++) {
            for (int[] c : cs[i]) {
                prompts.add(ps[i]);
                conts.add(c);
            }
        }
        try (NDManager m = manager.newSubManager()) {
            Transformer model = ModelLoader.load(InferenceFixtures.dir(family), m).transformer();
            double[][] shared = Scoring.continuationLogProbs(model, prompts, conts, 4096);
            double[][] buckets = Scoring.continuationLogProbs(model, prompts, conts, 20);
            for (int i = 0; i < prompts.size(); i++) {
                double[] alone = Scoring.continuationLogProbs(model, List.of(prompts.get(i)), List.of(conts.get(i)), 1)[0];
                assertEquals(alone.length, shared[i].length);
                for (int j = 0; j < alone.length; j++) {
                    assertEquals(alone[j], shared[i][j], 1e-5, family + " item " + i + " token " + j);
                    assertEquals(alone[j], buckets[i][j], 1e-5, family + " item " + i + " token " + j + " (buckets)");
                }
            }
            model.close();
        }
    }

    @ParameterizedTest
    @MethodSource("families")
    void selectRepeatsCacheRows(String family) {
        try (NDManager m = manager.newSubManager()) {
            Transformer model = ModelLoader.load(InferenceFixtures.dir(family), m).transformer();
            long[] prompt = {1, 5, 17, 3, 1, 40, 41, 42};
            long[] next = {9, 8, 7};
            try (NDManager sm = m.newSubManager(); KvCache two = model.newCache(2, sm)) {
                model.forward(sm.create(prompt, new Shape(2, 4)), null, two, false, null);
                try (KvCache three = two.select(new long[] {1, 0, 1}, sm)) {
                    assertEquals(3, three.batch());
                    assertEquals(4, three.length());
                    float[] viaSelect = model.forward(sm.create(next, new Shape(3, 1)), null, three, false, null)
                            .toFloatArray();
                    long[] direct = {1, 40, 41, 42, 9, 1, 5, 17, 3, 8, 1, 40, 41, 42, 7};
                    NDArray full = model.forward(sm.create(direct, new Shape(3, 5)), null, null, false, null);
                    float[] last = full.get(":, 4:5, :").toFloatArray();
                    assertEquals(last.length, viaSelect.length);
                    for (int i = 0; i < last.length; i++) {
                        assertEquals(last[i], viaSelect[i], 1e-4, family + " logit " + i);
                    }
                }
                assertEquals(2, two.batch()); // the source cache is unchanged
            }
            model.close();
        }
    }
}
