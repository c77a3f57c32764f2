package cpi.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import cpi.util.Djl;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The text-level model over ../shared/models/fake_gpt2 (random weights, the real GPT-2 tokenizer). */
class LocalTextModelTest {
    static NDManager manager;
    static LoadedModel loaded;
    static LocalTextModel lm;

    @BeforeAll
    static void setUp() {
        Djl.engine();
        manager = NDManager.newBaseManager();
        loaded = ModelLoader.load(Path.of("../shared/models/fake_gpt2"), manager);
        lm = new LocalTextModel(loaded);
    }

    @AfterAll
    static void tearDown() {
        loaded.transformer().close();
        manager.close();
    }

    @Test
    void promptsStartWithBosAndFingerprintIsTheWeights() {
        int[] ids = lm.promptIds("Hello world");
        int[] text = lm.tokenizer().encode("Hello world");
        if (lm.tokenizer().bosId().isPresent()) {
            assertEquals(lm.tokenizer().bosId().getAsInt(), ids[0]);
            assertArrayEquals(text, java.util.Arrays.copyOfRange(ids, 1, ids.length));
        } else {
            assertArrayEquals(text, ids); // GPT-2's tokenizer adds no bos of its own
        }
        // An empty prompt still gives the model a context token: bos, else eos (<|endoftext|>).
        assertArrayEquals(new int[] {50256}, lm.promptIds(""));
        int[][] fromNothing = lm.splitInContextIds("", "Hello");
        assertArrayEquals(new int[] {50256}, fromNothing[0]);
        assertArrayEquals(lm.tokenizer().encode("Hello"), fromNothing[1]);
        assertTrue(lm.fingerprint().startsWith("sha256:"), lm.fingerprint());
    }

    @Test
    void continuationIsTokenizedInContext() {
        int[][] split = lm.splitInContextIds("The capital of France is", " Paris");
        assertArrayEquals(lm.promptIds("The capital of France is"), split[0]);
        assertArrayEquals(lm.tokenizer().encode(" Paris"), split[1]);
        assertEquals(" Paris", lm.tokenizer().decode(split[1]));
        // A prompt ending in a space: the space merges into the continuation's first token.
        int[][] merged = lm.splitInContextIds("A: ", "Paris");
        assertEquals(" Paris", lm.tokenizer().decode(merged[1]));
        assertEquals("A:", lm.tokenizer().decode(merged[0]).replace("<|endoftext|>", ""));
    }

    @Test
    void logLikelihoodIsTheSumOfTokenScores() {
        List<String> prompts = List.of("Q: Who wrote Hamlet?\nA:", "Hi", "Q: Who wrote Hamlet?\nA:");
        List<String> conts = List.of(" Shakespeare", " there, friend", " Marlowe");
        double[] ll = lm.logLikelihood(prompts, conts);
        LocalTextModel.TokenScores ts = lm.tokenLogProbs(prompts, conts);
        for (int i = 0; i < prompts.size(); i++) {
            assertEquals(Scoring.sums(ts.logProbs())[i], ll[i], 1e-9);
            assertTrue(ll[i] < 0);
            double[] direct = Scoring.continuationLogProbs(loaded.transformer(),
                    List.of(lm.splitInContextIds(prompts.get(i), conts.get(i))[0]), List.of(ts.continuationIds().get(i)), 1)[0];
            assertEquals(Scoring.sums(new double[][] {direct})[0], ll[i], 1e-5, "batched text scoring = one at a time");
        }
    }

    @Test
    void stopStringsEndAndAreRemoved() {
        String free = lm.generate(List.of("Once upon a time"), new GenerationOptions(24, 0, 1, 0, List.of())).get(0);
        assertTrue(free.length() > 6, free);
        String stop = free.substring(free.length() / 2, free.length() / 2 + 2);
        String cut = lm.generate(List.of("Once upon a time"), new GenerationOptions(24, 0, 1, 0, List.of(stop))).get(0);
        assertEquals(free.substring(0, free.indexOf(stop)), cut);
        List<String> two = lm.generate(List.of("Once upon a time", "x"), new GenerationOptions(24, 0, 1, 0, List.of()));
        assertEquals(free, two.get(0), "batched with a shorter prompt, same text");
    }
}
