package cpi.mitigate;

import cpi.train.IftExample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cpi.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelectorsTest {
    static IftExample ex(String id, String instruction, String input, String output) {
        return new IftExample(id, instruction, input, output, null, null);
    }

    @Test
    void hasContextKeepsExactlyTheExamplesWithANonBlankInput() {
        List<IftExample> data = List.of(ex("a", "Sum", "1 2", "3"), ex("b", "Hi", "", "Hello"),
                ex("c", "Translate", "  \n", "x"), ex("d", "Classify", "Banana", "fruit"));
        FilterResult r = new HasContextSelector().select(data);
        assertEquals(List.of("a", "d"), r.kept().stream().map(IftExample::id).toList());
        assertEquals(List.of("b", "c"), r.dropped().stream().map(IftExample::id).toList());
        assertEquals(0.5, r.droppedFraction());
    }

    @Test
    void keywordsMatchWholeWordsCaseInsensitivelyInAnyField(@TempDir Path tmp) throws Exception {
        Path kw = tmp.resolve("kw.txt");
        Files.writeString(kw, "# countries\nFrance\nchad\n\nnew zealand\n");
        KeywordSelector s = KeywordSelector.fromFile(kw);
        assertEquals(List.of("France", "chad", "new zealand"), s.keywords());
        List<IftExample> data = List.of(
                ex("1", "What is the capital of FRANCE?", "", "Paris"),
                ex("2", "Who is Chadwick Boseman?", "", "An actor"),
                ex("3", "Describe", "A trip to New  Zealand", "nice"), // double space: not the keyword
                ex("4", "Describe", "Lakes of Chad.", "Lake Chad"),
                ex("5", "Name a city", "", "Wellington, New Zealand"),
                ex("6", "Frenchman", "", "French"));
        FilterResult r = s.select(data);
        assertEquals(List.of("2", "3", "6"), r.kept().stream().map(IftExample::id).toList());
        assertEquals(List.of("1", "4", "5"), r.dropped().stream().map(IftExample::id).toList());
        assertEquals("new zealand", s.match(data.get(4)));
    }

    @Test
    void emptyKeywordsFileIsAUserError(@TempDir Path tmp) throws Exception {
        Path kw = tmp.resolve("kw.txt");
        Files.writeString(kw, "# nothing\n\n");
        UserError e = assertThrows(UserError.class, () -> KeywordSelector.fromFile(kw));
        assertTrue(e.getMessage().contains("kw.txt"));
    }

    @Test
    void noContextScoringNeverShowsTheInputAndDropsTheExactFraction() {
        List<IftExample> data = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            data.add(ex("e" + i, "Question " + i + "?", i % 2 == 0 ? "CONTEXT-" + i + " secret" : "", "answer " + i));
        }
        // Log-likelihood depends on the example number: example i gets loss proportional to (i * 37 % 100).
        RecordingModel m = new RecordingModel((p, c) -> -((Integer.parseInt(c.replaceAll("\\D", "")) * 37) % 100));
        NoContextLossFilter f = new NoContextLossFilter(m,
                NoContextLossFilter.Options.defaults(0.25).withBatchSize(7));
        FilterResult r = f.select(data);
        assertEquals(25, r.dropped().size());
        assertEquals(75, r.kept().size());
        assertEquals(100, m.prompts.size());
        for (String p : m.prompts) {
            assertFalse(p.contains("CONTEXT") || p.contains("secret"), "context leaked into the prompt: " + p);
            assertTrue(p.startsWith("Q: Question ") && p.endsWith("\nA:"), p);
        }
        assertTrue(m.batchSizes.stream().allMatch(b -> b <= 7));
        assertEquals(" answer 3", m.continuations.get(3));
        // Dropped are exactly the 25 lowest-loss examples; the threshold lies between the sides.
        double maxDropped = r.dropped().stream().mapToDouble(e -> r.scores()[Integer.parseInt(e.id().substring(1))])
                .max().orElseThrow();
        double minKept = r.kept().stream().mapToDouble(e -> r.scores()[Integer.parseInt(e.id().substring(1))])
                .min().orElseThrow();
        assertTrue(maxDropped < r.threshold() && r.threshold() < minKept);
    }

    @Test
    void dropCountIsExactForAwkwardFractions() {
        assertEquals(29, NoContextLossFilter.dropCount(100, 0.29));
        assertEquals(1250, NoContextLossFilter.dropCount(5000, 0.25));
        assertEquals(2, NoContextLossFilter.dropCount(10, 0.25));
        assertEquals(0, NoContextLossFilter.dropCount(3, 0.0));
    }

    @Test
    void closedBookPromptReplacesTheInstructionWhenAskedAndFallsBackOtherwise() {
        List<IftExample> data = List.of(
                new IftExample("a", "What is the capital of France?", "Paris is the capital.", "Paris", null,
                        "The capital of France is"),
                new IftExample("b", "Say hi", "", "hi", null, null));
        RecordingModel m = new RecordingModel((p, c) -> -1.0);
        NoContextLossFilter f = new NoContextLossFilter(m, NoContextLossFilter.Options.defaults(0.5)
                .withField(NoContextLossFilter.ScoreField.CLOSED_BOOK_PROMPT));
        f.score(data);
        assertEquals(List.of("The capital of France is", "Q: Say hi\nA:"), m.prompts);
        assertEquals(1, f.fallbacks());
    }

    @Test
    void scoresAreCachedByModelAndContent(@TempDir Path tmp) {
        List<IftExample> data = List.of(ex("a", "q1", "c", "one two"), ex("b", "q2", "", "three"));
        RecordingModel m = new RecordingModel((p, c) -> -2.0);
        NoContextLossFilter.Options o = NoContextLossFilter.Options.defaults(0.5).withCache(tmp);
        double[] first = new NoContextLossFilter(m, o).score(data);
        assertEquals(1.0, first[0], 1e-12); // 2 nats over 2 words
        assertEquals(2.0, first[1], 1e-12);
        NoContextLossFilter again = new NoContextLossFilter(m, o);
        double[] second = again.score(data);
        assertTrue(again.cacheHit());
        assertEquals(2, m.prompts.size(), "a re-run must not call the model");
        assertEquals(first[1], second[1]);
        // Different content: scored again.
        NoContextLossFilter other = new NoContextLossFilter(m, o);
        other.score(List.of(ex("a", "q1 changed", "c", "one two")));
        assertFalse(other.cacheHit());
    }

    @Test
    void aurocSeparatesPerfectlyAndCountsTiesHalf() {
        assertEquals(1.0, Auroc.of(new double[] {1, 2, 3, 4}, new boolean[] {false, false, true, true}), 1e-12);
        assertEquals(0.0, Auroc.of(new double[] {1, 2, 3, 4}, new boolean[] {true, true, false, false}), 1e-12);
        assertEquals(0.5, Auroc.of(new double[] {1, 1}, new boolean[] {true, false}), 1e-12);
        assertTrue(Double.isNaN(Auroc.of(new double[] {1, 2}, new boolean[] {true, true})));
    }
}
