package cpi.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class EncodingTest {
    @Test
    void maskCoversTargetAndEosOnly() {
        TestText.WordTok tok = new TestText.WordTok(1000, true);
        SftEncoder enc = new SftEncoder(tok, TestText.PLAIN, 64, true);
        TokenExample te = enc.encode(IftExample.of("1", "capital of France?", "ctx words", "Paris city"));
        int[] prompt = tok.encode(TestText.PLAIN.prompt("capital of France?", "ctx words"));
        assertEquals(1 + prompt.length + 2 + 1, te.length());
        assertEquals(0, te.ids()[0]);
        for (int i = 0; i < 1 + prompt.length; i++) {
            assertFalse(te.lossMask()[i]);
        }
        for (int i = 1 + prompt.length; i < te.length(); i++) {
            assertTrue(te.lossMask()[i]);
        }
        assertEquals(1, te.ids()[te.length() - 1]); // eos
        assertEquals(3, te.lossTokens());
    }

    @Test
    void longPromptsLoseTokensFromTheLeft() {
        TestText.WordTok tok = new TestText.WordTok(1000, false);
        SftEncoder enc = new SftEncoder(tok, TestText.PLAIN, 8, false);
        TokenExample te = enc.encode(IftExample.of("1", "q", "a b c d e f g h i j", "ans"));
        assertEquals(8, te.length());
        assertTrue(te.lossMask()[7]);
        assertEquals(1, te.lossTokens());
        assertEquals(tok.encode("ans")[0], te.ids()[7]);
        int[] tail = tok.encode("Q: q\nA:");
        int[] got = java.util.Arrays.copyOfRange(te.ids(), 7 - tail.length, 7);
        assertArrayEquals(tail, got);
    }

    @Test
    void microBatchesRespectTheTokenBudget() {
        List<TokenExample> b = List.of(ex(5), ex(5), ex(9), ex(3), ex(20), ex(2));
        List<List<TokenExample>> mb = MicroBatcher.split(b, 18);
        assertEquals(List.of(2, 2, 1, 1), mb.stream().map(List::size).toList());
        int total = mb.stream().mapToInt(List::size).sum();
        assertEquals(6, total);
        for (List<TokenExample> m : mb) {
            int longest = m.stream().mapToInt(TokenExample::length).max().orElse(0);
            assertTrue(m.size() == 1 || longest * m.size() <= 18);
        }
    }

    private static TokenExample ex(int n) {
        boolean[] mask = new boolean[n];
        mask[n - 1] = true;
        return new TokenExample(new int[n], mask);
    }

    @Test
    void schedulesWarmUpAndDecay() {
        LrSchedule lin = new LrSchedule(LrSchedule.Kind.LINEAR, 1.0, 0.0, 10, 110);
        assertEquals(0.1, lin.lr(0), 1e-12);
        assertEquals(1.0, lin.lr(9), 1e-12);
        assertEquals(1.0, lin.lr(10), 1e-12);
        assertEquals(0.5, lin.lr(60), 1e-12);
        assertEquals(0.0, lin.lr(110), 1e-12);
        LrSchedule cos = new LrSchedule(LrSchedule.Kind.COSINE, 1.0, 0.1, 0, 100);
        assertEquals(1.0, cos.lr(0), 1e-12);
        assertEquals(0.55, cos.lr(50), 1e-12);
        assertEquals(0.1, cos.lr(100), 1e-12);
        assertEquals(2e-4, new LrSchedule(LrSchedule.Kind.CONSTANT, 2e-4, 0, 0, 5).lr(4), 0);
    }

    @Test
    void dataOrderIsAFunctionOfSeedAndPosition() {
        DataOrder a = new DataOrder(7, 42, true);
        List<Integer> first = a.next(5);
        DataOrder.State s = a.state();
        List<Integer> rest = a.next(12);
        DataOrder b = new DataOrder(7, 42, true);
        b.restore(s);
        assertEquals(rest, b.next(12));
        java.util.Set<Integer> epoch0 = new java.util.HashSet<>(first);
        epoch0.addAll(rest.subList(0, 2));
        assertEquals(7, epoch0.size());
        assertEquals(2, a.epoch());
        DataOrder plain = new DataOrder(3, 1, false);
        assertEquals(List.of(0, 1, 2, 0), plain.next(4));
    }
}
