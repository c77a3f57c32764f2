package cpi.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cpi.util.UserError;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final float[] LOGITS = {1.0f, 3.0f, 2.0f, 0.5f, 3.0f};

    @Test
    void greedyTakesTheFirstMaximum() {
        assertEquals(1, new Sampler(0, 1, 7).sample(LOGITS, 0, LOGITS.length));
        assertEquals(2, Sampler.argmax(new float[] {9, 0, 1, 5}, 1, 3), "offset respected");
    }

    @Test
    void temperatureSamplingFollowsTheSoftmax() {
        Sampler s = new Sampler(1.0, 1.0, 123);
        int n = 40_000;
        int[] counts = new int[LOGITS.length];
        for (int i = 0; i < n; i++) {
            counts[s.sample(LOGITS, 0, LOGITS.length)]++;
        }
        double z = 0;
        for (float l : LOGITS) {
            z += Math.exp(l);
        }
        for (int k = 0; k < LOGITS.length; k++) {
            double p = Math.exp(LOGITS[k]) / z;
            assertEquals(p, counts[k] / (double) n, 0.01, "token " + k);
        }
    }

    @Test
    void topPKeepsOnlyTheNucleus() {
        // probabilities ~ [0.05, 0.37, 0.14, 0.03, 0.37]: top-p 0.5 keeps the two 3.0 logits only
        Sampler s = new Sampler(1.0, 0.5, 9);
        boolean[] seen = new boolean[LOGITS.length];
        for (int i = 0; i < 5000; i++) {
            seen[s.sample(LOGITS, 0, LOGITS.length)] = true;
        }
        assertArrayEquals(new boolean[] {false, true, false, false, true}, seen);
        // tiny top-p: only the single most likely token
        Sampler one = new Sampler(1.0, 1e-6, 9);
        for (int i = 0; i < 100; i++) {
            int t = one.sample(LOGITS, 0, LOGITS.length);
            assertTrue(t == 1 || t == 4);
        }
    }

    @Test
    void sameSeedSameStream() {
        Sampler a = new Sampler(0.8, 0.9, 5);
        Sampler b = new Sampler(0.8, 0.9, 5);
        for (int i = 0; i < 200; i++) {
            assertEquals(a.sample(LOGITS, 0, LOGITS.length), b.sample(LOGITS, 0, LOGITS.length));
        }
    }

    @Test
    void contextPolicyCutsFromTheLeftOrRefuses() {
        int[] ids = {1, 2, 3, 4, 5};
        assertArrayEquals(ids, ContextPolicy.REFUSE.fit(ids, 5, "p"));
        assertArrayEquals(new int[] {4, 5}, ContextPolicy.TRUNCATE_LEFT.fit(ids, 2, "p"));
        UserError e = assertThrows(UserError.class, () -> ContextPolicy.REFUSE.fit(ids, 2, "the prompt"));
        assertTrue(e.getMessage().startsWith("the prompt has 5 tokens"), e.getMessage());
        assertEquals(ContextPolicy.REFUSE, ContextPolicy.parse("refuse"));
        assertEquals(ContextPolicy.TRUNCATE_LEFT, ContextPolicy.parse("truncate"));
        assertThrows(UserError.class, () -> ContextPolicy.parse("chop"));
    }
}
