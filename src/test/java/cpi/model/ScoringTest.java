package cpi.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Batched, padded, bucketed scoring equals scoring one item at a time and a direct log-softmax. */
class ScoringTest extends EngineTestBase {
    private static final List<int[]> PROMPTS = List.of(
            new int[] {1, 5, 17, 3}, new int[] {1}, new int[] {1, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49},
            new int[] {1, 5, 17, 3}, new int[] {2, 2, 9});
    private static final List<int[]> CONTINUATIONS = List.of(
            new int[] {8, 9}, new int[] {30, 31, 32, 33, 34}, new int[] {77}, new int[] {}, new int[] {95, 0, 12});

    @ParameterizedTest
    @MethodSource("families")
    void batchedEqualsUnbatchedAndDirect(String family) {
        try (NDManager m = manager.newSubManager()) {
            Transformer model = ModelLoader.load(InferenceFixtures.dir(family), m).transformer();
            double[][] batched = Scoring.continuationLogProbs(model, PROMPTS, CONTINUATIONS, 4096);
            double[][] small = Scoring.continuationLogProbs(model, PROMPTS, CONTINUATIONS, 12); // several buckets
            for (int i = 0; i < PROMPTS.size(); i++) {
                double[][] alone = Scoring.continuationLogProbs(model, List.of(PROMPTS.get(i)), List.of(CONTINUATIONS.get(i)), 1);
                int[] seq = InferenceFixtures.concat(PROMPTS.get(i), CONTINUATIONS.get(i));
                float[][] logits = InferenceFixtures.fullLogits(model, seq);
                int p = PROMPTS.get(i).length;
                assertEquals(CONTINUATIONS.get(i).length, batched[i].length);
                for (int j = 0; j < CONTINUATIONS.get(i).length; j++) {
                    double direct = InferenceFixtures.logSoftmax(logits[p - 1 + j])[CONTINUATIONS.get(i)[j]];
                    assertEquals(direct, alone[0][j], 1e-4, family + " item " + i + " token " + j + " alone vs direct");
                    assertEquals(alone[0][j], batched[i][j], 1e-5, family + " item " + i + " token " + j + " batched vs alone");
                    assertEquals(alone[0][j], small[i][j], 1e-5, family + " item " + i + " token " + j + " buckets vs alone");
                    assertEquals(true, batched[i][j] < 0, "a log-probability is negative");
                }
            }
            double[] sums = Scoring.sums(batched);
            assertEquals(batched[0][0] + batched[0][1], sums[0], 1e-12);
            assertEquals(0.0, sums[3]);
            model.close();
        }
    }
}
