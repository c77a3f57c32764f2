package cpi.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * KV-cached, left-padded, batched generation equals full recomputation without a cache, for every
 * family (the tiny random reference models).
 */
class GeneratorTest extends EngineTestBase {
    private static final List<int[]> PROMPTS = List.of(
            new int[] {5, 17, 3},
            new int[] {1, 40, 41, 42, 43, 44, 45, 46, 47},
            new int[] {9},
            new int[] {60, 61, 2, 2, 70});

    @ParameterizedTest
    @MethodSource("families")
    void cachedBatchedGreedyEqualsFullRecomputation(String family) {
        try (NDManager m = manager.newSubManager()) {
            LoadedModel lm = ModelLoader.load(InferenceFixtures.dir(family), m);
            Transformer model = lm.transformer();
            int newTokens = 12;
            List<int[]> batched = Generator.generate(model, PROMPTS, GenerationOptions.greedy(newTokens, List.of()), 0,
                    OptionalInt.empty());
            assertEquals(PROMPTS.size(), batched.size());
            for (int i = 0; i < PROMPTS.size(); i++) {
                int[] gen = batched.get(i);
                assertEquals(newTokens, gen.length, family + " prompt " + i);
                // Teacher-forced full recomputation: each chosen token must be the argmax of an uncached
                // forward over prompt + tokens so far (up to float ties, which random tiny models can have).
                int[] seq = PROMPTS.get(i);
                float[][] logits = InferenceFixtures.fullLogits(model, InferenceFixtures.concat(seq, gen));
                for (int j = 0; j < gen.length; j++) {
                    float[] row = logits[seq.length - 1 + j];
                    int best = Sampler.argmax(row, 0, row.length);
                    if (best != gen[j]) {
                        assertTrue(Math.abs(row[best] - row[gen[j]]) < 1e-4,
                                family + " prompt " + i + " step " + j + ": cached chose " + gen[j] + ", full recomputation " + best);
                    }
                }
                // Alone (no padding) gives the same ids as inside the padded batch.
                int[] alone = Generator.generate(model, List.of(PROMPTS.get(i)), GenerationOptions.greedy(newTokens, List.of()),
                        0, OptionalInt.empty()).get(0);
                assertArrayEquals(alone, gen, family + " prompt " + i + ": batched vs alone");
            }
            model.close();
        }
    }

    @ParameterizedTest
    @MethodSource("families")
    void eosStopsARowAndSamplingIsSeeded(String family) {
        try (NDManager m = manager.newSubManager()) {
            LoadedModel lm = ModelLoader.load(InferenceFixtures.dir(family), m);
            Transformer model = lm.transformer();
            int[] free = Generator.generate(model, List.of(PROMPTS.get(0)), GenerationOptions.greedy(6, List.of()), 0,
                    OptionalInt.empty()).get(0);
            // Declare the third greedy token the eos: generation stops before it.
            int[] stopped = Generator.generate(model, List.of(PROMPTS.get(0)), GenerationOptions.greedy(6, List.of()), 0,
                    OptionalInt.of(free[2])).get(0);
            int firstEos = 0;
            while (free[firstEos] != free[2]) {
                firstEos++;
            }
            assertArrayEquals(java.util.Arrays.copyOf(free, firstEos), stopped);

            GenerationOptions sample = new GenerationOptions(10, 1.5, 0.9, 42L, List.of());
            List<int[]> a = Generator.generate(model, PROMPTS, sample, 0, OptionalInt.empty());
            List<int[]> b = Generator.generate(model, PROMPTS, sample, 0, OptionalInt.empty());
            List<int[]> alone = new ArrayList<>();
            for (int[] p : PROMPTS) {
                alone.add(Generator.generate(model, List.of(p), sample, 0, OptionalInt.empty()).get(0));
            }
            for (int i = 0; i < PROMPTS.size(); i++) {
                assertArrayEquals(a.get(i), b.get(i), "same seed, same sample");
                assertArrayEquals(a.get(i), alone.get(i), "a prompt samples the same in a batch and alone");
            }
            GenerationOptions other = new GenerationOptions(10, 1.5, 0.9, 43L, List.of());
            List<int[]> c = Generator.generate(model, PROMPTS, other, 0, OptionalInt.empty());
            boolean anyDiffers = false;
            for (int i = 0; i < PROMPTS.size(); i++) {
                anyDiffers |= !java.util.Arrays.equals(a.get(i), c.get(i));
            }
            assertTrue(anyDiffers, "another seed samples other tokens");
            model.close();
        }
    }

    @ParameterizedTest
    @MethodSource("families")
    void longPromptIsCutFromTheLeftOrRefused(String family) {
        try (NDManager m = manager.newSubManager()) {
            LoadedModel lm = ModelLoader.load(InferenceFixtures.dir(family), m);
            Transformer model = lm.transformer();
            int maxPos = model.config().maxPositions();
            int[] longPrompt = new int[maxPos + 10];
            for (int i = 0; i < longPrompt.length; i++) {
                longPrompt[i] = 3 + i % 50;
            }
            int newTokens = 4;
            int[] tail = java.util.Arrays.copyOfRange(longPrompt, longPrompt.length - (maxPos - newTokens), longPrompt.length);
            int[] cut = Generator.generate(model, List.of(longPrompt), GenerationOptions.greedy(newTokens, List.of()), 0,
                    OptionalInt.empty(), null, ContextPolicy.TRUNCATE_LEFT).get(0);
            int[] direct = Generator.generate(model, List.of(tail), GenerationOptions.greedy(newTokens, List.of()), 0,
                    OptionalInt.empty(), null, ContextPolicy.REFUSE).get(0);
            assertArrayEquals(direct, cut);
            assertEquals(newTokens, cut.length);
            cpi.util.UserError e = org.junit.jupiter.api.Assertions.assertThrows(cpi.util.UserError.class,
                    () -> Generator.generate(model, List.of(longPrompt), GenerationOptions.greedy(newTokens, List.of()), 0,
                            OptionalInt.empty(), null, ContextPolicy.REFUSE));
            assertTrue(e.getMessage().contains("--context-overflow"), e.getMessage());
            model.close();
        }
    }
}
