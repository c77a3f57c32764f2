package cpi.mitigate;

import cpi.train.IftExample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cpi.util.Json;
import cpi.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CounterfactualAugmenterTest {
    static List<ContextQaItem> squad() {
        return List.of(
                new ContextQaItem("y1", "When did Columbus sail?", "In 1492 Columbus sailed. By 1492 he had landed.", "1492", null),
                new ContextQaItem("y2", "When did the war end?", "The war ended in 1945 in Europe.", "1945", null),
                new ContextQaItem("y3", "When was the wall built?", "The wall went up in 1961.", "1961", null),
                new ContextQaItem("n1", "Who discovered radium?", "Marie Curie discovered radium; Marie Curie won twice.",
                        "Marie Curie", null),
                new ContextQaItem("n2", "Who wrote Hamlet?", "Hamlet was written by William Shakespeare.",
                        "William Shakespeare", null),
                new ContextQaItem("n3", "Who painted it?", "It was painted by Pablo Picasso in Paris.", "Pablo Picasso", null),
                new ContextQaItem("d1", "When was it signed?", "It was signed on July 4, 1776 in Philadelphia.",
                        "July 4, 1776", null),
                new ContextQaItem("d2", "When did it fall?", "The wall fell on November 9, 1989.", "November 9, 1989", null),
                new ContextQaItem("k1", "How many moons?", "Mars has 2 moons, and 2 is few.", "2", null),
                new ContextQaItem("k2", "How many legs?", "A spider has 8 legs.", "8", null),
                new ContextQaItem("o1", "Why is the sky blue?", "Rayleigh scattering makes the sky blue.",
                        "because of scattering", null));
    }

    static List<IftExample> data(int n) {
        List<IftExample> d = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            d.add(new IftExample("a" + i, "Instruction " + i, "", "Output " + i, null, null));
        }
        return d;
    }

    @Test
    void answerTypesFollowTheRules() {
        assertEquals(AnswerType.YEAR, AnswerType.of("1492"));
        assertEquals(AnswerType.NUMBER, AnswerType.of("3,500"));
        assertEquals(AnswerType.NUMBER, AnswerType.of("42"));
        assertEquals(AnswerType.DATE, AnswerType.of("July 4, 1776"));
        assertEquals(AnswerType.DATE, AnswerType.of("4 July 1776"));
        assertEquals(AnswerType.NAME, AnswerType.of("Marie Curie"));
        assertEquals(AnswerType.NAME, AnswerType.of("University of Notre Dame"));
        assertEquals(AnswerType.OTHER, AnswerType.of("because of scattering"));
    }

    @Test
    void augmentedItemsContainTheNewAnswerInTheContextAndNotTheOldOne() {
        List<ContextQaItem> src = squad();
        Map<String, ContextQaItem> byId = new HashMap<>();
        src.forEach(i -> byId.put("cf-" + i.id(), i));
        CounterfactualAugmenter a = new CounterfactualAugmenter(new CounterfactualAugmenter.Options(1.0, 7));
        CounterfactualAugmenter.Result r = a.augment(data(10), src, new EvalOverlap());
        assertEquals(10, r.requested());
        assertEquals(10, r.augmented().size(), "every typed item whose answer is in its context is usable");
        assertEquals(1, r.skipped().get("answer of no substitutable type"));
        for (IftExample e : r.augmented()) {
            ContextQaItem orig = byId.get(e.id());
            assertEquals(orig.question(), e.instruction());
            assertNotEquals(EvalOverlap.normalise(orig.answer()), EvalOverlap.normalise(e.output()));
            assertTrue(CounterfactualAugmenter.mentions(e.input(), e.output()), e.toString());
            assertFalse(CounterfactualAugmenter.mentions(e.input(), orig.answer()), e.toString());
            assertEquals(AnswerType.of(orig.answer()), AnswerType.of(e.output()), "same type: " + e);
            assertEquals(CounterfactualAugmenter.KIND, e.kind());
        }
        // Every occurrence replaced: "In 1492 ... By 1492" has two.
        IftExample col = r.augmented().stream().filter(e -> e.id().equals("cf-y1")).findFirst().orElseThrow();
        assertEquals(2, col.input().split(java.util.regex.Pattern.quote(col.output()), -1).length - 1);
        assertEquals(20, r.mixture().size());
    }

    @Test
    void fractionSetsHowManyAreAddedAndTheyAreSpreadThroughTheMixture() {
        CounterfactualAugmenter a = new CounterfactualAugmenter(new CounterfactualAugmenter.Options(0.10, 1));
        CounterfactualAugmenter.Result r = a.augment(data(40), squad(), null);
        assertEquals(4, r.augmented().size());
        List<IftExample> mix = r.mixture();
        assertEquals(44, mix.size());
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i < mix.size(); i++) {
            if (CounterfactualAugmenter.KIND.equals(mix.get(i).kind())) {
                at.add(i);
            }
        }
        assertEquals(List.of(10, 21, 32, 43), at);
    }

    @Test
    void overlapWithEvaluationIsRefusedAndCounted() {
        EvalOverlap eval = new EvalOverlap();
        // Same question and context, re-spaced and re-cased: still the same item.
        eval.add("who wrote  HAMLET?", "Hamlet was written by William Shakespeare");
        eval.add("When was the wall built?", "The wall went up in 1961.");
        CounterfactualAugmenter a = new CounterfactualAugmenter(new CounterfactualAugmenter.Options(1.0, 3));
        CounterfactualAugmenter.Result r = a.augment(data(10), squad(), eval);
        assertEquals(2, r.excludedOverlap());
        assertTrue(r.augmented().stream().noneMatch(e -> e.id().equals("cf-n2") || e.id().equals("cf-y3")));
        assertEquals(8, r.augmented().size());
    }

    @Test
    void conflictSchemaItemsAreUsedAsTheyAreAndAllOverlappingIsAnError(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("cf.json");
        Files.writeString(f, Json.write(List.of(
                Map.of("context", "Sydney became the capital of Australia in 2031.", "question",
                        "What is the capital of Australia?", "answer", "Sydney", "memory_answer", "Canberra"),
                Map.of("context", "Herat is now the capital of Afghanistan.", "question",
                        "What is the capital of Afghanistan?", "answer", "Herat", "memory_answer", "Kabul"))));
        List<ContextQaItem> src = ContextQaFiles.read(f);
        assertTrue(src.get(0).isConflict());
        CounterfactualAugmenter a = new CounterfactualAugmenter(new CounterfactualAugmenter.Options(1.0, 3));
        CounterfactualAugmenter.Result r = a.augment(data(2), src, null);
        assertEquals(2, r.augmented().size());
        assertEquals(Map.of("conflict", 2), r.byType());
        UserError e = assertThrows(UserError.class, () -> a.augment(data(2), src, EvalOverlap.of(List.of(f))));
        assertTrue(e.getMessage().contains("2 overlapping evaluation"), e.getMessage());
    }

    @Test
    void readsSquadJsonAndHfRows(@TempDir Path tmp) throws Exception {
        Path squad = tmp.resolve("squad.json");
        Files.writeString(squad, "{\"data\":[{\"title\":\"t\",\"paragraphs\":[{\"context\":\"Paris is in France.\","
                + "\"qas\":[{\"id\":\"q1\",\"question\":\"Where is Paris?\",\"answers\":[{\"text\":\"France\","
                + "\"answer_start\":12}]}]}]}]}");
        assertEquals(List.of(new ContextQaItem("q1", "Where is Paris?", "Paris is in France.", "France", null)),
                ContextQaFiles.read(squad));
        Path hf = tmp.resolve("rows.jsonl");
        Files.writeString(hf, "{\"id\":\"x\",\"question\":\"Q?\",\"context\":\"C 1999.\",\"answers\":{\"text\":[\"1999\"],"
                + "\"answer_start\":[2]}}\n");
        assertEquals("1999", ContextQaFiles.read(hf).get(0).answer());
    }
}
